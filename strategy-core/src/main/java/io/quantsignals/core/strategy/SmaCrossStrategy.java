package io.quantsignals.core.strategy;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.PositionTransition.Reason;

import java.util.Objects;

/**
 * The {@code sma_cross} strategy for one (strategy run, symbol): SPEC §5 steps 1–9 per completed
 * bar, and the kill-switch flatten of SPEC §8.
 *
 * <p><b>Shape.</b> All memory lives in a {@link SmaCrossState} (a Flink-friendly POJO the job keeps
 * in keyed state); this class is the logic plus the run's current {@link StrategyParams}. It is
 * cheap to build, so the job can wrap the stored state on each element:
 * <pre>{@code
 * SmaCrossState stored = valueState.value();                  // null for a new key
 * SmaCrossStrategy strategy = stored == null
 *         ? new SmaCrossStrategy(params)
 *         : new SmaCrossStrategy(params, stored);
 * if (strategy.state().paramsVersion != runVersion) {          // the run was updated since
 *     strategy.applyParams(params);                            // same params object: clears a risk halt
 *     strategy.state().paramsVersion = runVersion;
 * }
 * strategy.observeTick(tickTime, tickPrice);                   // for every accepted tick
 * BarResult r = strategy.onBar(barTime, closeScaled);         // for every completed bar, in time order
 * valueState.update(strategy.state());
 * }</pre>
 *
 * <p><b>Exactness.</b> The regime decision uses the exact decimal means ({@link ExactSmaPair});
 * everything else is IEEE double arithmetic written in exactly the SPEC's order (for example
 * {@code gross = pos_{t-1} · (c_t / c_{t-1} − 1)}, {@code cost = Δ · bps / 10⁴},
 * {@code net = gross − tc − sc}), so that the Flink job and the reference {@link Backtest}
 * agree bit for bit. Note that a flat position facing a falling price yields
 * {@code 0 · (negative) = −0.0} as gross return: that is what the SPEC's formula evaluates to.
 *
 * <p><b>Kill switch (SPEC §8).</b> {@link #setKillSwitchEngaged(boolean)} only records the switch;
 * the job flattens with {@link #flatten(long, Reason)} at once (at the latest observed tick price).
 * While engaged, regime and streak are still computed every bar but the position stays 0. Should a
 * position still be open at a bar while engaged (the job did not flatten), that bar closes it at
 * the close with reason KILL_SWITCH. After release, §5 applies again from the next bar: a regime
 * whose streak already reaches the confirmation window is entered at once. The flatten's
 * accounting goes to the next bar: its gross return is {@code pos_old · (p_flatten / c_{t-1} − 1)}
 * (the position after a flatten is 0, so the SPEC's second leg {@code 0 · (c_t / p_flatten − 1)}
 * is left out) and its costs are the flatten's costs plus that bar's own trade costs, if any.
 *
 * <p><b>Risk limit (SPEC §5 step 8).</b> When a bar's drawdown is below {@code −max_drawdown},
 * {@link BarResult#riskHaltTriggered()} is true and the symbol is halted: from the next bar the
 * position is 0 (that bar earns the old position's return, carries the exit costs, and emits a
 * RISK_LIMIT transition), and it stays 0 while metric rows continue. Only
 * {@link #applyParams(StrategyParams)} lifts the halt. The peak equity is not reset by that, so a
 * drawdown still beyond the (new) limit halts again at the end of the next bar.
 *
 * <p><b>Parameter updates.</b> {@link #applyParams(StrategyParams)} takes effect from the next bar
 * and keeps all state (equity, position, regime, streak, closes). If the windows change, both SMAs
 * are re-seeded from the closes already held: the ring becomes the new slow window long and keeps
 * the most recent min(held, new slow window) closes. While an SMA is undefined after such a change
 * the regime is undefined, the streak is 0 and the position is held (no signal either way). If
 * {@code allow_short} changes, the remembered bearish regime is relabelled (−1 ⇄ 0) so that an
 * exact tie cannot keep a short position the new parameters forbid. A risk halt is cleared.
 * Constructing a strategy over stored state with different windows re-seeds the same way but does
 * not clear a halt (that needs an explicit update).
 */
