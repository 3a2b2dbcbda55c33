package io.quantsignals.core.strategy;

/**
 * Bar arithmetic of SPEC §5 "Bars", as pure functions the Flink job calls per tick (no allocation).
 *
 * <p>Per symbol, ticks fall into epoch-aligned event-time buckets {@code [k·I, (k+1)·I)}, I being
 * the bar interval in milliseconds. With I = 0 every distinct tick timestamp is its own bar,
 * which is the same as a bucket {@code [ts, ts + 1)}. A bar's time ({@code metric_time}) is the
 * bucket start. A bar is complete once the watermark reaches its last millisecond (no tick of the
 * bucket can still come); a tick whose bucket is complete is late — whether or not the bucket
 * produced a bar, because bars must reach the strategy in time order. Its close is the price of
 * the tick with the greatest timestamp, equal timestamps going to the tick that arrived last
 * ({@link #replacesClose}).
 */
public final class Bars {

    private Bars() {
    }

    /**
     * The bar time (bucket start) of a tick. {@code floorDiv} rather than {@code /} so that
     * timestamps before 1970 still land in the bucket that contains them.
     *
     * @param intervalMillis bar length in milliseconds; 0 for tick bars
     */
    public static long barTimeOf(long tickTimeMillis, long intervalMillis) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("bar interval must be >= 0: " + intervalMillis);
        }
        if (intervalMillis == 0) {
            return tickTimeMillis;
        }
        return Math.floorDiv(tickTimeMillis, intervalMillis) * intervalMillis;
    }

    /**
     * The exclusive end of the bar starting at {@code barTime}: {@code barTime + I}, or
     * {@code barTime + 1} for tick bars. Saturates at {@link Long#MAX_VALUE} instead of wrapping.
     */
    public static long barEndOf(long barTime, long intervalMillis) {
        long length = intervalMillis == 0 ? 1 : intervalMillis;
        return barTime > Long.MAX_VALUE - length ? Long.MAX_VALUE : barTime + length;
    }

    /**
     * The last millisecond of the bar starting at {@code barTime} ({@code end − 1}): the event-time
     * timer to register for it, like Flink's {@code TimeWindow.maxTimestamp()}.
     */
    public static long lastTimestampOf(long barTime, long intervalMillis) {
        return barEndOf(barTime, intervalMillis) - 1;
    }

    /** Whether the bar starting at {@code barTime} is complete at this watermark. */
    public static boolean isComplete(long barTime, long intervalMillis, long watermark) {
        return watermark >= lastTimestampOf(barTime, intervalMillis);
    }

    /** Whether a tick is late: its bucket is already complete at this watermark. */
    public static boolean isLate(long tickTimeMillis, long intervalMillis, long watermark) {
        return isComplete(barTimeOf(tickTimeMillis, intervalMillis), intervalMillis, watermark);
    }

    /**
     * The close rule: a tick arriving now replaces the current close (whose tick had time
     * {@code currentCloseTime}) if its time is greater or equal — equal because ties go to the tick
     * that arrived last.
     */
    public static boolean replacesClose(long currentCloseTime, long tickTimeMillis) {
        return tickTimeMillis >= currentCloseTime;
    }
}
