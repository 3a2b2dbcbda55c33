package io.quantsignals.cluster;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real Kafka broker and PostgreSQL of the test suite, ticks, and the comparison with the pure
 * strategy class (a minimal copy of flink-job's JobTestSupport: test classes are not shared
 * between modules).
 */
final class ClusterTestSupport {

    static final KafkaBroker KAFKA = KafkaBroker.shared();
    static final PostgresServer POSTGRES = PostgresServer.shared();
    static final long START = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    /** Far beyond every test's ticks: pushes each partition's watermark past all bars. */
    static final long SENTINEL_TS = START + Duration.ofDays(30).toMillis();

    private ClusterTestSupport() {
    }

    /** Starts the shared Kafka broker and PostgreSQL (if not yet running): pass to {@link FlinkClusterExtension}. */
    static void startServers() {
        KAFKA.bootstrapServers();
        POSTGRES.jdbcUrl();
    }

    static String newTopic(int partitions) {
        String topic = "prices-" + UUID.randomUUID().toString().substring(0, 8);
        KAFKA.createTopic(topic, partitions);
        return topic;
    }

    /**
     * The job's options as the README gives them to operators, plus test-friendly timings
     * (checkpoints every 500 ms, no out-of-orderness). The idle timeout stays at its default (10 s):
     * with 1 s, both partitions went idle while the job waited for its first ticks, the partition
     * whose consumer fetched first then drove the watermark alone, and the other partition's first
     * ticks were rejected as LATE (seen here on a real cluster: 1 to 64 of 1,800 ticks). Every test
     * ends with a sentinel tick on every partition, so no bar waits for idleness.
     */
    static List<String> jobArgs(String topic, StandaloneFlinkCluster cluster) {
        return List.of("--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--kill-switch-dir", cluster.killSwitchDir().toString(),
                "--checkpoint-interval", "500ms", "--max-out-of-orderness", "0s");
    }

