package io.quantsignals.job.killswitch;

import java.util.ArrayList;
import java.util.List;

/** Every kill-switch file present in the folder at one moment. */
public class KillSwitchSnapshot {
    public List<KillSwitchFile> engaged = new ArrayList<>();
    public long readAtMillis;

    public KillSwitchSnapshot() {
    }

    public KillSwitchSnapshot(List<KillSwitchFile> engaged, long readAtMillis) {
        this.engaged = engaged;
        this.readAtMillis = readAtMillis;
    }
}