public final class SmaCrossStrategy {

    private final SmaCrossState state;
    private StrategyParams params;

    // Copies of the parameters read on every bar, so the hot path does not unbox maxDrawdown.
    private int confirmationWindow;
    private double transactionCostBps;
    private double slippageBps;
    private boolean allowShort;
    private boolean riskLimitEnabled;
    private double maxDrawdown;

    /** A strategy with a fresh state (nothing seen yet). */
    public SmaCrossStrategy(StrategyParams params) {
        this(params, new SmaCrossState());
    }

    /**
     * A strategy continuing from stored state (for example restored from Flink keyed state). The
     * state object is used, not copied: {@link #state()} returns the same instance.
     */
    public SmaCrossStrategy(StrategyParams params, SmaCrossState state) {
        this.state = Objects.requireNonNull(state, "state");
        useParams(params);
    }

    /** The per-key state this strategy reads and updates (the object to store back). */
    public SmaCrossState state() {
        return state;
    }

    /** The parameters in effect. */
    public StrategyParams params() {
        return params;
    }

    /** The current position: -1, 0 or 1. */
    public int position() {
        return state.position;
    }

    public boolean isHaltedByRisk() {
        return state.haltedByRisk;
    }

    public boolean isKillSwitchEngaged() {
        return state.killSwitchEngaged;
    }

    /**
     * Remembers a tick's price as the price a flatten would execute at. Call it for every accepted
     * tick. "Latest" is in event time, with the bar-close rule: the greatest time wins and equal
     * times go to the tick that arrived last. No allocation.
     */
    public void observeTick(long tickTimeMillis, long priceScaled) {
        if (priceScaled <= 0) {
            throw new IllegalArgumentException("price must be a positive scaled price: " + priceScaled);
        }
        if (!state.hasLatestTick || Bars.replacesClose(state.latestTickTime, tickTimeMillis)) {
            state.hasLatestTick = true;
            state.latestTickTime = tickTimeMillis;
            state.latestTickPrice = priceScaled;
        }
    }

    /**
     * Processes one completed bar (SPEC §5 steps 1–9, with a pending flatten accounted as in §8).
     * Each step is a method below, called in the SPEC's order. They read the state as the previous
     * bar left it and return what they compute; only {@link #rememberBar} and
     * {@link #clearPendingFlatten} write it, at the end, because several steps read the same
     * previous values (the regime in steps 3 and 4, the halt in steps 4 and 8).
     *
     * @param barTimeMillis the bar time (bucket start, or the tick time for tick bars); strictly
     *     greater than the previous bar's
     * @param closeScaled the bar's close as a scaled price
     * @return the bar's metric row, its transition (or null) and whether it triggered a risk halt
     */
    public BarResult onBar(long barTimeMillis, long closeScaled) {
        requireNextBar(barTimeMillis, closeScaled);
        double close = ScaledPrice.toDouble(closeScaled);
        int previousPosition = state.position;

        // Step 1: SMAs.
        addCloseToSmas(closeScaled);
        Double smaFast = smaFast();
        Double smaSlow = smaSlow();
        // Step 2: gross return.
        double grossReturn = grossReturn(close, previousPosition);
        // Step 3: regime.
        int regime = regime();
        // Step 4: streak and position.
        long streak = streak(regime);
        Reason cause = positionCause();
        int position = cause == Reason.SIGNAL ? signalPosition(regime, streak, previousPosition) : 0;
        // Step 5: costs.
        int delta = Math.abs(position - previousPosition);
        double tradeTransactionCost = tradeCost(delta, transactionCostBps);
        double tradeSlippageCost = tradeCost(delta, slippageBps);
        double transactionCost = barCost(tradeTransactionCost, delta, state.flattenTransactionCost);
        double slippageCost = barCost(tradeSlippageCost, delta, state.flattenSlippageCost);
        // Step 6: net return.
        double netReturn = netReturn(grossReturn, transactionCost, slippageCost);
        // Step 7: equity, cumulative return, drawdown.
        double equity = equity(netReturn);
        double cumulativeReturn = equity - 1.0;
        double peakEquity = peakEquity(equity);
        double drawdown = drawdown(equity, peakEquity);
        // Step 8: risk limit.
        boolean riskHaltTriggered = breachesRiskLimit(drawdown);
        // Step 9: transition.
        PositionTransition transition = transition(barTimeMillis, previousPosition, position, close,
                tradeTransactionCost, tradeSlippageCost, cause);

        rememberBar(barTimeMillis, close, position, regime, streak, equity, peakEquity, riskHaltTriggered);
        clearPendingFlatten();
        MetricRow metric = new MetricRow(barTimeMillis, close, smaFast, smaSlow, position, grossReturn,
                transactionCost, slippageCost, netReturn, cumulativeReturn, drawdown);
        return new BarResult(metric, transition, riskHaltTriggered);
    }

