package io.quantsignals.core.strategy;

import java.util.Arrays;

/**
 * The bars of one (run, symbol) that have ticks but are not complete yet, oldest first.
 *
 * <p>Only the bars the watermark has not passed are pending: one or two for interval bars, and
 * for tick bars the distinct tick times within the out-of-orderness bound. Ticks arrive nearly in
 * time order, so a tick's bar is found by a scan from the newest end and complete bars leave from
 * the oldest end. An exact-size sorted array keeps this a Flink POJO (public field, no-arg
 * constructor, no Flink imports) with a compact serialized form.
 */
public class PendingBars {

    private static final PendingBar[] NONE = new PendingBar[0];

    /** Pending bars in increasing bar time; never null, no null elements. */
    public PendingBar[] bars = NONE;

    public PendingBars() {
    }

    /**
     * Adds a tick to the bar starting at {@code barTime} (SPEC §5 close rule), opening that bar if
     * it has no tick yet.
     *
     * @return true when the tick opened a new bar (its completion must then be scheduled)
     */
    public boolean add(long barTime, long tickTimeMillis, long priceScaled) {
        PendingBar[] b = bars;
        int i = b.length - 1;
        while (i >= 0 && b[i].barTime > barTime) {
            i--;
        }
        if (i >= 0 && b[i].barTime == barTime) {
            b[i].offer(tickTimeMillis, priceScaled);
            return false;
        }
        PendingBar[] grown = new PendingBar[b.length + 1];
        System.arraycopy(b, 0, grown, 0, i + 1);
        grown[i + 1] = new PendingBar(barTime, tickTimeMillis, priceScaled);
        System.arraycopy(b, i + 1, grown, i + 2, b.length - i - 1);
        bars = grown;
        return true;
    }

    /** Removes and returns the bars complete at {@code watermark}, oldest first (empty if none). */
    public PendingBar[] removeComplete(long intervalMillis, long watermark) {
        PendingBar[] b = bars;
        int n = 0;
        while (n < b.length && Bars.isComplete(b[n].barTime, intervalMillis, watermark)) {
            n++;
        }
        if (n == 0) {
            return NONE;
        }
        bars = n == b.length ? NONE : Arrays.copyOfRange(b, n, b.length);
        return Arrays.copyOf(b, n);
    }

    public int size() {
        return bars.length;
    }
}
