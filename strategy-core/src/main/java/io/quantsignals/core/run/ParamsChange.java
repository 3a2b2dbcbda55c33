package io.quantsignals.core.run;

import io.quantsignals.core.params.StrategyParams;

import java.time.Instant;

/** One row of {@code strategy_run_params_history}: a create or an update of a run's parameters. */
public record ParamsChange(Instant changedAt, StrategyParams params, String changedBy) {
}
