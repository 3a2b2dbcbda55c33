package io.quantsignals.core.strategy;

/**
 * A bar that has ticks but is not complete yet: its time and its close so far.
 *
 * <p>A Flink POJO (public fields, no-arg constructor, no Flink imports) so the job can keep pending
 * bars in keyed state, e.g. a {@code MapState<Long, PendingBar>} keyed by bar time. Updating it
 * with {@link #offer} does not allocate.
 */
public class PendingBar {

    /** The bar time (bucket start, or the tick time for tick bars). */
    public long barTime;
    /** Event time of the tick that is the close so far. */
    public long closeTime;
    /** That tick's scaled price. */
    public long closePrice;

    /** For Flink's POJO serializer; use {@link #PendingBar(long, long, long)}. */
    public PendingBar() {
    }

    /** A bar opened by its first tick. */
    public PendingBar(long barTime, long tickTimeMillis, long priceScaled) {
        this.barTime = barTime;
        this.closeTime = tickTimeMillis;
        this.closePrice = priceScaled;
    }

    /** Applies the close rule to the next tick of this bar (in arrival order). */
    public void offer(long tickTimeMillis, long priceScaled) {
        if (Bars.replacesClose(closeTime, tickTimeMillis)) {
            closeTime = tickTimeMillis;
            closePrice = priceScaled;
        }
    }
}
