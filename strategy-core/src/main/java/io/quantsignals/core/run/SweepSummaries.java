package io.quantsignals.core.run;

import io.quantsignals.core.analytics.PeriodSummary;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a sweep's {@code strategy_run_summaries} rows (SPEC §4; the job writes them): the span and symbols of the whole
 * sweep, and one run's rows at a time, by symbol then period, so a sweep of a thousand runs over a
 * year is never in memory at once. The caller gives a connection in a read-only REPEATABLE READ
 * transaction ({@link #snapshot}), so a job still writing summaries cannot make two reads disagree.
 */
public final class SweepSummaries {

    private static final String COLUMNS = "strategy_run_id, symbol, period_start, bars, first_bar_time, last_bar_time,"
            + " return_mean, return_m2, downside_squares, start_equity, end_equity, max_equity, min_equity,"
            + " period_drawdown, min_drawdown, exposed_bars, first_close, last_close, trades_closed, trades_won,"
            + " trades_lost, won_pnl, lost_pnl, pnl_sum, duration_sum_ms, best_pnl, best_entry_time, best_duration_ms,"
            + " worst_pnl, worst_entry_time, worst_duration_ms";

    /**
     * What the sweep's rows cover.
     *
     * @param rows summary rows (of the symbol, if one was given)
     * @param runsWithRows runs that have at least one
     * @param firstPeriod the earliest period_start, epoch ms (meaningless when rows = 0)
     * @param lastPeriod the latest period_start
     * @param symbols every symbol of the sweep's rows, in code point order (whatever the filter)
     */
    public record Span(long rows, int runsWithRows, long firstPeriod, long lastPeriod, List<String> symbols) {
        /** Whole days from the first period to the end of the last. */
        public long days() {
            return rows == 0 ? 0 : (lastPeriod - firstPeriod) / PeriodSummary.PERIOD_MILLIS + 1;
        }
    }

    private final Connection connection;

    public SweepSummaries(Connection connection) {
        this.connection = connection;
    }

    public static void snapshot(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    /** @param symbol only this symbol's rows count, or null for all */
    public Span span(UUID sweepId, String symbol) throws SQLException {
        String join = " FROM strategy_run_summaries s JOIN strategy_runs r USING (strategy_run_id) WHERE r.sweep_id = ?";
        long rows;
        int runs;
        long first = 0;
        long last = 0;
        try (PreparedStatement q = connection.prepareStatement("SELECT count(*), count(DISTINCT s.strategy_run_id),"
                + " min(s.period_start), max(s.period_start)" + join + (symbol == null ? "" : " AND s.symbol = ?"))) {
            q.setObject(1, sweepId);
            if (symbol != null) {
                q.setString(2, symbol);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
                runs = rs.getInt(2);
                if (rows > 0) {
                    first = rs.getTimestamp(3).getTime();
                    last = rs.getTimestamp(4).getTime();
                }
            }
        }
        List<String> symbols = new ArrayList<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT DISTINCT s.symbol COLLATE \"C\" AS symbol" + join
                + " ORDER BY 1")) {
            q.setObject(1, sweepId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    symbols.add(rs.getString(1));
                }
            }
        }
        return new Span(rows, runs, first, last, List.copyOf(symbols));
    }

    /**
     * One run's rows, by symbol (code point order) then period_start.
     *
     * @param symbol only this symbol, or null for all
     * @return each symbol's rows in period order; empty without rows
     */
    public Map<String, List<PeriodSummary>> of(StrategyRun run, String symbol) throws SQLException {
        Map<String, List<PeriodSummary>> bySymbol = new LinkedHashMap<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM strategy_run_summaries WHERE strategy_run_id = ?" + (symbol == null ? "" : " AND symbol = ?")
                + " ORDER BY symbol COLLATE \"C\", period_start")) {
            q.setObject(1, run.id());
            if (symbol != null) {
                q.setString(2, symbol);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    PeriodSummary p = read(rs);
                    bySymbol.computeIfAbsent(p.symbol(), s -> new ArrayList<>()).add(p);
                }
            }
        }
        return bySymbol;
    }

    private static PeriodSummary read(ResultSet rs) throws SQLException {
        return new PeriodSummary(rs.getObject(1, UUID.class).toString(), rs.getString(2), millis(rs, 3), rs.getLong(4),
                millis(rs, 5), millis(rs, 6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9), rs.getDouble(10),
                rs.getDouble(11), rs.getDouble(12), rs.getDouble(13), rs.getDouble(14), rs.getDouble(15), rs.getLong(16),
                rs.getDouble(17), rs.getDouble(18), rs.getInt(19), rs.getInt(20), rs.getInt(21), rs.getDouble(22),
                rs.getDouble(23), rs.getDouble(24), rs.getLong(25), nullableDouble(rs, 26), nullableMillis(rs, 27),
                nullableLong(rs, 28), nullableDouble(rs, 29), nullableMillis(rs, 30), nullableLong(rs, 31));
    }

    private static long millis(ResultSet rs, int column) throws SQLException {
        return rs.getTimestamp(column).getTime();
    }

    private static Long nullableMillis(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.getTime();
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
