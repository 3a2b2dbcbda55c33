package io.quantsignals.core.run;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code strategy_sweeps}, with how many runs carry its id.
 *
 * @param grid the stored grid as JSON text (normalised, see {@code sql/003_sweeps.sql})
 */
public record Sweep(UUID id, String strategy, String grid, StoreMetrics storeMetrics, String createdBy,
        Instant createdAt, int runCount) {
}
