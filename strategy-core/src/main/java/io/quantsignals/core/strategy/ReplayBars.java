package io.quantsignals.core.strategy;

/**
 * Builds the bars of a replay on the replay's own clock (contract §7): the greatest tick time seen
 * minus the out-of-orderness, moved to the replay's end by the replay tool's end marker. The tool
 * publishes in event-time order, so this clock, and with it every bar, is the same at any speedup,
 * and a replay neither moves nor waits for the live watermark.
 *
 * <p>The bars do not depend on a run's params beyond the bar interval, so one {@link
 * ReplayBarsState} serves every run of a replay stream with that interval: the job adds each tick
 * once and hands the completed bars to each run's {@link RunSymbolEvaluator#onReplayBars}.
 */
public final class ReplayBars {

    private static final PendingBar[] NONE = new PendingBar[0];

    private final ReplayBarsState state;
    private final long intervalMillis;
    private final long maxOutOfOrdernessMillis;

    /** Opens {@code state} (modified in place; the caller writes it back) for bars of {@code intervalMillis} (0: tick bars). */
    public ReplayBars(ReplayBarsState state, long intervalMillis, long maxOutOfOrdernessMillis) {
        this.state = state;
        this.intervalMillis = intervalMillis;
        this.maxOutOfOrdernessMillis = maxOutOfOrdernessMillis;
    }

    /** Whether a tick at {@code ts} is late: its bar is complete on the clock, or not after the last completed bar. */
    public boolean isLate(long ts) {
        return Bars.isLate(ts, intervalMillis, state.clock)
                || (state.hasLastBar && Bars.barTimeOf(ts, intervalMillis) <= state.lastBarTime);
    }

    /**
     * A tick joins its bar and moves the clock, unless it is late.
     *
     * @return false if the tick is late (nothing changed)
     */
    public boolean add(long ts, long priceScaled) {
        if (isLate(ts)) {
            return false;
        }
        if (!state.hasLatestTick || Bars.replacesClose(state.latestTickTime, ts)) {
            state.hasLatestTick = true;
            state.latestTickTime = ts;
            state.latestTickPrice = priceScaled;
        }
        state.pending.add(Bars.barTimeOf(ts, intervalMillis), ts, priceScaled);
        state.clock = Math.max(state.clock, ts - maxOutOfOrdernessMillis - 1);
        return true;
    }

    /** The replay tool's end marker: every bar ending at or before {@code endMillis} completes. */
    public void end(long endMillis) {
        state.clock = Math.max(state.clock, endMillis - 1);
    }

    /** Removes and returns the bars complete on the clock, oldest first (empty if none). */
    public PendingBar[] removeComplete() {
        if (state.pending.size() == 0) {
            return NONE;
        }
        PendingBar[] complete = state.pending.removeComplete(intervalMillis, state.clock);
        if (complete.length > 0) {
            state.hasLastBar = true;
            state.lastBarTime = complete[complete.length - 1].barTime;
        }
        return complete;
    }

    /** The clock (for messages). */
    public long clock() {
        return state.clock;
    }
}
