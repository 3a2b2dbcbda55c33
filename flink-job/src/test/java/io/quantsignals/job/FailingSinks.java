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
 * The production sinks, with strategy_metrics (the signal pipeline) and, if {@code ticksFailAfter}
 * is positive, price_ticks (the tick archive) each failing once after that many rows
 * ({@link FailOnceSink}, counters named {@link #METRICS} and {@link #PRICE_TICKS}).
 */
record FailingSinks(PostgresSinks real, long metricsFailAfter, long ticksFailAfter) implements JobSinks {

    static final String METRICS = "strategy_metrics";
    static final String PRICE_TICKS = "price_ticks";

    static FailingSinks metricsFailingAfter(PostgresSinks real, long failAfter) {
        return new FailingSinks(real, failAfter, 0);
    }

    public Sink<Tick> priceTicks() {
        return ticksFailAfter > 0 ? new FailOnceSink<>(PRICE_TICKS, real.priceTicks(), ticksFailAfter) : real.priceTicks();
    }

    public Sink<RejectedTick> rejectedTicks() {
        return real.rejectedTicks();
    }

    public Sink<MetricRecord> metrics() {
        return new FailOnceSink<>(METRICS, real.metrics(), metricsFailAfter);
    }

    public Sink<TransitionRecord> transitions() {
        return real.transitions();
    }

    public Sink<KillSwitchEvent> killSwitchEvents() {
        return real.killSwitchEvents();
    }

    @Override
    public Sink<PeriodSummary> runSummaries() {
        return real.runSummaries();
    }
}
