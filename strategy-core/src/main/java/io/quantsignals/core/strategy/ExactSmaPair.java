package io.quantsignals.core.strategy;

import io.quantsignals.core.price.ScaledPrice;

/**
 * The fast and the slow exact simple moving averages of one symbol (SPEC §5 step 1), over ONE
 * ring buffer holding the last {@code slowWindow} scaled closes.
 *
 * <p>Why one ring: the fast window's closes are the most recent {@code fastWindow} entries of the
 * slow window, so a second buffer would only duplicate them. Per-key state is therefore exactly
 * {@code slowWindow} longs plus a few counters.
 *
 * <p>Why exact: each SMA keeps a running sum of scaled closes (units of 10⁻⁸) as an unsigned
 * 128-bit integer ({@code *SumHi}, {@code *SumLo}). Adding the new close and subtracting the one
 * that leaves the window is O(1) and exact, so the regime decision (fast &gt; slow ⟺
 * {@code sumF·S > sumS·F}, {@link #compareFastToSlow()}) never depends on floating-point summation
 * order, as the SPEC requires. 128 bits hold the sum of any int-sized window of any long-sized
 * price.
 *
 * <p>This is a Flink POJO without Flink imports (public no-arg constructor, public non-final fields
 * of primitive/array types), because it is part of {@link SmaCrossState}, which the job keeps in
 * keyed state. Code outside this class should use the methods, not the fields.
 */
public class ExactSmaPair {

    private static final long TWO_POW_53 = 1L << 53;
    /** count·10⁸ must stay below 2⁵³ for the fast path: count &lt; 2⁵³/10⁸ ≈ 90,071,992. */
    private static final long MAX_FAST_PATH_COUNT = TWO_POW_53 / ScaledPrice.SCALE;

    /** The last {@code ring.length} (= slow window) closes; {@code next} is the oldest once full. */
    public long[] ring;
    /** Closes currently held, at most {@code ring.length}. */
    public int held;
    /** Index where the next close is written. */
    public int next;
    /** Bars in the fast SMA; less than {@code ring.length}. */
    public int fastWindow;
    /** Running sum of the last min(held, fastWindow) closes, unsigned 128-bit. */
    public long fastSumHi;
    public long fastSumLo;
    /** Running sum of all held closes, unsigned 128-bit. */
    public long slowSumHi;
    public long slowSumLo;

    /** For Flink's POJO serializer only; use {@link #ExactSmaPair(int, int)}. */
    public ExactSmaPair() {
    }

    public ExactSmaPair(int fastWindow, int slowWindow) {
        checkWindows(fastWindow, slowWindow);
        this.ring = new long[slowWindow];
        this.fastWindow = fastWindow;
    }

    public int fastWindow() {
        return fastWindow;
    }

    public int slowWindow() {
        return ring.length;
    }

    /** Number of closes held (at most the slow window). */
    public int held() {
        return held;
    }

    /** Adds the newest close (a positive scaled price). O(1), no allocation. */
    public void add(long closeScaled) {
        if (closeScaled <= 0) {
            // The sums are unsigned; ScaledPrice never produces a non-positive price.
            throw new IllegalArgumentException("close must be a positive scaled price: " + closeScaled);
        }
        int slowWindow = ring.length;
        if (held >= fastWindow) {
            // The close fastWindow bars back leaves the fast window. It is still in the ring
            // (fastWindow < slowWindow), at index next - fastWindow.
            int leaving = next - fastWindow;
            if (leaving < 0) {
                leaving += slowWindow;
            }
            subtractFromFast(ring[leaving]);
        }
        if (held == slowWindow) {
            subtractFromSlow(ring[next]); // the oldest close, about to be overwritten
        } else {
            held++;
        }
        ring[next] = closeScaled;
        next = next + 1 == slowWindow ? 0 : next + 1;
        addToFast(closeScaled);
        addToSlow(closeScaled);
    }

    public boolean isFastDefined() {
        return held >= fastWindow;
    }

    public boolean isSlowDefined() {
        return held == ring.length;
    }

    /** The nearest double to the exact fast mean; only meaningful when {@link #isFastDefined()}. */
    public double fastMeanAsDouble() {
        return meanAsDouble(fastSumHi, fastSumLo, fastWindow);
    }

