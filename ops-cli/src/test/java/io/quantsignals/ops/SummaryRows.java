package io.quantsignals.ops;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.RoundTrip;
import io.quantsignals.core.strategy.MetricRow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test side: the strategy_run_summaries rows of one (run, symbol) built straight from its metric
 * rows and round trips by the column definitions ({@link PeriodSummary}, SPEC §4), independently of
 * the job's accumulator. A closed trade counts in the period of its exit time (a bar time here:
 * backtests have no kill-switch flatten). A copy of strategy-core's test-side SummaryRows, plus the
 * insert.
 */
final class SummaryRows {

    private SummaryRows() {
    }

    static List<PeriodSummary> of(String runId, String symbol, List<MetricRow> bars, List<RoundTrip> trips) {
        List<PeriodSummary> out = new ArrayList<>();
        double previousEquity = 1.0;
        int i = 0;
        while (i < bars.size()) {
            long period = PeriodSummary.periodOf(bars.get(i).metricTime());
            int j = i;
            while (j < bars.size() && PeriodSummary.periodOf(bars.get(j).metricTime()) == period) {
                j++;
            }
            List<MetricRow> day = bars.subList(i, j);
            long n = 0;
            double mean = 0;
            double m2 = 0;
            double downside = 0;
            double start = previousEquity;
            double peak = start;
            double maxEquity = Double.NEGATIVE_INFINITY;
            double minEquity = Double.POSITIVE_INFINITY;
            double periodDrawdown = 0;
            double minDrawdown = 0;
            long exposed = 0;
            for (MetricRow m : day) {
                n++;
                double delta = m.netReturn() - mean;
                mean += delta / n;
                m2 += delta * (m.netReturn() - mean);
                double down = Math.min(m.netReturn(), 0.0);
                downside += down * down;
                double equity = 1.0 + m.cumulativeReturn();
                maxEquity = Math.max(maxEquity, equity);
                minEquity = Math.min(minEquity, equity);
                peak = Math.max(peak, equity);
                periodDrawdown = Math.min(periodDrawdown, equity / peak - 1.0);
                minDrawdown = Math.min(minDrawdown, m.drawdown());
                if (m.position() != 0) {
                    exposed++;
                }
                previousEquity = equity;
            }
            int closed = 0;
            int won = 0;
            int lost = 0;
            double wonPnl = 0;
            double lostPnl = 0;
            double pnlSum = 0;
            long durations = 0;
            RoundTrip best = null;
            RoundTrip worst = null;
            for (RoundTrip t : trips) {
                if (!t.closed() || PeriodSummary.periodOf(t.exitTime()) != period) {
                    continue;
                }
                closed++;
                pnlSum += t.pnl();
                durations += t.durationMillis();
                if (t.pnl() > 0) {
                    won++;
                    wonPnl += t.pnl();
                } else if (t.pnl() < 0) {
                    lost++;
                    lostPnl += t.pnl();
                }
                if (best == null || t.pnl() > best.pnl()) {
                    best = t;
                }
                if (worst == null || t.pnl() < worst.pnl()) {
                    worst = t;
                }
            }
            MetricRow first = day.get(0);
            MetricRow last = day.get(day.size() - 1);
            out.add(new PeriodSummary(runId, symbol, period, n, first.metricTime(), last.metricTime(), mean, m2, downside,
                    start, 1.0 + last.cumulativeReturn(), maxEquity, minEquity, periodDrawdown, minDrawdown, exposed,
                    first.price(), last.price(), closed, won, lost, wonPnl, lostPnl, pnlSum, durations,
                    best == null ? null : best.pnl(), best == null ? null : best.entryTime(),
                    best == null ? null : best.durationMillis(), worst == null ? null : worst.pnl(),
                    worst == null ? null : worst.entryTime(), worst == null ? null : worst.durationMillis()));
            i = j;
        }
        return out;
    }

    /** Inserts the rows into strategy_run_summaries. */
    static void insert(Connection c, List<PeriodSummary> rows) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO strategy_run_summaries (strategy_run_id, symbol,"
                + " period_start, bars, first_bar_time, last_bar_time, return_mean, return_m2, downside_squares,"
                + " start_equity, end_equity, max_equity, min_equity, period_drawdown, min_drawdown, exposed_bars,"
                + " first_close, last_close, trades_closed, trades_won, trades_lost, won_pnl, lost_pnl, pnl_sum,"
                + " duration_sum_ms, best_pnl, best_entry_time, best_duration_ms, worst_pnl, worst_entry_time,"
                + " worst_duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?)")) {
            for (PeriodSummary p : rows) {
                s.setObject(1, UUID.fromString(p.runId()));
                s.setString(2, p.symbol());
                s.setTimestamp(3, new Timestamp(p.periodStart()));
                s.setLong(4, p.bars());
                s.setTimestamp(5, new Timestamp(p.firstBarTime()));
                s.setTimestamp(6, new Timestamp(p.lastBarTime()));
                s.setDouble(7, p.returnMean());
                s.setDouble(8, p.returnM2());
                s.setDouble(9, p.downsideSquares());
                s.setDouble(10, p.startEquity());
                s.setDouble(11, p.endEquity());
                s.setDouble(12, p.maxEquity());
                s.setDouble(13, p.minEquity());
                s.setDouble(14, p.periodDrawdown());
                s.setDouble(15, p.minDrawdown());
                s.setLong(16, p.exposedBars());
                s.setDouble(17, p.firstClose());
                s.setDouble(18, p.lastClose());
                s.setInt(19, p.tradesClosed());
                s.setInt(20, p.tradesWon());
                s.setInt(21, p.tradesLost());
                s.setDouble(22, p.wonPnl());
                s.setDouble(23, p.lostPnl());
                s.setDouble(24, p.pnlSum());
                s.setLong(25, p.durationSumMillis());
                setNullable(s, 26, p.bestPnl());
                s.setTimestamp(27, p.bestEntryTime() == null ? null : new Timestamp(p.bestEntryTime()));
                setNullableLong(s, 28, p.bestDurationMillis());
                setNullable(s, 29, p.worstPnl());
                s.setTimestamp(30, p.worstEntryTime() == null ? null : new Timestamp(p.worstEntryTime()));
                setNullableLong(s, 31, p.worstDurationMillis());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void setNullable(PreparedStatement s, int index, Double value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.DOUBLE);
        } else {
            s.setDouble(index, value);
        }
    }

    private static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }
}
