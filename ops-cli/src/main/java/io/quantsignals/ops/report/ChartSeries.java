package io.quantsignals.ops.report;

import io.quantsignals.core.strategy.MetricRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The points of one chart (a symbol's bars, or the portfolio's points), fed in time order.
 *
 * <p>Up to {@link #MAX_EXACT_BARS} points every point is kept. Beyond that the points are cut into
 * {@link #BUCKETS} consecutive buckets of equal size, and each bucket keeps only the points that
 * shape the picture: its first and last point and, for each charted value, the points with its
 * lowest and highest value (a few, as they often coincide). So peaks, troughs and the worst
 * drawdown survive, and a multi-month run of 1-minute bars still draws from a few thousand points.
 * Transition markers are not taken from these points: they are drawn at their exact time and price.
 */
final class ChartSeries<T> {

    static final int MAX_EXACT_BARS = 5_000;
    static final int BUCKETS = 1_000;

    private final long bucketSize;
    private final ToLongFunction<T> time;
    private final List<ToDoubleFunction<T>> values;
    private final List<T> points = new ArrayList<>();
    private final List<T> bucket = new ArrayList<>();
    private long count;

    /**
     * @param total how many points will be fed (an upper bound will do: it only sets the bucket size)
     * @param values the charted values whose extremes each bucket keeps
     */
    ChartSeries(long total, ToLongFunction<T> time, List<ToDoubleFunction<T>> values) {
        this.bucketSize = total <= MAX_EXACT_BARS ? 1 : (total + BUCKETS - 1) / BUCKETS;
        this.time = time;
        this.values = List.copyOf(values);
    }

    /** A symbol's chart: price, equity and drawdown keep their extremes. */
    static ChartSeries<MetricRow> ofBars(long totalBars) {
        return new ChartSeries<>(totalBars, MetricRow::metricTime,
                List.of(MetricRow::price, MetricRow::cumulativeReturn, MetricRow::drawdown));
    }

    boolean downsampled() {
        return bucketSize > 1;
    }

    void add(T point) {
        count++;
        bucket.add(point);
        if (bucket.size() == bucketSize) {
            flush();
        }
    }

    /** The points, in time order; call after the last {@link #add}. */
    List<T> points() {
        flush();
        return points;
    }

    /** How many points were fed. */
    long count() {
        return count;
    }

    private void flush() {
        if (bucket.isEmpty()) {
            return;
        }
        if (bucket.size() == 1) {
            points.add(bucket.get(0));
        } else {
            Set<T> keep = new LinkedHashSet<>();
            keep.add(bucket.get(0));
            keep.add(bucket.get(bucket.size() - 1));
            for (ToDoubleFunction<T> value : values) {
                keep.add(extreme(Comparator.comparingDouble(value), false));
                keep.add(extreme(Comparator.comparingDouble(value), true));
            }
            keep.stream().sorted(Comparator.comparingLong(time)).forEach(points::add);
        }
        bucket.clear();
    }

    private T extreme(Comparator<T> order, boolean max) {
        T best = bucket.get(0);
        for (T point : bucket) {
            int c = order.compare(point, best);
            if (max ? c > 0 : c < 0) {
                best = point;
            }
        }
        return best;
    }
}
