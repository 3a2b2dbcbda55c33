package io.quantsignals.ops.killswitch;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * One kill-switch file as found in the folder (SPEC §8).
 *
 * @param runId the run it stops, or null for {@code KILL_SWITCH} (every run)
 * @param file the file
 * @param modifiedAt its last-modified time truncated to milliseconds: the time the job records as
 *     the engagement's {@code event_time}, and so the key for its acknowledgement
 * @param readable whether the content is the JSON object of SPEC §8; an unreadable or empty file
 *     still engages (fail safe)
 * @param reason from the file; "(unreadable file)" when it is not readable
 * @param createdBy from the file, or null
 * @param createdAt from the file, or null when absent or not an ISO-8601 instant
 */
public record EngagedSwitch(UUID runId, Path file, Instant modifiedAt, boolean readable, String reason,
                            String createdBy, Instant createdAt) {

    public static final String UNREADABLE_REASON = "(unreadable file)";

    /** {@code ALL} or the run id, as the job names scopes. */
    public String scope() {
        return runId == null ? KillSwitchFolder.GLOBAL_SCOPE : runId.toString();
    }

    /** "all runs" or "run &lt;id&gt;", for messages. */
    public String scopeDescription() {
        return describe(runId);
    }

    /** Since when it is engaged: the file's created_at, else its last-modified time. */
    public Instant since() {
        return createdAt != null ? createdAt : modifiedAt;
    }

    static String describe(UUID runId) {
        return runId == null ? "all runs" : "run " + runId;
    }
}
