package io.quantsignals.core.analytics;

/**
 * One row of {@code strategy_run_summaries}: the additive sums of one (run, symbol)'s bars whose
 * metric_time falls in one UTC day ({@code periodStart}), from which the figures of any run of whole
 * days are computed exactly (sql/004_run_summaries.sql, docs/contract.md §4). What a sweep keeps
 * instead of a metric row per bar ({@code --store-metrics summary}).
 *
 * <p>Times are epoch milliseconds. "Equity" is {@code 1 + cumulative_return} of a bar; a round trip
 * counts in the period of the bar (or flatten after the last bar) that closed it.
 *
 * @param periodStart the UTC day: {@code floor(metric_time / 86,400,000) · 86,400,000}
 * @param bars the period's bars (at least 1)
 * @param returnMean the mean of the bars' net_return
 * @param returnM2 Σ (net_return − mean)² (Welford's M2)
 * @param downsideSquares Σ min(net_return, 0)²
 * @param startEquity the equity before the period's first bar (the previous bar's; 1 at the run's start)
 * @param endEquity the equity of the period's last bar
 * @param maxEquity the greatest equity of the period's bars
 * @param minEquity the least equity of the period's bars
 * @param periodDrawdown min over the period's bars of {@code E_t / max(startEquity, max E up to t) − 1}
 * @param minDrawdown the least drawdown column of the period's bars (drawdown from the run's own peak)
 * @param exposedBars bars with position ≠ 0
 * @param firstClose the first bar's close
 * @param lastClose the last bar's close
 * @param tradesClosed round trips closed in the period
 * @param tradesWon of those, PnL &gt; 0
 * @param tradesLost of those, PnL &lt; 0
 * @param wonPnl Σ PnL of the won trades
 * @param lostPnl Σ PnL of the lost trades (0 or negative)
 * @param pnlSum Σ PnL of the closed trades
 * @param durationSumMillis Σ duration of the closed trades
 * @param bestPnl the highest PnL of a closed trade (the earliest entry of equals), or null
 * @param bestEntryTime its entry time, or null
 * @param bestDurationMillis its duration, or null
 * @param worstPnl the lowest PnL of a closed trade (the earliest entry of equals), or null
 * @param worstEntryTime its entry time, or null
 * @param worstDurationMillis its duration, or null
 */
public record PeriodSummary(String runId, String symbol, long periodStart, long bars, long firstBarTime,
        long lastBarTime, double returnMean, double returnM2, double downsideSquares, double startEquity,
        double endEquity, double maxEquity, double minEquity, double periodDrawdown, double minDrawdown,
        long exposedBars, double firstClose, double lastClose, int tradesClosed, int tradesWon, int tradesLost,
        double wonPnl, double lostPnl, double pnlSum, long durationSumMillis, Double bestPnl, Long bestEntryTime,
        Long bestDurationMillis, Double worstPnl, Long worstEntryTime, Long worstDurationMillis) {

    /** A UTC day in milliseconds: the length of a period. */
    public static final long PERIOD_MILLIS = 86_400_000L;

    /** The start of the period that holds {@code metricTime}. */
    public static long periodOf(long metricTime) {
        return Math.floorDiv(metricTime, PERIOD_MILLIS) * PERIOD_MILLIS;
    }
}
