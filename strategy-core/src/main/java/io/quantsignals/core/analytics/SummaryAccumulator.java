package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The per-(run, symbol) producer of {@code strategy_run_summaries} ({@link PeriodSummary}): what a
 * sweep's job keeps instead of a metric row per bar ({@code --store-metrics summary}, issue 12).
 *
 * <p><b>Shape.</b> All memory lives in a {@link SummaryState} (a Flink-friendly POJO the job keeps in
 * keyed state beside the strategy's {@code SmaCrossState}); this class is the logic. It is cheap to
 * build, so the job can wrap the stored state on each element:
 * <pre>{@code
 * SummaryState stored = summaryState.value();                 // null for a new key
 * SummaryAccumulator acc = new SummaryAccumulator(stored == null ? new SummaryState() : stored, runId, symbol);
 * PositionTransition f = strategy.flatten(time, reason);      // between bars or after the last one
 * if (f != null) acc.transition(f);
 * BarResult r = strategy.onBar(barTime, close);
 * if (r.transition() != null) acc.transition(r.transition()); // the bar's own, BEFORE the bar
 * PeriodSummary done = acc.bar(r.metric());                   // non-null: a period is complete
 * PeriodSummary open = acc.current();                         // at the end marker / when the run ends
 * summaryState.update(acc.state());
 * }</pre>
 *
 * <p><b>Periods.</b> A period is the UTC day of the bars' metric_time ({@link PeriodSummary#periodOf}).
 * {@link #bar} adds a bar to the open period; the first bar of a new day first closes the open period
 * and returns it, complete. {@link #current} is the open period as if the run ended now; it changes
 * nothing, so it may be called any number of times, and more bars may follow.
 *
 * <p><b>Round trips</b> follow {@link RoundTripRules}, the same code {@link RunAnalytics} uses, over
 * the transitions given since the last bar (then dropped, used or not: the rules use every one that
 * matters before or at the next bar). A trade counts in the period of the bar that closed it: a
 * kill-switch flatten between two bars is booked by the next bar, so the trade it closed counts in
 * that bar's period even when the flatten's (wall-clock) time or the previous bar lies in another day.
 * A flatten after the last bar counts in the last bar's period, in {@link #current} only: should a
 * bar follow after all, that bar books it. Open trades count nowhere.
 *
 * <p>Equal to {@link RunAnalytics} over the stored rows (transitions by event time), with one
 * exception the job does not produce in practice: two kill-switch flattens of the same direction
 * whose file times run backwards (a file with an older last-modified time engaged later). The batch
 * walk then gives each trade the other's flatten as its exit (same PnL, other exit time and price);
 * here each trade gets the flatten that actually came before the bar that booked it.
 *
 * <p><b>Exactness.</b> The sums are IEEE double arithmetic in bar order, in the forms written on
 * {@link SummaryState}'s fields and below, so a recomputation from the metric rows in the same order
 * agrees bit for bit: equity {@code E = 1.0 + cumulative_return}; Welford
 * {@code n += 1; δ = r − mean; mean += δ / n; m2 += δ · (r − mean)}; {@code m = min(r, 0.0); downside += m · m};
 * {@code periodDrawdown = min(E / max(startEquity, E up to t) − 1.0)}; trade sums in closing order.
 */
public final class SummaryAccumulator {

    /**
     * The most transitions kept between two bars. The strategy emits at most two for one (run, symbol)
     * between two bars (a flatten, after which the position is 0 and a second flatten returns null,
     * and the next bar's own transition); more means the caller broke that, and is refused.
     */
    public static final int MAX_PENDING = 4;

    private final SummaryState state;
    private final String runId;
    private final String symbol;

    /**
     * @param state the (run, symbol)'s state, used, not copied: {@link #state()} returns the same instance
     * @param runId the strategy run id, copied into the summaries
     * @param symbol the symbol, copied into the summaries (and the round trips)
     */
    public SummaryAccumulator(SummaryState state, String runId, String symbol) {
        this.state = Objects.requireNonNull(state, "state");
        this.runId = Objects.requireNonNull(runId, "runId");
        this.symbol = Objects.requireNonNull(symbol, "symbol");
        if (state.trades == null) {
            state.trades = new RoundTripState();
        }
    }

    /** The per-key state this accumulator reads and updates (the object to store back). */
    public SummaryState state() {
        return state;
    }

    /**
     * One transition of the (run, symbol), in the order the job emits them: a bar's own transition
     * before {@link #bar} for that bar, a flatten (KILL_SWITCH, RUN_ENDED) between bars or after the last.
     *
     * @throws IllegalStateException if {@link #MAX_PENDING} transitions are already waiting for a bar
     */
    public void transition(PositionTransition t) {
        Objects.requireNonNull(t, "transition");
        PendingTransition[] p = state.pending;
        int n = p == null ? 0 : p.length;
        if (n >= MAX_PENDING) {
            throw new IllegalStateException("more than " + MAX_PENDING + " transitions of " + runId + "/" + symbol
                    + " between two bars: " + t);
        }
        PendingTransition[] next = p == null ? new PendingTransition[1] : Arrays.copyOf(p, n + 1);
        next[n] = PendingTransition.of(t);
        state.pending = next;
    }

    /**
     * One completed bar, in time order (strictly increasing metric_time).
     *
     * @return the previous period, complete, when this bar is the first of a new UTC day; else null
     */
    public PeriodSummary bar(MetricRow bar) {
        SummaryState s = state;
        long time = bar.metricTime();
        if (s.hasBar && time <= s.lastBarTime) {
            throw new IllegalStateException("bars must come in increasing time order: bar " + time + " after bar "
                    + s.lastBarTime + " (" + runId + "/" + symbol + ")");
        }
        long period = PeriodSummary.periodOf(time);
        PeriodSummary completed = null;
        if (s.hasBar && period != s.periodStart) {
            completed = summary(s, null);
        }
        if (!s.hasBar || period != s.periodStart) {
            startPeriod(s, period, bar);
        }
        addBar(s, bar);
        RoundTrip closed = RoundTripRules.bar(symbol, s.trades, bar, pendingTransitions());
        s.pending = null;
        if (closed != null) {
            addTrade(s, closed);
        }
        s.hasBar = true;
        s.lastBarTime = time;
        return completed;
    }

    /**
     * Every row the job writes for a (run, symbol) whose bars and transitions are all known (a
     * backtest, a test's reference): the transitions in time order, each before the first bar at or
     * after its time (a bar's own transition has the bar's time), a {@code RUN_ENDED} flatten (which
     * no bar follows) and those after the last bar last; the completed periods, then the open one
     * ({@link #current()}). Empty without bars. A kill-switch flatten is placed by its time, which is
     * right where the file's time falls among the bars (live runs), not for a replay of history.
     */
    public static List<PeriodSummary> ofRows(String runId, String symbol, List<MetricRow> bars,
                                             List<PositionTransition> transitions) {
        SummaryAccumulator summary = new SummaryAccumulator(new SummaryState(), runId, symbol);
        List<PeriodSummary> rows = new ArrayList<>();
        int next = 0;
        for (MetricRow bar : bars) {
            while (next < transitions.size() && transitions.get(next).eventTime() <= bar.metricTime()
                    && transitions.get(next).reason() != PositionTransition.Reason.RUN_ENDED) {
                summary.transition(transitions.get(next++));
            }
            PeriodSummary completed = summary.bar(bar);
            if (completed != null) {
                rows.add(completed);
            }
        }
        while (next < transitions.size()) {
            summary.transition(transitions.get(next++));
        }
        PeriodSummary open = summary.current();
        if (open != null) {
            rows.add(open);
        }
        return rows;
    }

    /**
     * The open period as if the run ended now: with the trade a flatten after the last bar closed (as
     * {@link RunAnalytics} books it), without changing the state. Null before the first bar.
     */
    public PeriodSummary current() {
        SummaryState s = state;
        if (!s.hasBar) {
            return null;
        }
        RoundTrip last = s.pending == null ? null : RoundTripRules.end(symbol, s.trades, pendingTransitions());
        return summary(s, last != null && last.closed() ? last : null);
    }

    private RoundTripRules.Transitions pendingTransitions() {
        PendingTransition[] p = state.pending;
        if (p == null || p.length == 0) {
            return RoundTripRules.Transitions.NONE;
        }
        List<PositionTransition> list = new ArrayList<>(p.length);
        for (PendingTransition t : p) {
            list.add(t.toTransition());
        }
        return new RoundTripRules.Transitions(list);
    }

    private static void startPeriod(SummaryState s, long period, MetricRow first) {
        s.periodStart = period;
        s.bars = 0;
        s.firstBarTime = first.metricTime();
        s.returnMean = 0.0;
        s.returnM2 = 0.0;
        s.downsideSquares = 0.0;
        s.startEquity = s.lastEquity;
        s.maxEquity = Double.NEGATIVE_INFINITY;
        s.minEquity = Double.POSITIVE_INFINITY;
        s.periodPeak = s.lastEquity;
        s.periodDrawdown = Double.POSITIVE_INFINITY;
        s.minDrawdown = Double.POSITIVE_INFINITY;
        s.exposedBars = 0;
        s.firstClose = first.price();
        s.lastClose = first.price();
        s.tradesClosed = 0;
        s.tradesWon = 0;
        s.tradesLost = 0;
        s.wonPnl = 0.0;
        s.lostPnl = 0.0;
        s.pnlSum = 0.0;
        s.durationSumMillis = 0;
        s.bestPnl = 0.0;
        s.bestEntryTime = 0;
        s.bestDurationMillis = 0;
        s.worstPnl = 0.0;
        s.worstEntryTime = 0;
        s.worstDurationMillis = 0;
    }

    private static void addBar(SummaryState s, MetricRow bar) {
        double r = bar.netReturn();
        s.bars++;
        double delta = r - s.returnMean;
        s.returnMean += delta / s.bars;
        s.returnM2 += delta * (r - s.returnMean);
        double down = Math.min(r, 0.0);
        s.downsideSquares += down * down;
        double equity = 1.0 + bar.cumulativeReturn();
        s.maxEquity = Math.max(s.maxEquity, equity);
        s.minEquity = Math.min(s.minEquity, equity);
        s.periodPeak = Math.max(s.periodPeak, equity);
        s.periodDrawdown = Math.min(s.periodDrawdown, equity / s.periodPeak - 1.0);
        s.minDrawdown = Math.min(s.minDrawdown, bar.drawdown());
        if (bar.position() != 0) {
            s.exposedBars++;
        }
        s.lastClose = bar.price();
        s.lastEquity = equity;
    }

    /** Adds a closed trade to {@code s}'s trade columns (best and worst: ties to the earliest entry, as {@link TradeStats}). */
    private static void addTrade(SummaryState s, RoundTrip t) {
        double pnl = t.pnl();
        long duration = t.durationMillis();
        boolean first = s.tradesClosed == 0;
        s.tradesClosed++;
        s.pnlSum += pnl;
        s.durationSumMillis += duration;
        if (pnl > 0) {
            s.tradesWon++;
            s.wonPnl += pnl;
        } else if (pnl < 0) {
            s.tradesLost++;
            s.lostPnl += pnl;
        }
        if (first || pnl > s.bestPnl || (pnl == s.bestPnl && t.entryTime() < s.bestEntryTime)) {
            s.bestPnl = pnl;
            s.bestEntryTime = t.entryTime();
            s.bestDurationMillis = duration;
        }
        if (first || pnl < s.worstPnl || (pnl == s.worstPnl && t.entryTime() < s.worstEntryTime)) {
            s.worstPnl = pnl;
            s.worstEntryTime = t.entryTime();
            s.worstDurationMillis = duration;
        }
    }

    /** The open period of {@code s}, plus {@code extra} (a closed trade) when not null; {@code s} is not changed. */
    private PeriodSummary summary(SummaryState s, RoundTrip extra) {
        SummaryState t = s;
        if (extra != null) {
            t = copyTradeColumns(s);
            addTrade(t, extra);
        }
        boolean trades = t.tradesClosed > 0;
        return new PeriodSummary(runId, symbol, s.periodStart, s.bars, s.firstBarTime, s.lastBarTime, s.returnMean,
                s.returnM2, s.downsideSquares, s.startEquity, s.lastEquity, s.maxEquity, s.minEquity, s.periodDrawdown,
                s.minDrawdown, s.exposedBars, s.firstClose, s.lastClose, t.tradesClosed, t.tradesWon, t.tradesLost,
                t.wonPnl, t.lostPnl, t.pnlSum, t.durationSumMillis,
                trades ? t.bestPnl : null, trades ? t.bestEntryTime : null, trades ? t.bestDurationMillis : null,
                trades ? t.worstPnl : null, trades ? t.worstEntryTime : null, trades ? t.worstDurationMillis : null);
    }

    private static SummaryState copyTradeColumns(SummaryState s) {
        SummaryState c = new SummaryState();
        c.tradesClosed = s.tradesClosed;
        c.tradesWon = s.tradesWon;
        c.tradesLost = s.tradesLost;
        c.wonPnl = s.wonPnl;
        c.lostPnl = s.lostPnl;
        c.pnlSum = s.pnlSum;
        c.durationSumMillis = s.durationSumMillis;
        c.bestPnl = s.bestPnl;
        c.bestEntryTime = s.bestEntryTime;
        c.bestDurationMillis = s.bestDurationMillis;
        c.worstPnl = s.worstPnl;
        c.worstEntryTime = s.worstEntryTime;
        c.worstDurationMillis = s.worstDurationMillis;
        return c;
    }
}
