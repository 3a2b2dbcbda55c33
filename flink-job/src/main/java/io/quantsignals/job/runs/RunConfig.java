package io.quantsignals.job.runs;

import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StoreMetrics;
import io.quantsignals.core.run.StrategyRun;

/**
 * An active strategy run as the job sees it: id, type and parameters, with {@code version}
 * (the run's {@code updated_at}) telling operators when the parameters changed, and for a run of a
 * sweep the sweep and what it keeps of the run's metrics.
 * A Flink POJO; the parsed parameters are cached in a transient field.
 */
public class RunConfig {
    public String runId;
    public String runType;
    public String paramsJson;
    public long version;
    /** The sweep the run belongs to, or null. */
    public String sweepId;
    /** The sweep's store_metrics ({@link StoreMetrics#dbValue()}), or null for a run of its own (every row kept). */
    public String storeMetrics;

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
        c.sweepId = run.sweepId() == null ? null : run.sweepId().toString();
        c.storeMetrics = run.storeMetrics() == null ? null : run.storeMetrics().dbValue();
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

    /** Whether the run writes a strategy_metrics row per bar: a run of its own always, a sweep's run with store_metrics all. */
    public boolean keepsMetricRows() {
        return storeMetrics == null || StoreMetrics.ALL.dbValue().equals(storeMetrics);
    }

    /** Whether the run keeps strategy_run_summaries rows: a sweep's run with store_metrics summary or all. */
    public boolean keepsSummaries() {
        return storeMetrics != null && !StoreMetrics.NONE.dbValue().equals(storeMetrics);
    }

    @Override
    public String toString() {
        return "RunConfig{" + runId + " " + runType + " v" + version + (sweepId == null ? "" : " sweep " + sweepId
                + " store " + storeMetrics) + " " + paramsJson + "}";
    }
}
