package io.quantsignals.core.analytics;

/**
 * The figures of one symbol of a run, or of the run's equal-weight portfolio. Every figure that is
 * undefined for the data (too few bars, a zero denominator, a result that is not finite) is null;
 * the definitions are in the README's "Run analytics" and in SPEC §9.1.
 *
 * @param bars returns in the series: the symbol's bars, or the portfolio's points (distinct bar times)
 * @param firstTime first bar time (epoch ms), null without bars
 * @param lastTime last bar time, null without bars
 * @param netReturn equity at the end − 1
 * @param maxDrawdown the lowest drawdown, 0 or negative
 * @param barsPerYear the annualisation factor N_year
 * @param annualisedReturn {@code equity_end^(N_year / bars) − 1} (−1 when the equity ended at or below 0)
 * @param sharpe {@code mean(r) / stdev(r) · √N_year}, sample stdev, risk-free rate 0
 * @param sortino {@code mean(r) / √(mean(min(r, 0)²)) · √N_year}
 * @param calmar annualised return / |max drawdown|
 * @param exposure the fraction of bars that end holding a position (portfolio: the mean over symbols)
 * @param buyAndHold last close / first close − 1 over the same bars (portfolio: the mean over symbols)
 * @param trades the round trips' statistics (portfolio: every symbol's trades pooled)
 */
public record Figures(long bars, Long firstTime, Long lastTime, Double netReturn, Double maxDrawdown,
        Double barsPerYear, Double annualisedReturn, Double sharpe, Double sortino, Double calmar, Double exposure,
        Double buyAndHold, TradeStats trades) {

    public Figures {
        netReturn = finite(netReturn);
        maxDrawdown = finite(maxDrawdown);
        barsPerYear = finite(barsPerYear);
        annualisedReturn = finite(annualisedReturn);
        sharpe = finite(sharpe);
        sortino = finite(sortino);
        calmar = finite(calmar);
        exposure = finite(exposure);
        buyAndHold = finite(buyAndHold);
    }

    /** NaN and infinities become null: "n/a" in a report, null in JSON (which has no NaN). */
    static Double finite(Double value) {
        return value == null || !Double.isFinite(value) ? null : value;
    }
}
