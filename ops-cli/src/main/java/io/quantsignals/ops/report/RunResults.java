package io.quantsignals.ops.report;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads what a run produced: {@code strategy_metrics} and {@code strategy_positions_stream} (SPEC §4).
 * Every statement is parameterised.
 *
 * <p>The caller gives a connection in a read-only REPEATABLE READ transaction ({@link #snapshot}),
 * so a job still writing the run cannot make the summary and the streamed rows disagree, and so
 * the PostgreSQL driver can stream rows with a cursor (it only does inside a transaction).
 */
final class RunResults {

    /** Rows fetched per round trip when streaming. */
    static final int FETCH_SIZE = 5_000;

    /**
     * What one symbol of a run produced.
     *
     * @param bars rows in strategy_metrics
     * @param netReturn {@code cumulative_return} of the last bar, null if the symbol has no bar
     * @param maxDrawdown the minimum {@code drawdown} (0 or negative), null if no bar
     * @param trades rows in strategy_positions_stream (position changes)
     * @param turnover {@code Σ |to_position − from_position|} over those rows
     * @param transactionCost {@code Σ transaction_cost} over strategy_metrics, summed in time order: the
     *     costs charged to the returns (a flatten's costs are carried by its bar, SPEC §8)
     * @param slippageCost {@code Σ slippage_cost} over strategy_metrics, in time order
     */
    record SymbolSummary(String symbol, long bars, Instant firstBar, Instant lastBar, Double netReturn,
            Double maxDrawdown, long trades, long turnover, double transactionCost, double slippageCost) {

        double totalCost() {
            return transactionCost + slippageCost;
        }
    }

    interface RowConsumer<T> {
        void accept(String symbol, T row) throws SQLException;
    }

    private final Connection connection;

    RunResults(Connection connection) {
        this.connection = connection;
    }

    /** Puts the connection in the read-only, repeatable-read transaction this class expects. */
    static void snapshot(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    /** One summary per symbol the run has metric or transition rows for, by symbol (code point order). */
    List<SymbolSummary> summaries(UUID runId) throws SQLException {
        String sql = "WITH m AS ("
                + "  SELECT symbol, count(*) AS bars, min(metric_time) AS first_bar, max(metric_time) AS last_bar,"
                + "         min(drawdown) AS max_drawdown,"
                + "         sum(transaction_cost ORDER BY metric_time) AS transaction_cost,"
                + "         sum(slippage_cost ORDER BY metric_time) AS slippage_cost"
                + "  FROM strategy_metrics WHERE strategy_run_id = ? GROUP BY symbol),"
                + " p AS ("
                + "  SELECT symbol, count(*) AS trades, sum(abs(to_position - from_position)) AS turnover"
                + "  FROM strategy_positions_stream WHERE strategy_run_id = ? GROUP BY symbol)"
                + " SELECT symbol, coalesce(m.bars, 0), m.first_bar, m.last_bar, last.cumulative_return, m.max_drawdown,"
                + "        coalesce(p.trades, 0), coalesce(p.turnover, 0),"
                + "        coalesce(m.transaction_cost, 0), coalesce(m.slippage_cost, 0)"
                + " FROM m FULL JOIN p USING (symbol)"
                + " LEFT JOIN LATERAL (SELECT x.cumulative_return FROM strategy_metrics x"
                + "   WHERE x.strategy_run_id = ? AND x.symbol = m.symbol AND x.metric_time = m.last_bar) last ON true"
                + " ORDER BY symbol COLLATE \"C\"";
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setObject(1, runId);
            query.setObject(2, runId);
            query.setObject(3, runId);
            try (ResultSet rs = query.executeQuery()) {
                List<SymbolSummary> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(new SymbolSummary(rs.getString(1), rs.getLong(2), instant(rs.getTimestamp(3)),
                            instant(rs.getTimestamp(4)), nullableDouble(rs, 5), nullableDouble(rs, 6), rs.getLong(7),
                            rs.getLong(8), rs.getDouble(9), rs.getDouble(10)));
                }
                return result;
            }
        }
    }

    /**
     * Streams the run's bars in time order over all symbols (then by symbol), without holding them all
     * in memory: the portfolio analytics need every symbol's equity at each bar time (README "Run analytics").
     */
    void streamBars(UUID runId, RowConsumer<MetricRow> consumer) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT symbol, metric_time, price, sma_fast, sma_slow, position, gross_return, transaction_cost,"
                        + " slippage_cost, net_return, cumulative_return, drawdown"
                        + " FROM strategy_metrics WHERE strategy_run_id = ? ORDER BY metric_time, symbol COLLATE \"C\"")) {
            query.setObject(1, runId);
            query.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(rs.getString(1), new MetricRow(rs.getTimestamp(2).getTime(), rs.getDouble(3),
                            nullableDouble(rs, 4), nullableDouble(rs, 5), rs.getInt(6), rs.getDouble(7), rs.getDouble(8),
                            rs.getDouble(9), rs.getDouble(10), rs.getDouble(11), rs.getDouble(12)));
                }
            }
        }
    }

    /** Streams the run's position changes, by symbol and then time. */
    void streamTransitions(UUID runId, RowConsumer<PositionTransition> consumer) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT symbol, event_time, from_position, to_position, price, fill_price, transaction_cost,"
                        + " slippage_cost, reason FROM strategy_positions_stream WHERE strategy_run_id = ?"
                        + " ORDER BY symbol, event_time, reason")) {
            query.setObject(1, runId);
            query.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    // The reason column's CHECK allows exactly the enum's names (SPEC §4).
                    consumer.accept(rs.getString(1), new PositionTransition(rs.getTimestamp(2).getTime(), rs.getInt(3),
                            rs.getInt(4), rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8),
                            PositionTransition.Reason.valueOf(rs.getString(9))));
                }
            }
        }
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
