package io.quantsignals.bench;

import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PROTOTYPE (benchmark only, not used by the job): an at-least-once upsert sink that writes each
 * batch with COPY instead of a batched multi-row INSERT:
 *
 * <pre>
 *   COPY stage FROM STDIN (FORMAT binary)            -- a session-local temp table, no indexes
 *   INSERT INTO target SELECT ... FROM stage ON CONFLICT (natural key) DO UPDATE SET ...
 *   COMMIT                                           -- the temp table is ON COMMIT DELETE ROWS
 * </pre>
 *
 * Same guarantees as the job's JDBC sink: rows are buffered and written when the batch is full,
 * after {@code flushIntervalMillis}, at every checkpoint ({@link SinkWriter#flush}) and at the end
 * of input, and the upsert on the natural key makes re-delivery after a restart idempotent.
 *
 * <p>Production gaps: no retries (a failed batch fails the task and Flink restarts from the last
 * checkpoint, which is correct but slower than the JDBC sink's 3 retries), and a batch must not
 * hold the same natural key twice ({@code ON CONFLICT DO UPDATE} refuses to touch a row twice in
 * one statement); the job never emits a key twice between two flushes, but a production version
 * should de-duplicate ({@code SELECT DISTINCT ON (key) ... ORDER BY key, arrival DESC}).
 */
public final class CopyUpsertSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** Appends one value as a row of {@link PgBinary}. */
    interface Encoder<T> extends Serializable {
        void encode(T value, PgBinary out);
    }

    private final DatabaseSettings database;
    private final String stageDdl;
    private final String copySql;
    private final String mergeSql;
    private final Encoder<T> encoder;
    private final int batchRows;
    private final long flushIntervalMillis;

    CopyUpsertSink(DatabaseSettings database, String stageDdl, String copySql, String mergeSql, Encoder<T> encoder,
                   int batchRows, long flushIntervalMillis) {
        this.database = database;
        this.stageDdl = stageDdl;
        this.copySql = copySql;
        this.mergeSql = mergeSql;
        this.encoder = encoder;
        this.batchRows = batchRows;
        this.flushIntervalMillis = flushIntervalMillis;
    }

    static final String PRICE_TICKS_STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS stage_price_ticks (
                event_time timestamptz, symbol text, price double precision, volume double precision,
                source text, ingest_seq bigint) ON COMMIT DELETE ROWS""";
    static final String PRICE_TICKS_COPY =
            "COPY stage_price_ticks (event_time, symbol, price, volume, source, ingest_seq) FROM STDIN (FORMAT binary)";
    static final String PRICE_TICKS_MERGE = """
            INSERT INTO price_ticks (event_time, symbol, price, volume, source, ingest_seq)
            SELECT event_time, symbol, price, volume, source, ingest_seq FROM stage_price_ticks
            ON CONFLICT (symbol, event_time, source, ingest_seq)
            DO UPDATE SET price = EXCLUDED.price, volume = EXCLUDED.volume""";

    static final String METRICS_STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS stage_strategy_metrics (
                metric_time timestamptz, strategy_run_id uuid, symbol text, price double precision,
                sma_fast double precision, sma_slow double precision, position smallint,
                gross_return double precision, transaction_cost double precision, slippage_cost double precision,
                net_return double precision, cumulative_return double precision, drawdown double precision
            ) ON COMMIT DELETE ROWS""";
    static final String METRIC_COLUMNS = "metric_time, strategy_run_id, symbol, price, sma_fast, sma_slow, position,"
            + " gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown";
    static final String METRICS_COPY = "COPY stage_strategy_metrics (" + METRIC_COLUMNS + ") FROM STDIN (FORMAT binary)";
    static final String METRICS_MERGE = "INSERT INTO strategy_metrics (" + METRIC_COLUMNS + ") SELECT " + METRIC_COLUMNS
            + " FROM stage_strategy_metrics ON CONFLICT (strategy_run_id, symbol, metric_time) DO UPDATE SET"
            + " price = EXCLUDED.price, sma_fast = EXCLUDED.sma_fast, sma_slow = EXCLUDED.sma_slow,"
            + " position = EXCLUDED.position, gross_return = EXCLUDED.gross_return,"
            + " transaction_cost = EXCLUDED.transaction_cost, slippage_cost = EXCLUDED.slippage_cost,"
            + " net_return = EXCLUDED.net_return, cumulative_return = EXCLUDED.cumulative_return,"
            + " drawdown = EXCLUDED.drawdown";

    /** price_ticks, the same columns and values as the job's JDBC sink writes. */
    static CopyUpsertSink<Tick> priceTicks(DatabaseSettings db, int batchRows, long flushIntervalMillis) {
        return new CopyUpsertSink<>(db, PRICE_TICKS_STAGE, PRICE_TICKS_COPY, PRICE_TICKS_MERGE, CopyUpsertSink::encodeTick,
                batchRows, flushIntervalMillis);
    }

    /** strategy_metrics, the same columns and values as the job's JDBC sink writes. */
    static CopyUpsertSink<MetricRecord> metrics(DatabaseSettings db, int batchRows, long flushIntervalMillis) {
        return new CopyUpsertSink<>(db, METRICS_STAGE, METRICS_COPY, METRICS_MERGE, CopyUpsertSink::encodeMetric,
                batchRows, flushIntervalMillis);
    }

    static void encodeTick(Tick t, PgBinary out) {
        out.row(6);
        out.timestampMillisField(t.tsMillis);
        out.textField(t.symbol);
        out.float8Field(ScaledPrice.toDouble(t.priceScaled));
        if (t.hasVolume()) {
            out.float8Field(t.volume);
        } else {
            out.nul();
        }
        out.textField(t.source);
        out.int8Field(t.sourceSeq);
    }

    static void encodeMetric(MetricRecord m, PgBinary out) {
        out.row(13);
        out.timestampMillisField(m.metricTime);
        out.uuidField(m.runId);
        out.textField(m.symbol);
        out.float8Field(m.price);
        out.float8OrNull(m.smaFast);
        out.float8OrNull(m.smaSlow);
        out.int2Field(m.position);
        out.float8Field(m.grossReturn);
        out.float8Field(m.transactionCost);
        out.float8Field(m.slippageCost);
        out.float8Field(m.netReturn);
        out.float8Field(m.cumulativeReturn);
        out.float8Field(m.drawdown);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        try {
            return new Writer<>(this, context.getProcessingTimeService());
        } catch (SQLException e) {
            throw new IOException("cannot open the COPY sink's connection: " + e.getMessage(), e);
        }
    }

    /** Stages and merges one batch on its own connection; used by the sink and by the DB benchmark. */
    static final class Batcher implements AutoCloseable {
        private final Connection connection;
        private final CopyManager copyManager;
        private final Statement statement;
        private final String copySql;
        private final String mergeSql;
        final PgBinary rows = new PgBinary();

        Batcher(Connection connection, String stageDdl, String copySql, String mergeSql) throws SQLException {
            this.connection = connection;
            this.copySql = copySql;
            this.mergeSql = mergeSql;
            connection.setAutoCommit(false);
            statement = connection.createStatement();
            statement.execute(stageDdl);
            connection.commit();
            copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
            rows.begin();
        }

        int pending() {
            return rows.rows();
        }

        void flush() throws SQLException {
            if (rows.rows() == 0) {
                return;
            }
            rows.end();
            CopyIn copy = copyManager.copyIn(copySql);
            try {
                copy.writeToCopy(rows.bytes(), 0, rows.length());
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
            statement.executeUpdate(mergeSql);
            connection.commit();
            rows.begin();
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Encoder<T> encoder;
        private final int batchRows;
        private final long flushIntervalMillis;
        private final ProcessingTimeService time;
        private final Batcher batcher;
        private boolean timerPending;

        Writer(CopyUpsertSink<T> sink, ProcessingTimeService time) throws SQLException {
            this.encoder = sink.encoder;
            this.batchRows = sink.batchRows;
            this.flushIntervalMillis = sink.flushIntervalMillis;
            this.time = time;
            this.batcher = new Batcher(sink.database.connect("quant-signals-copy-sink"), sink.stageDdl, sink.copySql,
                    sink.mergeSql);
        }

        @Override
        public void write(T element, Context context) throws IOException {
            encoder.encode(element, batcher.rows);
            if (batcher.pending() >= batchRows) {
                flushBatch();
            } else if (!timerPending) {
                timerPending = true;
                time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMillis, ts -> {
                    timerPending = false;
                    flushBatch();
                });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            flushBatch();
        }

        private void flushBatch() throws IOException {
            try {
                batcher.flush();
            } catch (SQLException e) {
                throw new IOException("COPY upsert failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws Exception {
            batcher.close();
        }
    }
}