    /** The nearest double to the exact slow mean; only meaningful when {@link #isSlowDefined()}. */
    public double slowMeanAsDouble() {
        return meanAsDouble(slowSumHi, slowSumLo, ring.length);
    }

    /**
     * Exact comparison of the fast mean with the slow mean (both must be defined): the sign of
     * {@code sumF/F − sumS/S}, decided as {@code sumF·S} vs {@code sumS·F} without division.
     */
    public int compareFastToSlow() {
        return compareMeans(fastSumHi, fastSumLo, fastWindow, slowSumHi, slowSumLo, ring.length);
    }

    /**
     * Exact comparison of two means given as (unsigned 128-bit sum, count):
     * the sign of {@code sumA/countA − sumB/countB}, i.e. of {@code sumA·countB − sumB·countA}.
     */
    public static int compareMeans(long sumAHi, long sumALo, long countA, long sumBHi, long sumBLo, long countB) {
        if (countA <= 0 || countB <= 0) {
            throw new IllegalArgumentException("counts must be positive: " + countA + ", " + countB);
        }
        return Integer.signum(UInt128.compareProducts(sumAHi, sumALo, countB, sumBHi, sumBLo, countA));
    }

    /**
     * The nearest double (ties to even) to the exact mean {@code sum / count} of scaled prices,
     * in price units: {@code sum / (count·10⁸)}.
     *
     * <p>Fast path: when the sum and {@code count·10⁸} are both below 2⁵³ they are exact doubles and
     * a single IEEE division is correctly rounded. Otherwise an exact big-integer division.
     */
    public static double meanAsDouble(long sumHi, long sumLo, long count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        if (sumHi == 0 && sumLo >= 0 && sumLo < TWO_POW_53 && count < MAX_FAST_PATH_COUNT) {
            return (double) sumLo / (double) (count * ScaledPrice.SCALE);
        }
        return UInt128.nearestDoubleOfQuotient(sumHi, sumLo, Math.multiplyExact(count, ScaledPrice.SCALE));
    }

    /**
     * Changes the windows, keeping the most recent min(held, newSlowWindow) closes and recomputing
     * both sums from them (used when a run's parameters change; SPEC §5 "state kept").
     */
    public void resize(int newFastWindow, int newSlowWindow) {
        checkWindows(newFastWindow, newSlowWindow);
        int keep = Math.min(held, newSlowWindow);
        long[] kept = new long[keep];
        // Oldest first, so that re-adding them rebuilds the ring in arrival order.
        for (int k = 0; k < keep; k++) {
            int index = next - keep + k;
            if (index < 0) {
                index += ring.length;
            }
            kept[k] = ring[index];
        }
        ring = new long[newSlowWindow];
        fastWindow = newFastWindow;
        held = 0;
        next = 0;
        fastSumHi = 0;
        fastSumLo = 0;
        slowSumHi = 0;
        slowSumLo = 0;
        for (long close : kept) {
            add(close);
        }
    }

    private static void checkWindows(int fastWindow, int slowWindow) {
        if (fastWindow < 1 || slowWindow <= fastWindow) {
            throw new IllegalArgumentException("windows must satisfy 1 <= fast < slow, got fast="
                    + fastWindow + ", slow=" + slowWindow);
        }
    }

    // Unsigned 128-bit add/subtract of a positive long. The carry (borrow) out of the low word is
    // detected with an unsigned comparison, the usual way of doing multi-word arithmetic in Java.

    private void addToFast(long x) {
        long lo = fastSumLo + x;
        if (Long.compareUnsigned(lo, fastSumLo) < 0) {
            fastSumHi++;
        }
        fastSumLo = lo;
    }

    private void subtractFromFast(long x) {
        if (Long.compareUnsigned(fastSumLo, x) < 0) {
            fastSumHi--;
        }
        fastSumLo -= x;
    }

    private void addToSlow(long x) {
        long lo = slowSumLo + x;
        if (Long.compareUnsigned(lo, slowSumLo) < 0) {
            slowSumHi++;
        }
        slowSumLo = lo;
    }

    private void subtractFromSlow(long x) {
        if (Long.compareUnsigned(slowSumLo, x) < 0) {
            slowSumHi--;
        }
        slowSumLo -= x;
    }
}
