package io.quantsignals.core.run;

import io.quantsignals.core.params.StrategyParams;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code strategy_runs}. {@code endedAt} is null while the run is active. */
public record StrategyRun(
        UUID id,
        String strategy,
        RunType runType,
        StrategyParams params,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        Instant endedAt) {

    public boolean active() {
        return endedAt == null;
    }
}
