package io.quantsignals.job.control;

import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.runs.RunsSnapshot;

/**
 * What is broadcast to every strategy operator: exactly one of a runs snapshot or a kill-switch
 * snapshot (one broadcast input carries both, as a keyed broadcast function has only one).
 */
public class ControlEvent {
    public RunsSnapshot runs;
    public KillSwitchSnapshot killSwitch;

    public ControlEvent() {
    }

    public static ControlEvent of(RunsSnapshot runs) {
        ControlEvent e = new ControlEvent();
        e.runs = runs;
        return e;
    }

    public static ControlEvent of(KillSwitchSnapshot killSwitch) {
        ControlEvent e = new ControlEvent();
        e.killSwitch = killSwitch;
        return e;
    }
}
