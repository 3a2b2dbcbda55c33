package io.quantsignals.job.killswitch;

/** One engaged kill-switch file (SPEC §8) as the job saw it. */
public class KillSwitchFile {
    /** {@link KillSwitches#GLOBAL} or the run id the file names. */
    public String scope;
    /** When the file was written (its last-modified time): the engagement's time in every row. */
    public long engagedAtMillis;
    /** From the file's JSON; empty when the file is empty or unreadable (it still engages). */
    public String reason = "";
    public String createdBy = "";

    public KillSwitchFile() {
    }

    public KillSwitchFile(String scope, long engagedAtMillis, String reason, String createdBy) {
        this.scope = scope;
        this.engagedAtMillis = engagedAtMillis;
        this.reason = reason;
        this.createdBy = createdBy;
    }

    @Override
    public String toString() {
        return "KillSwitchFile{" + scope + " at " + engagedAtMillis + " '" + reason + "' by " + createdBy + "}";
    }
}
