package io.quantsignals.core.analytics;

import java.util.Arrays;

/**
 * Accumulates one series of per-bar returns in a single pass, in constant memory (except the bar
 * spacings that tick bars need for their median): count, mean and variance (Welford's method, which
 * does not cancel catastrophically the way Σr² − n·mean² does), the downside sum of squares, the
 * worst drawdown, the final equity and the time window.
 */
final class ReturnSeries {

    /** 365 days of 86,400 s: the year the annualisation uses (README "Run analytics"). */
    static final double SECONDS_PER_YEAR = 365.0 * 24 * 3600;

    private final long barIntervalSeconds;
    private long n;
    private double mean;
    private double m2;
    private double downsideSquares;
    private double cumulativeReturn;
    private Double maxDrawdown;
    private long firstTime;
    private long lastTime;
    private long[] spacings = new long[0];
    private int spacingCount;

    /** @param barIntervalSeconds the run's bar length; 0 = tick bars (annualised from the median bar spacing) */
    ReturnSeries(long barIntervalSeconds) {
        if (barIntervalSeconds < 0) {
            throw new IllegalArgumentException("bar_interval_seconds must be >= 0, got " + barIntervalSeconds);
        }
        this.barIntervalSeconds = barIntervalSeconds;
    }

    /**
     * @param time the bar time, epoch ms, after the previous one
     * @param r the bar's return
     * @param cumulativeReturn the equity at the end of the bar − 1 (starting equity 1)
     * @param drawdown the bar's drawdown (0 or negative)
     */
    void add(long time, double r, double cumulativeReturn, double drawdown) {
        if (n > 0 && time <= lastTime) {
            throw new IllegalArgumentException("bars out of time order: " + time + " after " + lastTime);
        }
        if (n == 0) {
            firstTime = time;
        } else if (barIntervalSeconds == 0) {
            if (spacingCount == spacings.length) {
                spacings = Arrays.copyOf(spacings, Math.max(16, spacings.length * 2));
            }
            spacings[spacingCount++] = time - lastTime;
        }
        lastTime = time;
        n++;
        double delta = r - mean;
        mean += delta / n;
        m2 += delta * (r - mean);
        double down = Math.min(r, 0.0);
        downsideSquares += down * down;
        this.cumulativeReturn = cumulativeReturn;
        maxDrawdown = maxDrawdown == null ? drawdown : Math.min(maxDrawdown, drawdown);
    }

    long count() {
        return n;
    }

    /** The figures of the series; exposure, buy-and-hold and trades come from the caller. */
    Figures figures(Double exposure, Double buyAndHold, TradeStats trades) {
        if (n == 0) {
            return new Figures(0, null, null, null, null, barsPerYear(), null, null, null, null, exposure, buyAndHold,
                    trades);
        }
        Double perYear = barsPerYear();
        double equity = 1.0 + cumulativeReturn;
        Double sharpe = null;
        Double sortino = null;
        Double annualised = null;
        if (perYear != null) {
            double rootYear = Math.sqrt(perYear);
            if (n >= 2) {
                double stdev = Math.sqrt(m2 / (n - 1));
                sharpe = stdev > 0 ? mean / stdev * rootYear : null;
                double downside = Math.sqrt(downsideSquares / n);
                sortino = downside > 0 ? mean / downside * rootYear : null;
            }
            // A short or leveraged-down series can end at or below 0: the capital is gone, −100 % a year.
            annualised = equity <= 0 ? -1.0 : Math.pow(equity, perYear / n) - 1.0;
        }
        Double calmar = annualised == null || maxDrawdown == null || maxDrawdown == 0 ? null
                : annualised / Math.abs(maxDrawdown);
        return new Figures(n, firstTime, lastTime, cumulativeReturn, maxDrawdown, perYear, annualised, sharpe, sortino,
                calmar, exposure, buyAndHold, trades);
    }

    /**
     * N_year: 365·24·3600 / I for bars of I seconds; for tick bars (I = 0), a year over the median
     * spacing of consecutive bar times (null with fewer than 2 bars).
     */
    Double barsPerYear() {
        if (barIntervalSeconds > 0) {
            return SECONDS_PER_YEAR / barIntervalSeconds;
        }
        if (spacingCount == 0) {
            return null;
        }
        long[] sorted = Arrays.copyOf(spacings, spacingCount);
        Arrays.sort(sorted);
        int mid = spacingCount / 2;
        double medianMillis = spacingCount % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
        return SECONDS_PER_YEAR * 1000.0 / medianMillis;
    }
}