    static UUID createRun(RunType type, StrategyParams params) throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            return new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, type, params, "cluster-test").id();
        }
    }

    record TestTick(String symbol, long ts, String price) {
        String json() {
            return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"ts\":" + ts + "}";
        }

        Backtest.Tick forBacktest() {
            return new Backtest.Tick(symbol, ts, ScaledPrice.parse(price));
        }
    }

    /** Seeded random walks per symbol (1-30 s apart, some equal timestamps), interleaved by time. */
    static List<TestTick> randomWalk(long seed, List<String> symbols, int perSymbol) {
        Random random = new Random(seed);
        List<List<TestTick>> series = new ArrayList<>();
        for (String symbol : symbols) {
            List<TestTick> ticks = new ArrayList<>();
            long ts = START;
            long cents = 10_000 + random.nextInt(90_000);
            for (int i = 0; i < perSymbol; i++) {
                ts += random.nextInt(8) == 0 ? 0 : 1_000 + random.nextInt(29_000);
                cents = Math.max(100, cents + random.nextInt(201) - 100 + (i / 100 % 2 == 0 ? 3 : -3));
                ticks.add(new TestTick(symbol, ts, cents / 100 + "." + String.format("%02d", cents % 100)));
            }
            series.add(ticks);
        }
        List<TestTick> all = new ArrayList<>();
        int[] next = new int[series.size()];
        while (true) {
            int best = -1;
            for (int s = 0; s < series.size(); s++) {
                if (next[s] < series.get(s).size() && (best < 0
                        || series.get(s).get(next[s]).ts() < series.get(best).get(next[best]).ts())) {
                    best = s;
                }
            }
            if (best < 0) {
                return all;
            }
            all.add(series.get(best).get(next[best]++));
        }
    }

    static List<Backtest.Tick> forBacktest(List<TestTick> ticks) {
        return ticks.stream().map(TestTick::forBacktest).toList();
    }

    static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Keyed by symbol, in order, acknowledged by the broker before this returns. */
    static void produce(String topic, Collection<TestTick> ticks) {
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, topic, ticks);
        }
    }

    static void send(KafkaProducer<String, String> producer, String topic, Collection<TestTick> ticks) {
        for (TestTick t : ticks) {
            producer.send(new ProducerRecord<>(topic, t.symbol(), t.json()));
        }
        producer.flush();
    }

    /** A tick of a symbol no run trades, far in the future, on every partition: the last bars complete. */
    static void produceWatermarkSentinels(String topic, int partitions) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, "SENTINEL",
                        "{\"symbol\":\"SENTINEL\",\"price\":1,\"ts\":" + SENTINEL_TS + "}"));
            }
            producer.flush();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; " + state.get());
    }

    static long count(String sql, Object... args) {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long metricRows(UUID... runs) {
        long n = 0;
        for (UUID run : runs) {
            n += count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run);
        }
        return n;
    }

    static long priceTicks(String topic) {
        return count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic);
    }

    static long rejectedTicks(String topic) {
        return count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%");
    }

    /** What rejected_ticks holds for the topic, by reason (for failure messages). */
    static String rejectedByReason(String topic) {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT split_part(reason, ':', 1), count(*), min(payload) FROM rejected_ticks WHERE source LIKE ? GROUP BY 1")) {
            ps.setString(1, "kafka:" + topic + "/%");
            StringBuilder sb = new StringBuilder("rejected_ticks{");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(" e.g. ").append(rs.getString(3)).append("; ");
                }
            }
            return sb.append('}').toString();
        } catch (SQLException e) {
            return "rejected_ticks unreadable: " + e.getMessage();
        }
    }

    static List<MetricRow> metrics(UUID runId, String symbol) throws SQLException {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT (extract(epoch from metric_time) * 1000)::bigint, price, sma_fast, sma_slow, position,
                       gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown
                FROM strategy_metrics WHERE strategy_run_id = ? AND symbol = ? ORDER BY metric_time""")) {
            ps.setObject(1, runId);
            ps.setString(2, symbol);
            List<MetricRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new MetricRow(rs.getLong(1), rs.getDouble(2), (Double) rs.getObject(3),
                            (Double) rs.getObject(4), rs.getInt(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8),
                            rs.getDouble(9), rs.getDouble(10), rs.getDouble(11)));
                }
            }
            return rows;
        }
    }

    static List<PositionTransition> transitions(UUID runId, String symbol) throws SQLException {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT (extract(epoch from event_time) * 1000)::bigint, from_position, to_position, price, fill_price,
                       transaction_cost, slippage_cost, reason
                FROM strategy_positions_stream WHERE strategy_run_id = ? AND symbol = ? ORDER BY event_time, reason""")) {
            ps.setObject(1, runId);
            ps.setString(2, symbol);
            List<PositionTransition> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new PositionTransition(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getDouble(4),
                            rs.getDouble(5), rs.getDouble(6), rs.getDouble(7),
                            PositionTransition.Reason.valueOf(rs.getString(8))));
                }
            }
            return rows;
        }
    }

    static int expectedMetricRows(Map<String, Backtest.SymbolResult> expected) {
        return expected.values().stream().mapToInt(r -> r.metrics().size()).sum();
    }

    /** Every row of the run equals, to the last bit, what the pure strategy class computes; nothing extra. */
    static void assertRowsEqualBacktest(UUID runId, Map<String, Backtest.SymbolResult> expected)
            throws SQLException, InterruptedException {
        // strategy_metrics and strategy_positions_stream are separate sinks that flush on their own:
        // callers wait for the metric rows, so the transitions get a moment more here.
        int transitions = expected.values().stream().mapToInt(r -> r.transitions().size()).sum();
        String countTransitions = "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?";
        await("the transitions of run " + runId, Duration.ofSeconds(30),
                () -> count(countTransitions, runId) >= transitions,
                () -> count(countTransitions, runId) + " of " + transitions + " transitions");
        for (Backtest.SymbolResult result : expected.values()) {
            assertEquals(result.metrics(), metrics(runId, result.symbol()), "strategy_metrics of " + result.symbol());
            assertEquals(result.transitions(), transitions(runId, result.symbol()),
                    "strategy_positions_stream of " + result.symbol());
        }
        assertEquals(expectedMetricRows(expected),
                count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", runId), "no extra metric rows");
        assertEquals(transitions, count(countTransitions, runId), "no extra transition rows");
    }
}
