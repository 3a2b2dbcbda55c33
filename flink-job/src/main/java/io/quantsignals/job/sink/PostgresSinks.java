package io.quantsignals.job.sink;

import io.quantsignals.core.analytics.PeriodSummary;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.UUID;

/**
 * The job's six tables. The two that take a row per tick (price_ticks, and strategy_metrics with
 * tick bars) and the sweeps' summaries (rewritten by key while their day is open) go through {@link CopySink}: binary COPY with an upsert fallback, because the JDBC
 * connector's batched upserts reach ~58k rows/s here against ~204k for the COPY writer
 * (bench/README.md, (d") and (d*)). The
 * three low-volume tables use Flink's JDBC sink with batched upserts on each table's natural key.
 * Either way: flushed at every checkpoint and at least every {@code flushInterval}, at-least-once
 * delivery plus idempotent writes by natural key, which is what makes a restart from a checkpoint
 * yield exactly the rows of a clean run (the XA exactly-once mode would add prepared transactions
 * for no extra guarantee here).
 */
public final class PostgresSinks implements JobSinks {

    private static final long serialVersionUID = 1L;

    /** A message rejected again after a restart maps to the same row: DO NOTHING, the first reason stands. */
    static final String REJECTED_TICKS = """
            INSERT INTO rejected_ticks (received_at, source, payload, reason)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (source, received_at) DO NOTHING""";

    static final String TRANSITIONS = """
            INSERT INTO strategy_positions_stream (event_time, strategy_run_id, symbol, from_position, to_position,
                price, fill_price, transaction_cost, slippage_cost, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (strategy_run_id, symbol, event_time, reason) DO UPDATE SET
                from_position = EXCLUDED.from_position, to_position = EXCLUDED.to_position,
                price = EXCLUDED.price, fill_price = EXCLUDED.fill_price,
                transaction_cost = EXCLUDED.transaction_cost, slippage_cost = EXCLUDED.slippage_cost""";

    /** The key (event_time, run, action, source) is unique with NULLS NOT DISTINCT: a repeat is a no-op. */
    static final String KILL_SWITCH_EVENTS = """
            INSERT INTO kill_switch_events (event_time, strategy_run_id, action, source, reason)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";

    private final DatabaseSettings database;
    private final int batchSize;
    private final Duration flushInterval;

    public PostgresSinks(DatabaseSettings database, int batchSize, Duration flushInterval) {
        this.database = database;
        this.batchSize = batchSize;
        this.flushInterval = flushInterval;
    }

    /** One row per live tick: the COPY sink, as the connector's upserts cannot keep up (see the class comment). */
    @Override
    public Sink<Tick> priceTicks() {
        return CopySink.priceTicks(database, batchSize, flushInterval);
    }

    @Override
    public Sink<RejectedTick> rejectedTicks() {
        return sink(REJECTED_TICKS, (ps, r) -> {
            ps.setTimestamp(1, new Timestamp(r.receivedAtMillis));
            ps.setString(2, r.source);
            // PostgreSQL text cannot hold NUL characters; a garbage payload must not fail the sink.
            ps.setString(3, r.payload.replace('\u0000', '\uFFFD'));
            ps.setString(4, r.reason);
        });
    }

    /** One row per bar, with tick bars one per tick: the COPY sink. */
    @Override
    public Sink<MetricRecord> metrics() {
        return CopySink.metrics(database, batchSize, flushInterval);
    }

    /** A row per (sweep run, symbol, day), upserted again while the day is open: the COPY sink's merge path. */
    @Override
    public Sink<PeriodSummary> runSummaries() {
        return CopySink.runSummaries(database, batchSize, flushInterval);
    }

    @Override
    public Sink<TransitionRecord> transitions() {
        return sink(TRANSITIONS, (ps, t) -> {
            ps.setTimestamp(1, new Timestamp(t.eventTime));
            ps.setObject(2, UUID.fromString(t.runId));
            ps.setString(3, t.symbol);
            ps.setShort(4, (short) t.fromPosition);
            ps.setShort(5, (short) t.toPosition);
            ps.setDouble(6, t.price);
            ps.setDouble(7, t.fillPrice);
            ps.setDouble(8, t.transactionCost);
            ps.setDouble(9, t.slippageCost);
            ps.setString(10, t.reason);
        });
    }

    @Override
    public Sink<KillSwitchEvent> killSwitchEvents() {
        return sink(KILL_SWITCH_EVENTS, (ps, e) -> {
            ps.setTimestamp(1, new Timestamp(e.eventTimeMillis));
            if (e.runId == null) {
                ps.setNull(2, Types.OTHER);
            } else {
                ps.setObject(2, UUID.fromString(e.runId));
            }
            ps.setString(3, e.action);
            ps.setString(4, e.source);
            ps.setString(5, e.reason);
        });
    }

    private <T> Sink<T> sink(String sql, JdbcStatementBuilder<T> statement) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder connection = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(database.url())
                .withDriverName("org.postgresql.Driver")
                // Rewrites a batch of upserts into multi-row statements (fewer round trips); bench/README.md
                // (d") measures the upserts with it.
                .withProperty("reWriteBatchedInserts", "true");
        if (database.user() != null) {
            connection.withUsername(database.user());
        }
        if (database.password() != null) {
            connection.withPassword(database.password());
        }
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, statement)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(batchSize)
                        .withBatchIntervalMs(flushInterval.toMillis())
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(connection.build());
    }
}
