package io.quantsignals.job.killswitch;

import java.util.ArrayList;
import java.util.List;

/**
 * Every kill-switch file present in the folder at one moment, or ({@link #unreadable}) the news that
 * the folder could not be read and nothing is known.
 */
public class KillSwitchSnapshot {
    public List<KillSwitchFile> engaged = new ArrayList<>();
    public long readAtMillis;
    /**
     * The folder could not be read: receivers keep what they knew (a kill switch fails closed; an
     * empty snapshot here would release every switch).
     */
    public boolean unreadable;

    public KillSwitchSnapshot() {
    }

    public KillSwitchSnapshot(List<KillSwitchFile> engaged, long readAtMillis) {
        this.engaged = engaged;
        this.readAtMillis = readAtMillis;
    }

    public static KillSwitchSnapshot unreadable(long readAtMillis) {
        KillSwitchSnapshot snapshot = new KillSwitchSnapshot(new ArrayList<>(), readAtMillis);
        snapshot.unreadable = true;
        return snapshot;
    }
}
