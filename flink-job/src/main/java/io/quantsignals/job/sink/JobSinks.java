package io.quantsignals.job.sink;

import io.quantsignals.core.analytics.PeriodSummary;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import org.apache.flink.api.connector.sink2.Sink;

import java.io.Serializable;

/** Where the job's results go; injected into the job so tests can substitute their own. */
public interface JobSinks extends Serializable {
    Sink<Tick> priceTicks();

    Sink<RejectedTick> rejectedTicks();

    Sink<MetricRecord> metrics();

    Sink<TransitionRecord> transitions();

    Sink<KillSwitchEvent> killSwitchEvents();

    Sink<PeriodSummary> runSummaries();
}
