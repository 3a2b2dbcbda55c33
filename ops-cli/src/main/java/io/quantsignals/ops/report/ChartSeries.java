package io.quantsignals.ops.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The chart points of one symbol, fed bar by bar in time order.
 *
 * <p>Up to {@link #MAX_EXACT_BARS} bars every bar is a point. Beyond that the bars are cut into
 * {@link #BUCKETS} consecutive buckets of equal size, and each bucket keeps only the bars that
 * shape the picture: its first and last bar and the bars with the lowest and highest price, the
 * lowest and highest equity and the deepest drawdown (at most 7, usually fewer as they coincide).
 * So peaks, troughs and the worst drawdown survive, and a multi-month run of 1-minute bars still
 * draws from a few thousand points. Transition markers are not taken from these points: they are
 * drawn at their exact time and price.
 */
final class ChartSeries {

    static final int MAX_EXACT_BARS = 5_000;
    static final int BUCKETS = 1_000;

    private final long bucketSize;
    private final List<RunResults.Bar> points = new ArrayList<>();
    private final List<RunResults.Bar> bucket = new ArrayList<>();
    private long bars;

    /** @param totalBars how many bars will be fed (from the run summary) */
    ChartSeries(long totalBars) {
        this.bucketSize = totalBars <= MAX_EXACT_BARS ? 1 : (totalBars + BUCKETS - 1) / BUCKETS;
    }

    boolean downsampled() {
        return bucketSize > 1;
    }

    void add(RunResults.Bar bar) {
        bars++;
        bucket.add(bar);
        if (bucket.size() == bucketSize) {
            flush();
        }
    }

    /** The points, in time order; call after the last {@link #add}. */
    List<RunResults.Bar> points() {
        flush();
        return points;
    }

    long bars() {
        return bars;
    }

    private void flush() {
        if (bucket.isEmpty()) {
            return;
        }
        if (bucket.size() == 1) {
            points.add(bucket.get(0));
        } else {
            Set<RunResults.Bar> keep = new LinkedHashSet<>();
            keep.add(bucket.get(0));
            keep.add(bucket.get(bucket.size() - 1));
            keep.add(extreme(Comparator.comparingDouble(RunResults.Bar::price), false));
            keep.add(extreme(Comparator.comparingDouble(RunResults.Bar::price), true));
            keep.add(extreme(Comparator.comparingDouble(RunResults.Bar::equity), false));
            keep.add(extreme(Comparator.comparingDouble(RunResults.Bar::equity), true));
            keep.add(extreme(Comparator.comparingDouble(RunResults.Bar::drawdown), false));
            keep.stream().sorted(Comparator.comparingLong(RunResults.Bar::timeMillis)).forEach(points::add);
        }
        bucket.clear();
    }

    private RunResults.Bar extreme(Comparator<RunResults.Bar> order, boolean max) {
        RunResults.Bar best = bucket.get(0);
        for (RunResults.Bar bar : bucket) {
            int c = order.compare(bar, best);
            if (max ? c > 0 : c < 0) {
                best = bar;
            }
        }
        return best;
    }
}
