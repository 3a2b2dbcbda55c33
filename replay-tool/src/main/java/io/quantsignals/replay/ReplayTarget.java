package io.quantsignals.replay;

import java.util.UUID;

/**
 * Whom a replay is for: one REPLAY run ({@code --run-id}) or every run of a sweep ({@code
 * --sweep-id}). Its ticks and markers carry {@code "replay_run_id"} or {@code "replay_sweep_id"}
 * (contract §3.2); a replay for nobody (null target) marks its ticks {@code "replayed": true}.
 *
 * @param field the message field that carries the id
 * @param id the run or sweep id
 */
record ReplayTarget(String field, UUID id) {

    static ReplayTarget run(UUID runId) {
        return new ReplayTarget("replay_run_id", runId);
    }

    static ReplayTarget sweep(UUID sweepId) {
        return new ReplayTarget("replay_sweep_id", sweepId);
    }

    /** For messages: "run R" or "sweep S". */
    String describe() {
        return (field.equals("replay_run_id") ? "run " : "sweep ") + id;
    }
}
