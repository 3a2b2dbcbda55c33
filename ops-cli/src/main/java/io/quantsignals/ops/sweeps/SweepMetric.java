package io.quantsignals.ops.sweeps;

import io.quantsignals.core.analytics.Figures;

import java.util.Locale;
import java.util.function.Function;

/**
 * The figure a sweep is ranked by (SPEC §9 {@code sweeps report --metric}). Higher is better for
 * every one of them, max drawdown included (0 or negative: nearer 0 is better); an undefined figure
 * (null) ranks last.
 */
enum SweepMetric {
    SHARPE(Figures::sharpe, true),
    SORTINO(Figures::sortino, true),
    CALMAR(Figures::calmar, true),
    NET_RETURN(Figures::netReturn, false),
    ANNUALISED_RETURN(Figures::annualisedReturn, false),
    MAX_DRAWDOWN(Figures::maxDrawdown, false),
    WIN_RATE(f -> f.trades().winRate(), false),
    PROFIT_FACTOR(f -> f.trades().profitFactor(), true),
    EXPOSURE(Figures::exposure, false);

    private final Function<Figures, Double> figure;
    private final boolean ratio;

    SweepMetric(Function<Figures, Double> figure, boolean ratio) {
        this.figure = figure;
        this.ratio = ratio;
    }

    /** The figure, or null where it is undefined. */
    Double of(Figures f) {
        return figure.apply(f);
    }

    /** A plain ratio (printed with 2 decimals), not a fraction (printed as a percentage). */
    boolean ratio() {
        return ratio;
    }

    /** The name on the command line and in JSON: {@code net_return}. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Best first, null last; 0 when equal (the caller keeps the sweep's run order). */
    static int compareBestFirst(Double a, Double b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        return Double.compare(b, a);
    }
}
