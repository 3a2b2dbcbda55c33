package io.quantsignals.core.killswitch;

import java.util.UUID;

/**
 * The kill-switch file names of SPEC §8, shared by the job (which obeys them) and ops-cli (which
 * writes them), so both always agree on what a file in the folder means.
 */
public final class KillSwitchNames {

    /** The file that stops every run; {@code KILL_SWITCH.<run id>} stops one. */
    public static final String FILE_NAME = "KILL_SWITCH";
    /** The scope of {@link #FILE_NAME}. */
    public static final String GLOBAL_SCOPE = "ALL";

    private KillSwitchNames() {
    }

    /** The file name for a scope: {@code KILL_SWITCH} (runId null) or {@code KILL_SWITCH.<run id>}. */
    public static String fileName(UUID runId) {
        return runId == null ? FILE_NAME : FILE_NAME + "." + runId;
    }

    /**
     * The scope of a file name: {@link #GLOBAL_SCOPE}, a run id in canonical form, or null for a file
     * that is not a kill switch (including the dot-named temporary files of an atomic write).
     */
    public static String scopeOf(String name) {
        if (name.equals(FILE_NAME)) {
            return GLOBAL_SCOPE;
        }
        if (name.startsWith(FILE_NAME + ".")) {
            try {
                return UUID.fromString(name.substring(FILE_NAME.length() + 1)).toString();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }
}
