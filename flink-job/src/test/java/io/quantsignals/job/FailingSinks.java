package io.quantsignals.job;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * The production sinks, with strategy_metrics (the signal pipeline), price_ticks (the tick archive)
 * and strategy_run_summaries (sweeps) each failing once after that many rows if its count is
 * positive ({@link FailOnceSink}, counters named {@link #METRICS}, {@link #PRICE_TICKS} and
 * {@link #RUN_SUMMARIES}).
 */
record FailingSinks(PostgresSinks real, long metricsFailAfter, long ticksFailAfter, long summariesFailAfter)
        implements JobSinks {

    static final String METRICS = "strategy_metrics";
    static final String PRICE_TICKS = "price_ticks";
    static final String RUN_SUMMARIES = "strategy_run_summaries";

    FailingSinks(PostgresSinks real, long metricsFailAfter, long ticksFailAfter) {
        this(real, metricsFailAfter, ticksFailAfter, 0);
    }

    static FailingSinks metricsFailingAfter(PostgresSinks real, long failAfter) {
        return new FailingSinks(real, failAfter, 0);
    }

    static FailingSinks summariesFailingAfter(PostgresSinks real, long failAfter) {
        return new FailingSinks(real, 0, 0, failAfter);
    }

    public Sink<Tick> priceTicks() {
        return ticksFailAfter > 0 ? new FailOnceSink<>(PRICE_TICKS, real.priceTicks(), ticksFailAfter) : real.priceTicks();
    }

    public Sink<RejectedTick> rejectedTicks() {
        return real.rejectedTicks();
    }

    public Sink<MetricRecord> metrics() {
        return metricsFailAfter > 0 ? new FailOnceSink<>(METRICS, real.metrics(), metricsFailAfter) : real.metrics();
    }

    public Sink<TransitionRecord> transitions() {
        return real.transitions();
    }

    public Sink<KillSwitchEvent> killSwitchEvents() {
        return real.killSwitchEvents();
    }

    @Override
    public Sink<PeriodSummary> runSummaries() {
        return summariesFailAfter > 0 ? new FailOnceSink<>(RUN_SUMMARIES, real.runSummaries(), summariesFailAfter)
                : real.runSummaries();
    }
}
