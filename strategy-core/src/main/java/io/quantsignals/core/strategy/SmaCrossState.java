package io.quantsignals.core.strategy;

/**
 * Everything {@link SmaCrossStrategy} remembers about one (strategy run, symbol) between bars.
 *
 * <p>Why a bare data class: the Flink job keeps one of these per key in keyed state, and Flink
 * serializes it efficiently (and evolves its schema) only if it is a valid POJO: public class,
 * public no-arg constructor, public non-final fields of POJO-friendly types. It has no Flink
 * imports so that this module stays Flink-free. All the logic lives in {@link SmaCrossStrategy};
 * read the fields for inspection and tests, but change them only through the strategy.
 *
 * <p>Size: the closes ring holds exactly {@code sma_slow_window} longs; everything else is a
 * fixed handful of scalars, so per-key state is O(slow window).
 *
 * <p>The no-arg constructor yields a valid "nothing seen yet" state (equity 1, regime undefined);
 * the closes ring is created by the strategy on first use, sized from its parameters.
 */
public class SmaCrossState {

    /** {@link #regime} before any regime is defined (SMAs not yet both defined). */
    public static final int REGIME_UNDEFINED = Integer.MIN_VALUE;

    /** The last slow-window closes and the exact fast/slow running sums. */
    public ExactSmaPair closes;

    /** Whether a bar has completed yet; {@link #previousClose} and {@link #lastBarTime} are valid only then. */
    public boolean hasPreviousBar;
    /** {@code c_{t-1}}: the previous bar's close as a double. */
    public double previousClose;
    /** The previous bar's time, to insist that bars arrive in strictly increasing time order. */
    public long lastBarTime;

    /** The current position ({@code pos_{t-1}} for the next bar): -1, 0 or 1. */
    public int position;
    /** {@code d_{t-1}}: -1, 0, 1, or {@link #REGIME_UNDEFINED}. 0 is the bearish regime when shorting is off. */
    public int regime = REGIME_UNDEFINED;
    /** Consecutive bars, ending at the last bar, whose regime equals {@link #regime}; 0 while undefined. */
    public long streak;

    /** {@code equity_{t-1}}, 1 before the first bar. */
    public double equity = 1.0;
    /** {@code max_{s<=t-1} equity_s}, 1 before the first bar. */
    public double peakEquity = 1.0;

    /** A max_drawdown breach halted this symbol: position forced to 0 until the params are updated. */
    public boolean haltedByRisk;
    /** A kill switch covering this run is engaged: no position is opened. */
    public boolean killSwitchEngaged;

    /** Whether a tick has been observed; {@link #latestTickTime}/{@link #latestTickPrice} are valid only then. */
    public boolean hasLatestTick;
    /** Event time of the latest tick (greatest time; equal times: the last to arrive). */
    public long latestTickTime;
    /** That tick's scaled price: the price a flatten executes at (SPEC §8 "the latest price the job has"). */
    public long latestTickPrice;

    /**
     * A flatten happened since the last bar; the next bar accounts for it (SPEC §8: "the bar in
     * which a flatten happens accounts the old position up to the flatten price and carries the
     * flatten's costs").
     */
    public boolean flattenPending;
    /** The position the flatten closed (earns {@code c_{t-1} → flattenPrice} on the next bar). */
    public int positionBeforeFlatten;
    /** The flatten price as a double. */
    public double flattenPrice;
    /** The flatten's transaction cost, added to the next bar's. */
    public double flattenTransactionCost;
    /** The flatten's slippage cost, added to the next bar's. */
    public double flattenSlippageCost;

    /**
     * Free for the job: which revision of the run's parameters this state last had applied (for
     * example {@code strategy_runs.updated_at} in epoch milliseconds). The strategy never reads it;
     * it lets the job apply a parameter update lazily, on each key's next element (see
     * {@link SmaCrossStrategy}).
     */
    public long paramsVersion;

    /** A fresh state (also what Flink's POJO serializer instantiates before setting the fields). */
    public SmaCrossState() {
    }
}
