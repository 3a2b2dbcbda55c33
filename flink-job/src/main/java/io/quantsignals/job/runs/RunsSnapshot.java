package io.quantsignals.job.runs;

import java.util.ArrayList;
import java.util.List;

/**
 * Every run the job should evaluate, as read from {@code strategy_runs} at one moment. The job
 * broadcasts whole snapshots rather than changes: a lost or repeated snapshot is then harmless, and
 * a run missing from the next snapshot is, by definition, ended.
 */
public class RunsSnapshot {
    public List<RunConfig> runs = new ArrayList<>();
    public long polledAtMillis;

    public RunsSnapshot() {
    }

    public RunsSnapshot(List<RunConfig> runs, long polledAtMillis) {
        this.runs = runs;
        this.polledAtMillis = polledAtMillis;
    }
}
