package io.quantsignals.job;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.signal.TransitionRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side outputs the job's operators write to, one per table besides their main output. */
public final class SideOutputs {
    public static final OutputTag<RejectedTick> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(RejectedTick.class));
    public static final OutputTag<TransitionRecord> TRANSITIONS =
            new OutputTag<>("transitions", TypeInformation.of(TransitionRecord.class));
    public static final OutputTag<KillSwitchEvent> KILL_SWITCH_EVENTS =
            new OutputTag<>("kill-switch-events", TypeInformation.of(KillSwitchEvent.class));

    public static final OutputTag<PeriodSummary> RUN_SUMMARIES =
            new OutputTag<>("run-summaries", TypeInformation.of(PeriodSummary.class));

    private SideOutputs() {
    }
}