    /** A close is a positive price and bars come in strictly increasing time: the SMAs and returns assume both. */
    private void requireNextBar(long barTimeMillis, long closeScaled) {
        if (closeScaled <= 0) {
            throw new IllegalArgumentException("close must be a positive scaled price: " + closeScaled);
        }
        if (state.hasPreviousBar && barTimeMillis <= state.lastBarTime) {
            throw new IllegalStateException("bars must arrive in increasing time order: bar "
                    + barTimeMillis + " after bar " + state.lastBarTime);
        }
    }

    /** SPEC §5 step 1: the close joins the exact running sums of both windows. */
    private void addCloseToSmas(long closeScaled) {
        state.closes.add(closeScaled);
    }

    /**
     * SPEC §5 step 1: the fast SMA as stored, the nearest double to the exact mean; null (SQL NULL)
     * until F bars exist.
     */
    private Double smaFast() {
        ExactSmaPair sma = state.closes;
        return sma.isFastDefined() ? sma.fastMeanAsDouble() : null;
    }

    /** SPEC §5 step 1: the slow SMA as stored; null until S bars exist. */
    private Double smaSlow() {
        ExactSmaPair sma = state.closes;
        return sma.isSlowDefined() ? sma.slowMeanAsDouble() : null;
    }

    /**
     * SPEC §5 step 2: {@code pos_{t-1} · (c_t / c_{t-1} − 1)}, 0 on the first bar. After a flatten
     * since the last bar (SPEC §8) the old position earns {@code c_{t-1}} → flatten price instead;
     * the position after the flatten was 0, so its leg (flatten price → {@code c_t}) contributes
     * nothing and is not evaluated.
     */
    private double grossReturn(double close, int previousPosition) {
        if (state.flattenPending) {
            return state.positionBeforeFlatten * (state.flattenPrice / state.previousClose - 1.0);
        }
        if (state.hasPreviousBar) {
            return previousPosition * (close / state.previousClose - 1.0);
        }
        return 0.0;
    }

    /**
     * SPEC §5 step 3: the regime from the exact comparison of the means (never the doubles, so it
     * does not depend on rounding); an exact tie keeps the previous regime, which may itself be
     * undefined. Undefined until both SMAs are.
     */
    private int regime() {
        ExactSmaPair sma = state.closes;
        if (!sma.isFastDefined() || !sma.isSlowDefined()) {
            return SmaCrossState.REGIME_UNDEFINED;
        }
        int comparison = sma.compareFastToSlow();
        if (comparison > 0) {
            return 1;
        }
        if (comparison < 0) {
            return allowShort ? -1 : 0;
        }
        return state.regime;
    }

    /** SPEC §5 step 4: consecutive bars in this regime, a bar that kept it by a tie included; 0 while undefined. */
    private long streak(int regime) {
        if (regime == SmaCrossState.REGIME_UNDEFINED) {
            return 0;
        }
        return regime == state.regime ? state.streak + 1 : 1;
    }

    /**
     * What decides the position this bar (SPEC §5 step 4), and so the reason of its transition
     * (step 9): a risk halt (step 8) and an engaged kill switch (§8) force it to 0 without
     * confirmation, the halt first; otherwise the signal does.
     */
    private Reason positionCause() {
        if (state.haltedByRisk) {
            return Reason.RISK_LIMIT;
        }
        if (state.killSwitchEngaged) {
            return Reason.KILL_SWITCH;
        }
        return Reason.SIGNAL;
    }

