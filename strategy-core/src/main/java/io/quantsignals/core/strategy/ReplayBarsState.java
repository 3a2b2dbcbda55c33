package io.quantsignals.core.strategy;

/**
 * The bars of one replay stream of one symbol at one bar interval, on the replay's own clock: what
 * {@link ReplayBars} keeps between ticks. One stream feeds every run that evaluates it: a single
 * REPLAY run, or every run of a sweep with that bar interval (a sweep's ticks are published once;
 * the bars are the same for all of its runs, so they are built once).
 *
 * <p>A Flink POJO like {@link SmaCrossState} (public fields, no-arg constructor, no Flink imports);
 * the job keeps one per (stream, interval) under the symbol's key. Change it only through
 * {@link ReplayBars}.
 */
public class ReplayBarsState {
    /** The bars with ticks that the clock has not completed yet. */
    public PendingBars pending = new PendingBars();
    /** The replay's watermark: the greatest tick time minus the out-of-orderness, or the end marker's end − 1. */
    public long clock = Long.MIN_VALUE;
    /** Whether a bar has completed; {@link #lastBarTime} is valid only then. */
    public boolean hasLastBar;
    /** The time of the last completed bar: a tick of that bar or an earlier one is late. */
    public long lastBarTime;
    /** Whether a tick was accepted; {@link #latestTickTime}/{@link #latestTickPrice} are valid only then. */
    public boolean hasLatestTick;
    /** The latest accepted tick (greatest time; equal times: the last to arrive), the price a flatten uses. */
    public long latestTickTime;
    public long latestTickPrice;

    public ReplayBarsState() {
    }
}
