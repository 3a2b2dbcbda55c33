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
     * Processes one completed bar (SPEC §5 steps 1–9).
     *
     * @param barTimeMillis the bar time (bucket start, or the tick time for tick bars); strictly
     *     greater than the previous bar's
     * @param closeScaled the bar's close as a scaled price
     * @return the bar's metric row, its transition (or null) and whether it triggered a risk halt
     */
    public BarResult onBar(long barTimeMillis, long closeScaled) {
        SmaCrossState s = state;
        if (closeScaled <= 0) {
            throw new IllegalArgumentException("close must be a positive scaled price: " + closeScaled);
        }
        if (s.hasPreviousBar && barTimeMillis <= s.lastBarTime) {
            throw new IllegalStateException("bars must arrive in increasing time order: bar "
                    + barTimeMillis + " after bar " + s.lastBarTime);
        }
        double close = ScaledPrice.toDouble(closeScaled);

        // Step 1: exact SMAs, stored as the nearest doubles (null until defined).
        ExactSmaPair sma = s.closes;
        sma.add(closeScaled);
        boolean fastDefined = sma.isFastDefined();
        boolean slowDefined = sma.isSlowDefined();
        Double smaFast = fastDefined ? sma.fastMeanAsDouble() : null;
        Double smaSlow = slowDefined ? sma.slowMeanAsDouble() : null;

        int previousPosition = s.position;

        // Step 2: gross return of the position held since the last bar.
        double grossReturn;
        if (s.flattenPending) {
            // SPEC §8: the old position earns c_{t-1} -> flatten price; after the flatten the
            // position was 0, so its leg (flatten price -> c_t) contributes nothing.
            grossReturn = s.positionBeforeFlatten * (s.flattenPrice / s.previousClose - 1.0);
        } else if (s.hasPreviousBar) {
            grossReturn = previousPosition * (close / s.previousClose - 1.0);
        } else {
            grossReturn = 0.0;
        }

        // Step 3: regime from the exact comparison; an exact tie keeps the previous regime.
        int regime;
        if (fastDefined && slowDefined) {
            int comparison = sma.compareFastToSlow();
            if (comparison > 0) {
                regime = 1;
            } else if (comparison < 0) {
                regime = allowShort ? -1 : 0;
            } else {
                regime = s.regime; // may itself be undefined: then it stays undefined
            }
        } else {
            regime = SmaCrossState.REGIME_UNDEFINED;
        }

        // Step 4: streak (a kept regime counts toward it) and the confirmed position.
        long streak;
        if (regime == SmaCrossState.REGIME_UNDEFINED) {
            streak = 0;
        } else if (regime == s.regime) {
            streak = s.streak + 1;
        } else {
            streak = 1;
        }
        int position;
        Reason reason;
        if (s.haltedByRisk) {
            position = 0; // step 8: no confirmation needed, no re-entry until params are updated
            reason = Reason.RISK_LIMIT;
        } else if (s.killSwitchEngaged) {
            position = 0; // SPEC §8: no position while the switch is engaged
            reason = Reason.KILL_SWITCH;
        } else if (regime != SmaCrossState.REGIME_UNDEFINED && streak >= confirmationWindow) {
            position = regime;
            reason = Reason.SIGNAL;
        } else {
            position = previousPosition;
            reason = Reason.SIGNAL;
        }

        // Step 5: costs of this bar's trade, plus a pending flatten's costs (SPEC §8).
        int delta = Math.abs(position - previousPosition);
        double tradeTransactionCost = delta * transactionCostBps / 1e4;
        double tradeSlippageCost = delta * slippageBps / 1e4;
        double transactionCost = tradeTransactionCost;
        double slippageCost = tradeSlippageCost;
        if (s.flattenPending && delta == 0) {
            transactionCost = s.flattenTransactionCost;
            slippageCost = s.flattenSlippageCost;
        } else if (s.flattenPending) {
            transactionCost = s.flattenTransactionCost + tradeTransactionCost;
            slippageCost = s.flattenSlippageCost + tradeSlippageCost;
        }

        // Steps 6 and 7, in the SPEC's evaluation order.
        double netReturn = grossReturn - transactionCost - slippageCost;
        double equity = s.equity * (1.0 + netReturn);
        double cumulativeReturn = equity - 1.0;
        double peakEquity = equity > s.peakEquity ? equity : s.peakEquity;
        double drawdown = equity / peakEquity - 1.0;

        // Step 8: a breach halts the symbol from the next bar on.
        boolean riskHaltTriggered = riskLimitEnabled && !s.haltedByRisk && drawdown < -maxDrawdown;

        // Step 9: the transition row.
        PositionTransition transition = null;
        if (position != previousPosition) {
            double fillPrice = close * (1.0 + Integer.signum(position - previousPosition) * slippageBps / 1e4);
            transition = new PositionTransition(barTimeMillis, previousPosition, position, close, fillPrice,
                    tradeTransactionCost, tradeSlippageCost, reason);
        }

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
        s.flattenPending = false;
        s.positionBeforeFlatten = 0;
        s.flattenPrice = 0.0;
        s.flattenTransactionCost = 0.0;
        s.flattenSlippageCost = 0.0;

        MetricRow metric = new MetricRow(barTimeMillis, close, smaFast, smaSlow, position, grossReturn,
                transactionCost, slippageCost, netReturn, cumulativeReturn, drawdown);
        return new BarResult(metric, transition, riskHaltTriggered);
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
        double transactionCost = delta * transactionCostBps / 1e4;
        double slippageCost = delta * slippageBps / 1e4;
        double fillPrice = price * (1.0 + Integer.signum(0 - from) * slippageBps / 1e4);

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