    /** SPEC §5 step 4: the regime once its streak reaches the confirmation window, else the position held. */
    private int signalPosition(int regime, long streak, int previousPosition) {
        return regime != SmaCrossState.REGIME_UNDEFINED && streak >= confirmationWindow ? regime : previousPosition;
    }

    /** SPEC §5 step 5: the cost of trading {@code delta} units, {@code Δ · bps / 10⁴}. */
    private static double tradeCost(int delta, double bps) {
        return delta * bps / 1e4;
    }

    /**
     * SPEC §5 step 5 with §8: the cost the bar's metric row carries. With a flatten since the last
     * bar that is the flatten's cost, plus the bar's own trade's if it trades (a re-entry after a
     * released switch); otherwise the trade's alone.
     *
     * @param flattenCost the pending flatten's cost of the same kind (read only when one is pending)
     */
    private double barCost(double tradeCost, int delta, double flattenCost) {
        if (state.flattenPending && delta == 0) {
            return flattenCost;
        }
        if (state.flattenPending) {
            return flattenCost + tradeCost;
        }
        return tradeCost;
    }

    /** SPEC §5 step 6: {@code gross − tc − sc}, left to right as written. */
    private static double netReturn(double grossReturn, double transactionCost, double slippageCost) {
        return grossReturn - transactionCost - slippageCost;
    }

    /** SPEC §5 step 7: {@code equity_{t-1} · (1 + net_t)}. */
    private double equity(double netReturn) {
        return state.equity * (1.0 + netReturn);
    }

    /** SPEC §5 step 7: {@code max_{s<=t} equity_s}. */
    private double peakEquity(double equity) {
        return equity > state.peakEquity ? equity : state.peakEquity;
    }

    /** SPEC §5 step 7: {@code equity_t / peak − 1}, 0 or negative. */
    private static double drawdown(double equity, double peakEquity) {
        return equity / peakEquity - 1.0;
    }

    /**
     * SPEC §5 step 8: whether this bar's drawdown breaches {@code max_drawdown}, halting the symbol
     * from the next bar on. An already halted symbol does not trigger again: the halt is reported once.
     */
    private boolean breachesRiskLimit(double drawdown) {
        return riskLimitEnabled && !state.haltedByRisk && drawdown < -maxDrawdown;
    }

    /**
     * SPEC §5 step 9: the transition row when the position changes, at the close, with the bar's own
     * trade costs (a pending flatten's costs were on the flatten's own row); null otherwise.
     */
    private PositionTransition transition(long barTimeMillis, int previousPosition, int position, double close,
                                          double tradeTransactionCost, double tradeSlippageCost, Reason reason) {
        if (position == previousPosition) {
            return null;
        }
        return new PositionTransition(barTimeMillis, previousPosition, position, close,
                fillPrice(close, previousPosition, position), tradeTransactionCost, tradeSlippageCost, reason);
    }

    /**
     * SPEC §5 step 9: {@code price · (1 + sign(to − from) · slippage_bps / 10⁴)}, slippage moving the
     * fill against the trade; also the fill of a flatten (SPEC §8).
     */
    private double fillPrice(double price, int from, int to) {
        return price * (1.0 + Integer.signum(to - from) * slippageBps / 1e4);
    }

    /** The state the next bar reads as "previous" (SPEC §5's {@code t-1} values). */
    private void rememberBar(long barTimeMillis, double close, int position, int regime, long streak, double equity,
                             double peakEquity, boolean riskHaltTriggered) {
        SmaCrossState s = state;
        s.hasPreviousBar = true;
        s.previousClose = close;
        s.lastBarTime = barTimeMillis;
        s.position = position;
        s.regime = regime;
        s.streak = streak;
        s.equity = equity;
        s.peakEquity = peakEquity;
        if (riskHaltTriggered) {
            s.haltedByRisk = true;
        }
    }

    /** SPEC §8: a flatten is accounted in exactly one bar, the one after it; this bar was it. */
    private void clearPendingFlatten() {
        SmaCrossState s = state;
        s.flattenPending = false;
        s.positionBeforeFlatten = 0;
        s.flattenPrice = 0.0;
        s.flattenTransactionCost = 0.0;
        s.flattenSlippageCost = 0.0;
    }

