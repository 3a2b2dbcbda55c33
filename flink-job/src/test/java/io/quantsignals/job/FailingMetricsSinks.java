package io.quantsignals.job;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.connector.sink2.Sink;

/** The production sinks, with the metrics sink failing once after {@code failAfter} rows ({@link FailOnceSink}). */
record FailingMetricsSinks(PostgresSinks real, long failAfter) implements JobSinks {
    public Sink<Tick> priceTicks() {
        return real.priceTicks();
    }

    public Sink<RejectedTick> rejectedTicks() {
        return real.rejectedTicks();
    }

    public Sink<MetricRecord> metrics() {
        return new FailOnceSink<>(real.metrics(), failAfter);
    }

    public Sink<TransitionRecord> transitions() {
        return real.transitions();
    }

    public Sink<KillSwitchEvent> killSwitchEvents() {
        return real.killSwitchEvents();
    }
}
