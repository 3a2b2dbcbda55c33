package io.quantsignals.ops;

import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Test data for run reports: a run registered with {@link RunStore}, and the strategy_metrics and
 * strategy_positions_stream rows the reference {@link Backtest} computes for it, so the figures in
 * the tests are the real ones the job would write.
 */
final class BacktestRows {

    static final long START_MILLIS = 1_717_200_000_000L; // 2024-06-01T00:00:00Z

    private BacktestRows() {
    }

    /** A seeded random walk with slowly changing drift, so SMAs cross now and then; one tick per step. */
    static List<Backtest.Tick> randomWalk(long seed, String symbol, double startPrice, int ticks, long stepMillis) {
        Random random = new Random(seed);
        List<Backtest.Tick> list = new ArrayList<>(ticks);
        double price = startPrice;
        double drift = 0;
        for (int i = 0; i < ticks; i++) {
            if (i % 120 == 0) {
                drift = random.nextGaussian() * 0.0002;
            }
            price *= Math.exp(drift + random.nextGaussian() * 0.0015);
            long scaled = Math.round(price * ScaledPrice.SCALE);
            list.add(new Backtest.Tick(symbol, START_MILLIS + i * stepMillis, scaled));
        }
        return list;
    }

    /** Registers a REPLAY run and stores what the backtest produces for it; returns that output. */
    static Run create(Connection c, StrategyParams params, String createdBy, List<Backtest.Tick> ticks)
            throws SQLException {
        return create(c, params, createdBy, Backtest.run(params, ticks));
    }

    /** Registers a REPLAY run and stores the given rows for it (rows built by hand or by the strategy). */
    static Run create(Connection c, StrategyParams params, String createdBy, SortedMap<String, Backtest.SymbolResult> results)
            throws SQLException {
        UUID id = new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.REPLAY, params, createdBy).id();
        insert(c, id, results);
        return new Run(id, results);
    }

    record Run(UUID id, SortedMap<String, Backtest.SymbolResult> results) {
        String idText() {
            return id.toString();
        }
    }

    static void insert(Connection c, UUID runId, SortedMap<String, Backtest.SymbolResult> results) throws SQLException {
        try (PreparedStatement metric = c.prepareStatement(
                "INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, sma_fast, sma_slow, position,"
                        + " gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement transition = c.prepareStatement(
                "INSERT INTO strategy_positions_stream (event_time, strategy_run_id, symbol, from_position, to_position,"
                        + " price, fill_price, transaction_cost, slippage_cost, reason)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Backtest.SymbolResult r : results.values()) {
                for (MetricRow m : r.metrics()) {
                    metric.setTimestamp(1, new Timestamp(m.metricTime()));
                    metric.setObject(2, runId);
                    metric.setString(3, r.symbol());
                    metric.setDouble(4, m.price());
                    setNullable(metric, 5, m.smaFast());
                    setNullable(metric, 6, m.smaSlow());
                    metric.setShort(7, (short) m.position());
                    metric.setDouble(8, m.grossReturn());
                    metric.setDouble(9, m.transactionCost());
                    metric.setDouble(10, m.slippageCost());
                    metric.setDouble(11, m.netReturn());
                    metric.setDouble(12, m.cumulativeReturn());
                    metric.setDouble(13, m.drawdown());
                    metric.addBatch();
                }
                for (PositionTransition t : r.transitions()) {
                    transition.setTimestamp(1, new Timestamp(t.eventTime()));
                    transition.setObject(2, runId);
                    transition.setString(3, r.symbol());
                    transition.setShort(4, (short) t.fromPosition());
                    transition.setShort(5, (short) t.toPosition());
                    transition.setDouble(6, t.price());
                    transition.setDouble(7, t.fillPrice());
                    transition.setDouble(8, t.transactionCost());
                    transition.setDouble(9, t.slippageCost());
                    transition.setString(10, t.reason().name());
                    transition.addBatch();
                }
            }
            metric.executeBatch();
            transition.executeBatch();
        }
    }

    /** A kill_switch_events row, as the job writes them (SPEC §4, §5.4 step 8, §8); {@code runId} null: global. */
    static void insertEvent(Connection c, UUID runId, long timeMillis, String action, String source, String reason)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO kill_switch_events"
                + " (event_time, strategy_run_id, action, source, reason) VALUES (?, ?, ?, ?, ?)")) {
            insert.setTimestamp(1, new Timestamp(timeMillis));
            insert.setObject(2, runId);
            insert.setString(3, action);
            insert.setString(4, source);
            insert.setString(5, reason);
            insert.executeUpdate();
        }
    }

    /** The ENGAGED/RISK_LIMIT rows the job writes at the bars where the backtest halted a symbol. */
    static int insertRiskHalts(Connection c, Run run) throws SQLException {
        int n = 0;
        for (Backtest.SymbolResult r : run.results().values()) {
            for (long time : r.riskHaltBarTimes()) {
                insertEvent(c, run.id(), time, "ENGAGED", "RISK_LIMIT", "drawdown breached max_drawdown on " + r.symbol());
                n++;
            }
        }
        return n;
    }

    /** What the report and compare must show: {@link RunAnalytics} over the backtest's own rows. */
    static RunAnalytics.Result analytics(Run run, long barIntervalSeconds) {
        Map<String, List<MetricRow>> bars = new TreeMap<>();
        Map<String, List<PositionTransition>> transitions = new TreeMap<>();
        run.results().forEach((symbol, r) -> {
            bars.put(symbol, r.metrics());
            transitions.put(symbol, r.transitions());
        });
        return RunAnalytics.of(barIntervalSeconds, bars, transitions);
    }

    private static void setNullable(PreparedStatement s, int index, Double value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.DOUBLE);
        } else {
            s.setDouble(index, value);
        }
    }

    // ---- the figures, computed here independently from the backtest output -----------------------

    static double netReturn(Backtest.SymbolResult r) {
        return r.metrics().get(r.metrics().size() - 1).cumulativeReturn();
    }

    static double maxDrawdown(Backtest.SymbolResult r) {
        return r.metrics().stream().mapToDouble(MetricRow::drawdown).min().orElseThrow();
    }

    static long turnover(Backtest.SymbolResult r) {
        return r.transitions().stream().mapToLong(t -> Math.abs(t.toPosition() - t.fromPosition())).sum();
    }

    static double transactionCost(Backtest.SymbolResult r) {
        double sum = 0;
        for (MetricRow m : r.metrics()) {
            sum += m.transactionCost();
        }
        return sum;
    }

    static double slippageCost(Backtest.SymbolResult r) {
        double sum = 0;
        for (MetricRow m : r.metrics()) {
            sum += m.slippageCost();
        }
        return sum;
    }

    /** Mean of the per-symbol net returns. */
    static double meanNetReturn(Run run) {
        return run.results().values().stream().mapToDouble(BacktestRows::netReturn).average().orElseThrow();
    }

    static double worstDrawdown(Run run) {
        return run.results().values().stream().mapToDouble(BacktestRows::maxDrawdown).min().orElseThrow();
    }

    static long trades(Run run) {
        return run.results().values().stream().mapToLong(r -> r.transitions().size()).sum();
    }

    static long turnover(Run run) {
        return run.results().values().stream().mapToLong(BacktestRows::turnover).sum();
    }

    static double totalCost(Run run) {
        return run.results().values().stream().mapToDouble(r -> transactionCost(r) + slippageCost(r)).sum();
    }

    static long bars(Run run) {
        return run.results().values().stream().mapToLong(r -> r.metrics().size()).sum();
    }
}
