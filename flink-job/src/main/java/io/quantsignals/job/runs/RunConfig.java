package io.quantsignals.job.runs;

import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StrategyRun;

/**
 * An active strategy run as the job sees it: id, type and parameters, with {@code version}
 * (the run's {@code updated_at}) telling operators when the parameters changed.
 * A Flink POJO; the parsed parameters are cached in a transient field.
 */
public class RunConfig {
    public String runId;
    public String runType;
    public String paramsJson;
    public long version;

    private transient StrategyParams params;

    public RunConfig() {
    }

    public static RunConfig of(StrategyRun run) {
        RunConfig c = new RunConfig();
        c.runId = run.id().toString();
        c.runType = run.runType().name();
        c.paramsJson = StrategyParamsParser.toJson(run.params());
        c.version = run.updatedAt().toEpochMilli();
        c.params = run.params();
        return c;
    }

    public StrategyParams params() {
        if (params == null) {
            try {
                // Stored params carry every key, so no defaults are involved.
                params = StrategyParamsParser.parse(paramsJson, StrategyParamsParser.CostDefaults.ZERO);
            } catch (InvalidParamsException e) {
                throw new IllegalStateException("run " + runId + " has invalid params: " + e.getMessage(), e);
            }
        }
        return params;
    }

    public boolean isReplay() {
        return RunType.REPLAY.name().equals(runType);
    }

    @Override
    public String toString() {
        return "RunConfig{" + runId + " " + runType + " v" + version + " " + paramsJson + "}";
    }
}
