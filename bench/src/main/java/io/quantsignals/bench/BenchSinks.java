package io.quantsignals.bench;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.UUID;

/**
 * The job's real {@link PostgresSinks} with strategy_metrics replaced, to locate the cost:
 * {@link Mode#DISCARD_METRICS} drops the rows (the tick-bar pipeline when the database costs
 * nothing), {@link Mode#JDBC_UPSERT_METRICS} writes them with Flink's JDBC connector and batched
 * {@code INSERT ... ON CONFLICT DO UPDATE} (what the job did before its COPY sink: the baseline that
 * justifies having one).
 */
final class BenchSinks implements JobSinks {

    private static final long serialVersionUID = 1L;

    /** The connector's upsert of one strategy_metrics row (reWriteBatchedInserts makes batches multi-row). */
    static final String METRICS_UPSERT = """
            INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, sma_fast, sma_slow, position,
                gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (strategy_run_id, symbol, metric_time) DO UPDATE SET
                price = EXCLUDED.price, sma_fast = EXCLUDED.sma_fast, sma_slow = EXCLUDED.sma_slow,
                position = EXCLUDED.position, gross_return = EXCLUDED.gross_return,
                transaction_cost = EXCLUDED.transaction_cost, slippage_cost = EXCLUDED.slippage_cost,
                net_return = EXCLUDED.net_return, cumulative_return = EXCLUDED.cumulative_return,
                drawdown = EXCLUDED.drawdown""";

    enum Mode { DISCARD_METRICS, JDBC_UPSERT_METRICS }

    private final PostgresSinks real;
    private final DatabaseSettings database;
    private final int batchRows;
    private final Duration flushInterval;
    private final Mode mode;

    BenchSinks(DatabaseSettings database, int batchRows, Duration flushInterval, Mode mode) {
        this.real = new PostgresSinks(database, batchRows, flushInterval);
        this.database = database;
        this.batchRows = batchRows;
        this.flushInterval = flushInterval;
        this.mode = mode;
    }

    @Override
    public Sink<MetricRecord> metrics() {
        return mode == Mode.DISCARD_METRICS ? new DiscardingSink<>() : jdbcUpsertMetrics();
    }

    private Sink<MetricRecord> jdbcUpsertMetrics() {
        return JdbcSink.<MetricRecord>builder()
                .withQueryStatement(METRICS_UPSERT, (ps, m) -> {
                    ps.setTimestamp(1, new Timestamp(m.metricTime));
                    ps.setObject(2, UUID.fromString(m.runId));
                    ps.setString(3, m.symbol);
                    ps.setDouble(4, m.price);
                    if (m.smaFast == null) {
                        ps.setNull(5, Types.DOUBLE);
                    } else {
                        ps.setDouble(5, m.smaFast);
                    }
                    if (m.smaSlow == null) {
                        ps.setNull(6, Types.DOUBLE);
                    } else {
                        ps.setDouble(6, m.smaSlow);
                    }
                    ps.setShort(7, (short) m.position);
                    ps.setDouble(8, m.grossReturn);
                    ps.setDouble(9, m.transactionCost);
                    ps.setDouble(10, m.slippageCost);
                    ps.setDouble(11, m.netReturn);
                    ps.setDouble(12, m.cumulativeReturn);
                    ps.setDouble(13, m.drawdown);
                })
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(batchRows)
                        .withBatchIntervalMs(flushInterval.toMillis())
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(database.url())
                        .withDriverName("org.postgresql.Driver")
                        .withProperty("reWriteBatchedInserts", "true")
                        .withUsername(database.user())
                        .build());
    }

    @Override
    public Sink<Tick> priceTicks() {
        return real.priceTicks();
    }

    @Override
    public Sink<RejectedTick> rejectedTicks() {
        return real.rejectedTicks();
    }

    @Override
    public Sink<TransitionRecord> transitions() {
        return real.transitions();
    }

    @Override
    public Sink<KillSwitchEvent> killSwitchEvents() {
        return real.killSwitchEvents();
    }

    @Override
    public Sink<PeriodSummary> runSummaries() {
        return real.runSummaries();
    }
}
