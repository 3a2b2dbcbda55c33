-- Quant Signals schema (SPEC §4). Plain PostgreSQL; 002_timescaledb.sql turns the time-series
-- tables into hypertables where the timescaledb extension is available.
-- Idempotent: every statement may run again on an already migrated database.
-- Every unique key below is the natural key the writers upsert on, so a job restarted from a
-- checkpoint rewrites exactly the rows it wrote before (no loss, no duplicates). On hypertables a
-- unique key must contain the time column, which each of these does.

CREATE TABLE IF NOT EXISTS strategy_runs (
    strategy_run_id uuid        PRIMARY KEY,
    strategy        text        NOT NULL,
    run_type        text        NOT NULL CHECK (run_type IN ('LIVE', 'PAPER', 'REPLAY')),
    params          jsonb       NOT NULL,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz NULL
);
CREATE INDEX IF NOT EXISTS strategy_runs_active_idx ON strategy_runs (run_type) WHERE ended_at IS NULL;

-- One row per create and per update of a run's parameters, for audit.
CREATE TABLE IF NOT EXISTS strategy_run_params_history (
    strategy_run_id uuid        NOT NULL REFERENCES strategy_runs (strategy_run_id),
    changed_at      timestamptz NOT NULL,
    params          jsonb       NOT NULL,
    changed_by      text        NOT NULL,
    PRIMARY KEY (strategy_run_id, changed_at)
);

-- Live ticks the job saw and imported history. Several ticks of one symbol may share a
-- timestamp, so ingest_seq keeps their arrival order (the replay tool's tie-break) and, with
-- source, makes each row addressable: imports draw it from the sequence, the job derives it from
-- the Kafka partition and offset, so a job restarted from a checkpoint upserts the same rows.
CREATE SEQUENCE IF NOT EXISTS price_ticks_ingest_seq;
CREATE TABLE IF NOT EXISTS price_ticks (
    event_time timestamptz      NOT NULL,
    symbol     text             NOT NULL,
    price      double precision NOT NULL CHECK (price > 0),
    volume     double precision NULL,
    source     text             NOT NULL,
    ingest_seq bigint           NOT NULL DEFAULT nextval('price_ticks_ingest_seq')
);
CREATE UNIQUE INDEX IF NOT EXISTS price_ticks_key ON price_ticks (symbol, event_time, source, ingest_seq);
CREATE INDEX IF NOT EXISTS price_ticks_time_idx ON price_ticks (event_time, ingest_seq);

-- One row per completed bar per run and symbol.
CREATE TABLE IF NOT EXISTS strategy_metrics (
    metric_time       timestamptz      NOT NULL,
    strategy_run_id   uuid             NOT NULL,
    symbol            text             NOT NULL,
    price             double precision NOT NULL,
    sma_fast          double precision NULL,
    sma_slow          double precision NULL,
    position          smallint         NOT NULL CHECK (position BETWEEN -1 AND 1),
    gross_return      double precision NOT NULL,
    transaction_cost  double precision NOT NULL,
    slippage_cost     double precision NOT NULL,
    net_return        double precision NOT NULL,
    cumulative_return double precision NOT NULL,
    drawdown          double precision NOT NULL,
    PRIMARY KEY (strategy_run_id, symbol, metric_time)
);
CREATE INDEX IF NOT EXISTS strategy_metrics_time_idx ON strategy_metrics (metric_time DESC);

-- One row per position change.
CREATE TABLE IF NOT EXISTS strategy_positions_stream (
    event_time       timestamptz      NOT NULL,
    strategy_run_id  uuid             NOT NULL,
    symbol           text             NOT NULL,
    from_position    smallint         NOT NULL CHECK (from_position BETWEEN -1 AND 1),
    to_position      smallint         NOT NULL CHECK (to_position BETWEEN -1 AND 1),
    price            double precision NOT NULL,
    fill_price       double precision NOT NULL,
    transaction_cost double precision NOT NULL,
    slippage_cost    double precision NOT NULL,
    reason           text             NOT NULL
        CHECK (reason IN ('SIGNAL', 'KILL_SWITCH', 'RISK_LIMIT', 'RUN_ENDED')),
    PRIMARY KEY (strategy_run_id, symbol, event_time, reason)
);
CREATE INDEX IF NOT EXISTS strategy_positions_stream_time_idx ON strategy_positions_stream (event_time DESC);

-- Messages the job could not process, with why. source names where the message came from
-- (for Kafka: topic, partition and offset), so reprocessing after a restart upserts the same row.
CREATE TABLE IF NOT EXISTS rejected_ticks (
    received_at timestamptz NOT NULL,
    source      text        NOT NULL,
    payload     text        NOT NULL,
    reason      text        NOT NULL,
    PRIMARY KEY (source, received_at)
);
CREATE INDEX IF NOT EXISTS rejected_ticks_time_idx ON rejected_ticks (received_at DESC);

CREATE TABLE IF NOT EXISTS kill_switch_events (
    event_time      timestamptz NOT NULL,
    strategy_run_id uuid        NULL,
    action          text        NOT NULL CHECK (action IN ('ENGAGED', 'RELEASED')),
    source          text        NOT NULL,
    reason          text        NULL
);
-- One row per change: the job re-emitting an event after a restart must not add a second one.
CREATE UNIQUE INDEX IF NOT EXISTS kill_switch_events_key
    ON kill_switch_events (event_time, strategy_run_id, action, source) NULLS NOT DISTINCT;
CREATE INDEX IF NOT EXISTS kill_switch_events_time_idx ON kill_switch_events (event_time DESC);
