-- TimescaleDB layer (SPEC §4): hypertables, compression and retention where the timescaledb
-- extension can be created; a notice and nothing else on plain PostgreSQL, so one schema serves
-- laptops, tests and production. Idempotent: safe to run again.
--
-- Chunk, compression and retention intervals (why):
--   * 1-day chunks for the per-bar/per-tick tables: a day of 1-minute metrics for hundreds of
--     (run, symbol) pairs is a few hundred thousand rows, a comfortable chunk.
--   * compression after 7 days, segmented by run and symbol (price_ticks: by symbol), ordered by
--     time: the dashboard and the replay tool read one run/symbol over a time range.
--   * retention: price_ticks 365 days (the replay tool's history), rejected_ticks 30 days
--     (diagnostics). Metrics and transitions are the audit trail and are never dropped.
DO $timescale$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
            RAISE NOTICE 'timescaledb extension not available: keeping plain PostgreSQL tables';
            RETURN;
        END IF;
        BEGIN
            CREATE EXTENSION IF NOT EXISTS timescaledb;
        EXCEPTION WHEN OTHERS THEN
            -- Installed but not loadable (e.g. missing from shared_preload_libraries).
            RAISE NOTICE 'timescaledb extension not loadable (%): keeping plain PostgreSQL tables', SQLERRM;
            RETURN;
        END;
    END IF;

    PERFORM create_hypertable('price_ticks', 'event_time',
        chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
    PERFORM create_hypertable('strategy_metrics', 'metric_time',
        chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
    PERFORM create_hypertable('strategy_positions_stream', 'event_time',
        chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE, migrate_data => TRUE);
    PERFORM create_hypertable('rejected_ticks', 'received_at',
        chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
    PERFORM create_hypertable('kill_switch_events', 'event_time',
        chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE, migrate_data => TRUE);

    -- Compression settings can only be changed while no chunk is compressed: set them once.
    IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                   WHERE hypertable_name = 'strategy_metrics' AND compression_enabled) THEN
        ALTER TABLE strategy_metrics SET (timescaledb.compress,
            timescaledb.compress_segmentby = 'strategy_run_id, symbol',
            timescaledb.compress_orderby = 'metric_time DESC');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                   WHERE hypertable_name = 'strategy_positions_stream' AND compression_enabled) THEN
        ALTER TABLE strategy_positions_stream SET (timescaledb.compress,
            timescaledb.compress_segmentby = 'strategy_run_id, symbol',
            timescaledb.compress_orderby = 'event_time DESC, reason');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                   WHERE hypertable_name = 'price_ticks' AND compression_enabled) THEN
        ALTER TABLE price_ticks SET (timescaledb.compress,
            timescaledb.compress_segmentby = 'symbol',
            timescaledb.compress_orderby = 'event_time DESC, ingest_seq DESC, source');
    END IF;

    PERFORM add_compression_policy('strategy_metrics', INTERVAL '7 days', if_not_exists => TRUE);
    PERFORM add_compression_policy('strategy_positions_stream', INTERVAL '7 days', if_not_exists => TRUE);
    PERFORM add_compression_policy('price_ticks', INTERVAL '7 days', if_not_exists => TRUE);

    PERFORM add_retention_policy('price_ticks', INTERVAL '365 days', if_not_exists => TRUE);
    PERFORM add_retention_policy('rejected_ticks', INTERVAL '30 days', if_not_exists => TRUE);
END
$timescale$;
