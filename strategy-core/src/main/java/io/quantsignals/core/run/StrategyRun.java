package io.quantsignals.core.run;

import io.quantsignals.core.params.StrategyParams;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code strategy_runs}. {@code endedAt} is null while the run is active; {@code sweepId}
 * and {@code storeMetrics} (its sweep's) are null for a run created on its own.
 */
public record StrategyRun(
        UUID id,
        String strategy,
        RunType runType,
        StrategyParams params,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        Instant endedAt,
        UUID sweepId,
        StoreMetrics storeMetrics) {

    public boolean active() {
        return endedAt == null;
    }
}
