package io.quantsignals.core.analytics;

/**
 * Everything the round-trip rules ({@link RoundTripRules}) remember about one symbol between bars:
 * the previous bar's position and close, and the open trade, if any.
 *
 * <p>Why a bare data class: the streaming side ({@link SummaryAccumulator}) keeps one inside a
 * {@link SummaryState} in Flink keyed state, and Flink serializes it efficiently only if it is a
 * valid POJO: public class, public no-arg constructor, public non-final fields of simple types. No
 * Flink imports, so this module stays Flink-free. The batch side ({@link TradeWalk}, used by
 * {@link RunAnalytics}) keeps one in memory. Read the fields for inspection and tests; change them
 * only through {@link RoundTripRules}.
 *
 * <p>Size: a fixed handful of scalars. The no-arg constructor is the state before the first bar
 * (flat, no trade).
 */
public class RoundTripState {

    /** The previous bar's metric position ({@code p} for the next bar): -1, 0 or 1; 0 before the first bar. */
    public int previousPosition;
    /** The previous bar's close ({@code c_last} of a flatten after the last bar). */
    public double lastClose;

    /** Whether a trade is open; the fields below are valid only then. */
    public boolean open;
    /** The open trade's direction: 1 long, -1 short. */
    public int direction;
    /** Its entry time (the entry bar's time), epoch ms. */
    public long entryTime;
    /** The entry bar's close. */
    public double entryPrice;
    /** The opening transition's fill price, or null without an opening transition. */
    public Double entryFillPrice;
    /** The product of (1 + the trade's share of each bar's net return) so far: its PnL + 1. */
    public double factor;

    /** A fresh state: nothing seen yet (also what Flink's POJO serializer instantiates). */
    public RoundTripState() {
    }
}
