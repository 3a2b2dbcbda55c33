package io.quantsignals.core.strategy;

/**
 * Everything one completed bar produces for one (run, symbol).
 *
 * @param metric the bar's {@code strategy_metrics} row (always exactly one)
 * @param transition the bar's position change, or {@code null} when the position did not change
 * @param riskHaltTriggered whether this bar's drawdown breached {@code max_drawdown} and halted the
 *     symbol (SPEC §5 step 8); true on that one bar only, so the job can record one event. The
 *     forced exit itself happens on the next bar, as a transition with reason RISK_LIMIT.
 */
public record BarResult(MetricRow metric, PositionTransition transition, boolean riskHaltTriggered) {
}
