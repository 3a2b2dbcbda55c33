package io.quantsignals.core.strategy;

/**
 * One position change of one (run, symbol): a row of {@code strategy_positions_stream}
 * (SPEC §4, §5 step 9, §8), minus the run id and symbol.
 *
 * @param eventTime epoch milliseconds: the bar time for SIGNAL and RISK_LIMIT, the time the caller
 *     gave for a flatten (KILL_SWITCH, RUN_ENDED)
 * @param fromPosition position before, -1, 0 or 1
 * @param toPosition position after, -1, 0 or 1 (a long→short flip is one row with Δ = 2)
 * @param price the bar close, or the latest tick price for a flatten
 * @param fillPrice {@code price · (1 + sign(to − from) · slippage_bps / 10⁴)}
 * @param transactionCost {@code Δ · transaction_cost_bps / 10⁴} of this change alone
 * @param slippageCost {@code Δ · slippage_bps / 10⁴} of this change alone
 * @param reason why the position changed
 */
public record PositionTransition(
        long eventTime,
        int fromPosition,
        int toPosition,
        double price,
        double fillPrice,
        double transactionCost,
        double slippageCost,
        Reason reason) {

    /** The {@code reason} column's values (SPEC §4); {@link #name()} is the stored text. */
    public enum Reason {
        /** A confirmed regime change (SPEC §5 step 4). */
        SIGNAL,
        /** A kill-switch flatten (SPEC §8). */
        KILL_SWITCH,
        /** The exit forced by a max_drawdown breach (SPEC §5 step 8). */
        RISK_LIMIT,
        /** The flatten when a run is ended. */
        RUN_ENDED
    }
}
