package io.quantsignals.core.analytics;

/**
 * Everything {@link SummaryAccumulator} remembers about one (strategy run, symbol) of a sweep with
 * {@code store_metrics = summary}: the open period's running sums (the columns of
 * {@link PeriodSummary}, see its javadoc for each one's definition), the equity before that period,
 * the round-trip state, and the transitions given since the last bar.
 *
 * <p>Why a bare data class: the Flink job keeps one of these per (run, symbol) in keyed state beside
 * the strategy's {@code SmaCrossState}, and Flink serializes it efficiently (and evolves its schema)
 * only if it is a valid POJO: public class, public no-arg constructor, public non-final fields of
 * POJO-friendly types. It has no Flink imports so that this module stays Flink-free. All the logic
 * lives in {@link SummaryAccumulator}; read the fields for inspection and tests, but change them
 * only through the accumulator.
 *
 * <p>Size: constant. A fixed set of scalars, a {@link RoundTripState}, and at most
 * {@link SummaryAccumulator#MAX_PENDING} pending transitions (in practice at most two: a flatten
 * between two bars and the next bar's own transition; the array is emptied at every bar).
 *
 * <p>The no-arg constructor yields a valid "nothing seen yet" state ({@link #bars} 0, equity 1).
 */
public class SummaryState {

    /** The round trips' state: previous position and close, the open trade. */
    public RoundTripState trades = new RoundTripState();
    /** The transitions given since the last bar, in the order given; null when there are none. */
    public PendingTransition[] pending;

    /** Whether a bar has been seen (the period fields are valid only then). */
    public boolean hasBar;
    /** The last bar's time, to insist on increasing bar times. */
    public long lastBarTime;
    /** The last bar's equity ({@code 1 + cumulative_return}); 1 before the first bar. */
    public double lastEquity = 1.0;

    // The open period: PeriodSummary's columns so far.
    public long periodStart;
    public long bars;
    public long firstBarTime;
    /** Welford's running mean of net_return: {@code mean += (r − mean) / n}. */
    public double returnMean;
    /** Welford's M2: {@code m2 += (r − mean_before) · (r − mean_after)}. */
    public double returnM2;
    public double downsideSquares;
    public double startEquity = 1.0;
    public double maxEquity;
    public double minEquity;
    /** {@code max(startEquity, max E up to the last bar)}: the peak {@link #periodDrawdown} is measured from. */
    public double periodPeak;
    public double periodDrawdown;
    public double minDrawdown;
    public long exposedBars;
    public double firstClose;
    public double lastClose;
    public int tradesClosed;
    public int tradesWon;
    public int tradesLost;
    public double wonPnl;
    public double lostPnl;
    public double pnlSum;
    public long durationSumMillis;
    /** The best closed trade of the period; valid only when {@link #tradesClosed} &gt; 0 (so are the worst's). */
    public double bestPnl;
    public long bestEntryTime;
    public long bestDurationMillis;
    public double worstPnl;
    public long worstEntryTime;
    public long worstDurationMillis;

    /** A fresh state (also what Flink's POJO serializer instantiates before setting the fields). */
    public SummaryState() {
    }
}
