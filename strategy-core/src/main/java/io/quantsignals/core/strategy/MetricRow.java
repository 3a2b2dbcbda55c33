package io.quantsignals.core.strategy;

/**
 * One completed bar of one (run, symbol): a row of {@code strategy_metrics} (SPEC §4, §5), minus
 * the run id and symbol, which the caller knows.
 *
 * <p>Doubles are the exact IEEE values the SPEC's formulas produce (record equality compares them
 * with {@link Double#compare}, i.e. bit for bit, which is what the job's tests rely on).
 *
 * @param metricTime bar time in epoch milliseconds: the bucket start, or the tick time for tick bars
 * @param price the close {@code c_t} (nearest double of the scaled close)
 * @param smaFast nearest double of the exact fast mean, or {@code null} (SQL NULL) until F bars exist
 * @param smaSlow nearest double of the exact slow mean, or {@code null} until S bars exist
 * @param position {@code pos_t}: -1, 0 or 1
 * @param grossReturn step 2 (plus a flatten's accounting, SPEC §8)
 * @param transactionCost step 5 (plus a flatten's costs)
 * @param slippageCost step 5 (plus a flatten's costs)
 * @param netReturn step 6
 * @param cumulativeReturn step 7: {@code equity_t − 1}
 * @param drawdown step 7: {@code equity_t / peak − 1}, 0 or negative
 */
public record MetricRow(
        long metricTime,
        double price,
        Double smaFast,
        Double smaSlow,
        int position,
        double grossReturn,
        double transactionCost,
        double slippageCost,
        double netReturn,
        double cumulativeReturn,
        double drawdown) {
}
