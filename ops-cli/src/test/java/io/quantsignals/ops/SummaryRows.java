package io.quantsignals.ops;

import io.quantsignals.core.analytics.PeriodSummary;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;
import java.util.UUID;

/**
 * Test side: writes strategy_run_summaries rows as the job would (the job writes them with binary
 * COPY in flink-job, which ops-cli does not depend on), so the reports can be tested without a job.
 */
final class SummaryRows {

    private SummaryRows() {
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
