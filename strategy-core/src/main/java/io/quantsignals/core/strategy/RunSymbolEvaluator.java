package io.quantsignals.core.strategy;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.PositionTransition.Reason;

import java.util.ArrayList;
import java.util.List;

/**
 * One (run, symbol) of the streaming job, without Flink: ticks into event-time bars (live runs),
 * completed bars into the {@link SmaCrossStrategy}, the results kept for the caller to turn into rows. The job's
 * operator is a thin adapter around it: it loads a {@link RunSymbolState}, opens an evaluator over
 * it, calls one step, emits {@link #completedBars()} and writes the state back.
 *
 * <p><b>Live runs</b> follow the job's watermark: {@link #isLate} tells whether a tick's bar has
 * completed; {@link #addLiveTick} adds it to its pending bar and says when that bar ends (the caller
 * sets a timer); {@link #completeBars} completes what a watermark completes.
 *
 * <p><b>REPLAY runs</b> get their bars from a {@link ReplayBars} on the replay's own clock, built
 * once for every run of a replay stream (one run, or every run of a sweep with one bar interval):
 * {@link #onReplayBars}.
 *
 * <p>An evaluator opened with newer params than the state last saw (a run update) applies them from
 * the next bar on and lifts a risk halt ({@link #riskHaltLiftedAt()}).
 */
public final class RunSymbolEvaluator {

    /** {@link #addLiveTick}'s answer when the tick joined a bar that was already pending. */
    public static final long NO_NEW_BAR = Long.MIN_VALUE;

    private final RunSymbolState state;
    private final StrategyParams params;
    private final SmaCrossStrategy strategy;
    private final long maxOutOfOrdernessMillis;
    private final long riskHaltLiftedAt;
    /** Null until a bar completes: most steps (a live tick joining its bar) complete none, and this runs per tick and run. */
    private List<BarResult> completed;

    /**
     * Opens {@code state} for evaluation with the run's current {@code params} (of {@code
     * paramsVersion}) and kill-switch flag; modifies {@code state} in place (the caller writes it back).
     */
    public RunSymbolEvaluator(RunSymbolState state, StrategyParams params, long paramsVersion, boolean killSwitchEngaged,
                              long maxOutOfOrdernessMillis) {
        this.state = state;
        this.params = params;
        this.maxOutOfOrdernessMillis = maxOutOfOrdernessMillis;
        long lifted = Long.MIN_VALUE;
        if (state.strategy == null) {
            strategy = new SmaCrossStrategy(params);
            state.strategy = strategy.state();
            state.strategy.paramsVersion = paramsVersion;
        } else {
            SmaCrossState stored = state.strategy;
            strategy = new SmaCrossStrategy(params, stored);
            if (stored.paramsVersion != paramsVersion) {
                // The run was updated since this (run, symbol) last saw it: new params from the next bar on.
                if (stored.haltedByRisk) {
                    lifted = Math.max(stored.latestTickTime, stored.lastBarTime);
                }
                strategy.applyParams(params);
                stored.paramsVersion = paramsVersion;
            }
        }
        strategy.setKillSwitchEngaged(killSwitchEngaged);
        this.riskHaltLiftedAt = lifted;
    }

    /** When the params update this evaluator applied lifted a risk halt (the latest time the state knew); else Long.MIN_VALUE. */
    public long riskHaltLiftedAt() {
        return riskHaltLiftedAt;
    }

    /** Whether a tick at {@code ts} is late: its bar is complete at {@code watermark}, or not after the last bar completed. */
    public boolean isLate(long ts, long watermark) {
        long interval = params.barIntervalMillis();
        SmaCrossState s = state.strategy;
        return Bars.isLate(ts, interval, watermark) || (s.hasPreviousBar && Bars.barTimeOf(ts, interval) <= s.lastBarTime);
    }

    /**
     * A live tick that is not late joins its pending bar.
     *
     * @return the event time at which a bar this tick opened completes (the caller's timer), or
     *         {@link #NO_NEW_BAR}
     */
    public long addLiveTick(long ts, long priceScaled) {
        long interval = params.barIntervalMillis();
        long barTime = Bars.barTimeOf(ts, interval);
        strategy.observeTick(ts, priceScaled);
        return state.pending.add(barTime, ts, priceScaled) ? Bars.lastTimestampOf(barTime, interval) : NO_NEW_BAR;
    }

    /**
     * Completed bars of the replay stream this REPLAY run evaluates (built once for every run of the
     * stream by {@link ReplayBars}), oldest first; {@code stream}'s latest tick becomes this run's
     * latest price (a flatten's).
     */
    public void onReplayBars(PendingBar[] bars, ReplayBarsState stream) {
        if (stream.hasLatestTick) {
            strategy.observeTick(stream.latestTickTime, stream.latestTickPrice);
        }
        for (PendingBar bar : bars) {
            addCompleted(strategy.onBar(bar.barTime, bar.closePrice));
        }
    }

    /** Feeds the pending bars complete at {@code watermark} to the strategy, oldest first. */
    public void completeBars(long watermark) {
        if (state.pending.size() == 0) {
            return;
        }
        for (PendingBar bar : state.pending.removeComplete(params.barIntervalMillis(), watermark)) {
            addCompleted(strategy.onBar(bar.barTime, bar.closePrice));
        }
    }

    private void addCompleted(BarResult result) {
        if (completed == null) {
            completed = new ArrayList<>(1);
        }
        completed.add(result);
    }

    /** Closes the position at once, at the latest tick price (kill switch, run ended); null if flat already. */
    public PositionTransition flatten(long eventTimeMillis, Reason reason) {
        return strategy.flatten(eventTimeMillis, reason);
    }

    /** The time of the latest tick this (run, symbol) saw. */
    public long latestTickTime() {
        return state.strategy.latestTickTime;
    }

    /** The bars completed by this evaluator's steps, in time order. */
    public List<BarResult> completedBars() {
        return completed == null ? List.of() : completed;
    }

    /** Whether a step left anything to emit: a completed bar or a lifted risk halt. */
    public boolean hasOutput() {
        return completed != null || riskHaltLiftedAt != Long.MIN_VALUE;
    }
}
