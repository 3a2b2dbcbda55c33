package io.quantsignals.job.killswitch;

/** One {@code kill_switch_events} row (Flink POJO). */
public class KillSwitchEvent {
    public static final String ENGAGED = "ENGAGED";
    public static final String RELEASED = "RELEASED";
    public static final String SOURCE_FILE = "FILE";
    public static final String SOURCE_RISK_LIMIT = "RISK_LIMIT";

    public long eventTimeMillis;
    /** Null for the global switch. */
    public String runId;
    public String action;
    public String source;
    public String reason;

    public KillSwitchEvent() {
    }

    public KillSwitchEvent(long eventTimeMillis, String runId, String action, String source, String reason) {
        this.eventTimeMillis = eventTimeMillis;
        this.runId = runId;
        this.action = action;
        this.source = source;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "KillSwitchEvent{" + action + " " + (runId == null ? "ALL" : runId) + " " + source + " " + reason + "}";
    }
}
