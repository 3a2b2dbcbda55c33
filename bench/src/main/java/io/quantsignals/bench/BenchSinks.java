package io.quantsignals.bench;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;

/**
 * The job's real {@link PostgresSinks} with at most two of them replaced, to locate the bottleneck:
 * {@link Mode#DISCARD_PRICE_TICKS} drops the one-row-per-tick price_ticks writes (what the pipeline
 * does without them), {@link Mode#DISCARD_TICKS_AND_METRICS} drops strategy_metrics too (the
 * pipeline with tick bars when the database costs nothing), {@link Mode#COPY} writes price_ticks
 * and strategy_metrics through the {@link CopyUpsertSink} prototype instead of batched
 * INSERT ... ON CONFLICT.
 */
final class BenchSinks implements JobSinks {

    private static final long serialVersionUID = 1L;

    enum Mode { DISCARD_PRICE_TICKS, DISCARD_TICKS_AND_METRICS, COPY }

    private final PostgresSinks real;
    private final DatabaseSettings database;
    private final Mode mode;
    private final int batchRows;
    private final long flushIntervalMillis;

    BenchSinks(DatabaseSettings database, int jdbcBatchRows, int copyBatchRows, Duration flushInterval, Mode mode) {
        this.real = new PostgresSinks(database, jdbcBatchRows, flushInterval);
        this.database = database;
        this.mode = mode;
        this.batchRows = copyBatchRows;
        this.flushIntervalMillis = flushInterval.toMillis();
    }

    @Override
    public Sink<Tick> priceTicks() {
        return mode == Mode.COPY ? CopyUpsertSink.priceTicks(database, batchRows, flushIntervalMillis)
                : new DiscardingSink<>();
    }

    @Override
    public Sink<MetricRecord> metrics() {
        return switch (mode) {
            case COPY -> CopyUpsertSink.metrics(database, batchRows, flushIntervalMillis);
            case DISCARD_TICKS_AND_METRICS -> new DiscardingSink<>();
            case DISCARD_PRICE_TICKS -> real.metrics();
        };
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
}
