package io.quantsignals.job.sink;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.db.PgBinary;
import io.quantsignals.core.db.PriceTickRows;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An at-least-once Flink sink that writes through {@link CopyBatchWriter}: binary COPY with an
 * upsert fallback, i.e. the semantics of the JDBC sink's {@code INSERT ... ON CONFLICT DO UPDATE}
 * at COPY speed. Each subtask buffers up to {@code batchRows} rows and writes them when the batch
 * is full, {@code flushInterval} after the first buffered row, and in {@link SinkWriter#flush}
 * (before every checkpoint barrier and at the end of input): so everything before a checkpoint is
 * committed when the checkpoint completes, and rows re-delivered after a restart are merged.
 *
 * <p>Metrics per subtask: {@code rowsWritten}, {@code batchesCopied}, {@code batchesMerged} (and
 * Flink's standard {@code numRecordsSend}).
 */
public final class CopySink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** price_ticks: its columns and natural key (the unique index {@code price_ticks_key}). */
    public static final CopyTable PRICE_TICKS = CopyTable.of("price_ticks", PriceTickRows.COLUMNS,
            List.of("symbol", "event_time", "source", "ingest_seq"));

    /** strategy_metrics: its columns and natural key (the primary key). */
    public static final CopyTable METRICS = CopyTable.of("strategy_metrics",
            List.of("metric_time", "strategy_run_id", "symbol", "price", "sma_fast", "sma_slow", "position",
                    "gross_return", "transaction_cost", "slippage_cost", "net_return", "cumulative_return", "drawdown"),
            List.of("strategy_run_id", "symbol", "metric_time"));

    /** One row per (sweep run, symbol, UTC day), rewritten while the day is open: the merge path's upserts. */
    public static final CopyTable RUN_SUMMARIES = CopyTable.of("strategy_run_summaries",
            List.of("strategy_run_id", "symbol", "period_start", "bars", "first_bar_time",
                    "last_bar_time", "return_mean", "return_m2", "downside_squares", "start_equity",
                    "end_equity", "max_equity", "min_equity", "period_drawdown", "min_drawdown",
                    "exposed_bars", "first_close", "last_close", "trades_closed", "trades_won",
                    "trades_lost", "won_pnl", "lost_pnl", "pnl_sum", "duration_sum_ms",
                    "best_pnl", "best_entry_time", "best_duration_ms", "worst_pnl", "worst_entry_time",
                    "worst_duration_ms"),
            List.of("strategy_run_id", "symbol", "period_start"));

    private final DatabaseSettings database;
    private final CopyTable table;
    private final CopyBatchWriter.Encoder<T> encoder;
    private final int batchRows;
    private final long flushIntervalMillis;

    public CopySink(DatabaseSettings database, CopyTable table, CopyBatchWriter.Encoder<T> encoder, int batchRows,
                    Duration flushInterval) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be at least 1, not " + batchRows);
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flushInterval must be positive, not " + flushInterval);
        }
        this.database = Objects.requireNonNull(database, "database");
        this.table = Objects.requireNonNull(table, "table");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.batchRows = batchRows;
        this.flushIntervalMillis = flushInterval.toMillis();
    }

    /** price_ticks: a live tick's time, symbol, price, volume (or null), source and Kafka position. */
    public static CopySink<Tick> priceTicks(DatabaseSettings db, int batchRows, Duration flushInterval) {
        return new CopySink<>(db, PRICE_TICKS, CopySink::encodeTick, batchRows, flushInterval);
    }

    /** strategy_metrics: one completed bar's row. */
    public static CopySink<MetricRecord> metrics(DatabaseSettings db, int batchRows, Duration flushInterval) {
        return new CopySink<>(db, METRICS, CopySink::encodeMetric, batchRows, flushInterval);
    }

    /** One row of {@link #PRICE_TICKS}, encoded as {@code ops-cli prices import} encodes its rows. */
    public static void encodeTick(Tick t, PgBinary out) {
        PriceTickRows.encode(out, t.tsMillis, t.symbol.getBytes(StandardCharsets.UTF_8), t.priceScaled, t.volume,
                t.source.getBytes(StandardCharsets.UTF_8), t.sourceSeq);
    }

    /** One row of {@link #METRICS}. */
    public static void encodeMetric(MetricRecord m, PgBinary out) {
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

    /** strategy_run_summaries: one period of a sweep's (run, symbol). */
    public static CopySink<PeriodSummary> runSummaries(DatabaseSettings db, int batchRows, Duration flushInterval) {
        return new CopySink<>(db, RUN_SUMMARIES, CopySink::encodeSummary, batchRows, flushInterval);
    }

    /** One row of {@link #RUN_SUMMARIES}. */
    public static void encodeSummary(PeriodSummary p, PgBinary out) {
        out.row(31);
        out.uuidField(p.runId());
        out.textField(p.symbol());
        out.timestampMillisField(p.periodStart());
        out.int8Field(p.bars());
        out.timestampMillisField(p.firstBarTime());
        out.timestampMillisField(p.lastBarTime());
        out.float8Field(p.returnMean());
        out.float8Field(p.returnM2());
        out.float8Field(p.downsideSquares());
        out.float8Field(p.startEquity());
        out.float8Field(p.endEquity());
        out.float8Field(p.maxEquity());
        out.float8Field(p.minEquity());
        out.float8Field(p.periodDrawdown());
        out.float8Field(p.minDrawdown());
        out.int8Field(p.exposedBars());
        out.float8Field(p.firstClose());
        out.float8Field(p.lastClose());
        out.int4Field(p.tradesClosed());
        out.int4Field(p.tradesWon());
        out.int4Field(p.tradesLost());
        out.float8Field(p.wonPnl());
        out.float8Field(p.lostPnl());
        out.float8Field(p.pnlSum());
        out.int8Field(p.durationSumMillis());
        out.float8OrNull(p.bestPnl());
        timestampOrNull(p.bestEntryTime(), out);
        int8OrNull(p.bestDurationMillis(), out);
        out.float8OrNull(p.worstPnl());
        timestampOrNull(p.worstEntryTime(), out);
        int8OrNull(p.worstDurationMillis(), out);
    }

    private static void timestampOrNull(Long epochMillis, PgBinary out) {
        if (epochMillis == null) {
            out.nul();
        } else {
            out.timestampMillisField(epochMillis);
        }
    }

    private static void int8OrNull(Long value, PgBinary out) {
        if (value == null) {
            out.nul();
        } else {
            out.int8Field(value);
        }
    }

    public CopyTable table() {
        return table;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        String applicationName = "quant-signals-copy-" + table.table();
        CopyBatchWriter<T> writer = new CopyBatchWriter<>(() -> database.connect(applicationName), table, encoder);
        return new Writer<>(writer, batchRows, flushIntervalMillis, context.getProcessingTimeService(),
                context.metricGroup());
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final CopyBatchWriter<T> writer;
        private final int batchRows;
        private final long flushIntervalMillis;
        private final ProcessingTimeService time;
        private final Counter rowsWritten;
        private final Counter batchesCopied;
        private final Counter batchesMerged;
        private final Counter numRecordsSend;
        private boolean timerPending;
        private boolean closed;

        Writer(CopyBatchWriter<T> writer, int batchRows, long flushIntervalMillis, ProcessingTimeService time,
               SinkWriterMetricGroup metrics) {
            this.writer = writer;
            this.batchRows = batchRows;
            this.flushIntervalMillis = flushIntervalMillis;
            this.time = time;
            this.rowsWritten = metrics.counter("rowsWritten");
            this.batchesCopied = metrics.counter("batchesCopied");
            this.batchesMerged = metrics.counter("batchesMerged");
            this.numRecordsSend = metrics.getNumRecordsSendCounter();
        }

        @Override
        public void write(T element, Context context) throws IOException {
            writer.add(element);
            if (writer.pendingRows() >= batchRows) {
                flushBatch();
            } else if (!timerPending) {
                timerPending = true;
                time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMillis, ts -> {
                    timerPending = false;
                    if (!closed) {
                        flushBatch();
                    }
                });
            }
        }

        /** Called before every checkpoint barrier and at the end of input: what makes at-least-once hold. */
        @Override
        public void flush(boolean endOfInput) throws IOException {
            flushBatch();
        }

        private void flushBatch() throws IOException {
            long rows = writer.rowsWritten();
            long copied = writer.batchesCopied();
            long merged = writer.batchesMerged();
            writer.flush();
            rowsWritten.inc(writer.rowsWritten() - rows);
            numRecordsSend.inc(writer.rowsWritten() - rows);
            batchesCopied.inc(writer.batchesCopied() - copied);
            batchesMerged.inc(writer.batchesMerged() - merged);
        }

        @Override
        public void close() {
            closed = true;
            writer.close();
        }
    }
}