    /**
     * Closes the position at once at the latest observed tick price (SPEC §8), for a kill switch
     * or the end of a run. The next bar accounts for it (see the class comment).
     *
     * <p>If no tick was ever observed the previous close is used (only possible when the job does
     * not call {@link #observeTick}; a position always implies at least one bar).
     *
     * @param eventTimeMillis the transition's {@code event_time}
     * @param reason {@link Reason#KILL_SWITCH} or {@link Reason#RUN_ENDED}
     * @return the transition to 0, or {@code null} if already flat
     */
    public PositionTransition flatten(long eventTimeMillis, Reason reason) {
        if (reason != Reason.KILL_SWITCH && reason != Reason.RUN_ENDED) {
            throw new IllegalArgumentException("a flatten's reason is KILL_SWITCH or RUN_ENDED, not " + reason);
        }
        SmaCrossState s = state;
        int from = s.position;
        if (from == 0) {
            return null;
        }
        double price = s.hasLatestTick ? ScaledPrice.toDouble(s.latestTickPrice) : s.previousClose;
        int delta = Math.abs(from);
        double transactionCost = tradeCost(delta, transactionCostBps);
        double slippageCost = tradeCost(delta, slippageBps);
        double fillPrice = fillPrice(price, from, 0);

        // A second flatten before the next bar is impossible (the position is 0 until then), so
        // one pending slot is enough.
        s.flattenPending = true;
        s.positionBeforeFlatten = from;
        s.flattenPrice = price;
        s.flattenTransactionCost = transactionCost;
        s.flattenSlippageCost = slippageCost;
        s.position = 0;
        return new PositionTransition(eventTimeMillis, from, 0, price, fillPrice, transactionCost, slippageCost,
                reason);
    }

    /**
     * Records whether a kill switch covering this run is engaged. Engaging does not flatten by
     * itself: call {@link #flatten(long, Reason)} with KILL_SWITCH right after.
     */
    public void setKillSwitchEngaged(boolean engaged) {
        state.killSwitchEngaged = engaged;
    }

    /**
     * New parameters from the next bar on, with the state kept; re-seeds the SMAs on a window
     * change and lifts a risk halt (see the class comment).
     */
    public void applyParams(StrategyParams newParams) {
        useParams(newParams);
        state.haltedByRisk = false;
    }

    private void useParams(StrategyParams p) {
        Objects.requireNonNull(p, "params");
        if (p.smaFastWindow() < 1 || p.smaSlowWindow() <= p.smaFastWindow()) {
            throw new IllegalArgumentException("sma windows must satisfy 1 <= sma_fast_window < sma_slow_window, got "
                    + p.smaFastWindow() + " and " + p.smaSlowWindow());
        }
        if (p.smaConfirmationWindow() < 1) {
            throw new IllegalArgumentException("sma_confirmation_window must be >= 1, got " + p.smaConfirmationWindow());
        }
        if (!(p.transactionCostBps() >= 0) || !(p.slippageBps() >= 0)
                || Double.isInfinite(p.transactionCostBps()) || Double.isInfinite(p.slippageBps())) {
            throw new IllegalArgumentException("transaction_cost_bps and slippage_bps must be finite and >= 0");
        }
        this.params = p;
        this.confirmationWindow = p.smaConfirmationWindow();
        this.transactionCostBps = p.transactionCostBps();
        this.slippageBps = p.slippageBps();
        this.allowShort = p.allowShort();
        this.riskLimitEnabled = p.maxDrawdown() != null;
        this.maxDrawdown = riskLimitEnabled ? p.maxDrawdown() : 0.0;

        SmaCrossState s = state;
        if (s.closes == null) {
            s.closes = new ExactSmaPair(p.smaFastWindow(), p.smaSlowWindow());
        } else if (s.closes.fastWindow() != p.smaFastWindow() || s.closes.slowWindow() != p.smaSlowWindow()) {
            s.closes.resize(p.smaFastWindow(), p.smaSlowWindow());
        }
        // The bearish regime is stored as the position it maps to; relabel it for the new allow_short.
        if (allowShort && s.regime == 0) {
            s.regime = -1;
        } else if (!allowShort && s.regime == -1) {
            s.regime = 0;
        }
    }
}
