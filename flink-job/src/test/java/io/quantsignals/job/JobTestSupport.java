package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Real Kafka, real PostgreSQL and the job on the MiniCluster: the helpers the job tests share. */
final class JobTestSupport {

    /**
     * The state backend the job tests run on, when set: the build runs them on the heap (the
     * MiniCluster's default) and again on RocksDB, where state is a copy that must be written back.
     */
    static final String STATE_BACKEND_PROPERTY = "quantsignals.test.stateBackend";

    static final KafkaBroker KAFKA = KafkaBroker.shared();
    static final PostgresServer POSTGRES = PostgresServer.shared();

    private JobTestSupport() {
    }

    private static final Map<String, Integer> PARTITIONS = new ConcurrentHashMap<>();

    /** A fresh topic per test, so tests never see each other's ticks. */
    static String newTopic(int partitions) {
        String topic = "prices-" + UUID.randomUUID().toString().substring(0, 8);
        KAFKA.createTopic(topic, partitions);
        PARTITIONS.put(topic, partitions);
        return topic;
    }

    /**
     * Options as an operator would pass them, tuned for quick tests (sub-second checkpoints and
     * polls). The parallelism equals the topic's partitions, so every source reader has a partition;
     * the idle timeout is longer than any test, so no partition goes idle mid-test (a reader's
     * watermark would then race ahead of a partition that resumes).
     */
    static JobOptions options(String topic, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--checkpoint-interval", "300ms", "--runs-poll-interval", "200ms",
                "--max-out-of-orderness", "0s", "--idle-timeout", "60s",
                "--sink-flush-interval", "100ms", "--parallelism", String.valueOf(PARTITIONS.getOrDefault(topic, 2)),
                "--group-id", "test-" + topic));
        String stateBackend = System.getProperty(STATE_BACKEND_PROPERTY);
        if (stateBackend != null) {
            args.addAll(List.of("--state-backend", stateBackend));
        }
        args.addAll(List.of(extra));
        return JobOptions.parse(Map.of(), args.toArray(String[]::new));
    }

    /** The job runs on the state backend the build asked for (the checkpoint config names it). */
    static void assertStateBackend(RestClusterClient<?> flink, JobClient job) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                flink.getWebInterfaceURL() + "/jobs/" + job.getJobID() + "/checkpoints/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        String backend = new ObjectMapper().readTree(response.body()).path("state_backend").asText();
        String wanted = System.getProperty(STATE_BACKEND_PROPERTY);
        assertEquals("rocksdb".equals(wanted) ? "EmbeddedRocksDBStateBackend" : "HashMapStateBackend", backend, response.body());
    }

    static JobClient start(QuantSignalsJob job) throws Exception {
        return job.executeAsync(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    static UUID createRun(RunType type, StrategyParams params) throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            return new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, type, params, "test").id();
        }
    }

    /** A tick as the test produces it and as the reference backtest consumes it. */
    record TestTick(String symbol, long ts, String price) {
        String json() {
            return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"ts\":" + ts + "}";
        }

        Backtest.Tick forBacktest() {
            return new Backtest.Tick(symbol, ts, ScaledPrice.parse(price));
        }
    }

    /**
     * Seeded random walks: {@code perSymbol} ticks per symbol, 1-30 s apart with some repeated
     * timestamps (ties), interleaved across symbols, each symbol's timestamps non-decreasing.
     */
    static List<TestTick> randomWalk(long seed, List<String> symbols, int perSymbol, long startMillis) {
        Random random = new Random(seed);
        List<List<TestTick>> series = new ArrayList<>();
        for (String symbol : symbols) {
            List<TestTick> ticks = new ArrayList<>();
            long ts = startMillis;
            long cents = 10_000 + random.nextInt(90_000);
            for (int i = 0; i < perSymbol; i++) {
                ts += random.nextInt(8) == 0 ? 0 : 1_000 + random.nextInt(29_000);
                cents = Math.max(100, cents + random.nextInt(201) - 100 + (i / 100 % 2 == 0 ? 3 : -3));
                ticks.add(new TestTick(symbol, ts, cents / 100 + "." + String.format("%02d", cents % 100)));
            }
            series.add(ticks);
        }
        // Interleave by time (stable), as a live feed would.
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

    static void produce(String topic, List<TestTick> ticks) {
        produceRaw(topic, ticks.stream().map(t -> new String[] {t.symbol(), t.json()}).toList());
    }

    /** Key, value pairs in order; one producer with acks=all and idempotence, so order per key holds. */
    static void produceRaw(String topic, List<String[]> keyValues) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (String[] kv : keyValues) {
                producer.send(new ProducerRecord<>(topic, kv[0], kv[1]));
            }
            producer.flush();
        }
    }

    /**
     * A tick later than the test's on every partition: moves every partition's watermark past all
     * bars of the test, so the last bar completes (the sentinel's own symbol is traded by no run).
     * {@code ts} must not lie in the future: the job rejects such ticks (--max-future-skew).
     */
    static void produceWatermarkSentinels(String topic, int partitions, long ts) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, "SENTINEL",
                        "{\"symbol\":\"SENTINEL\",\"price\":1,\"ts\":" + ts + "}"));
            }
            producer.flush();
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(what, timeout, condition, () -> "");
    }

    /** Polls {@code condition}; on time-out fails with {@code state} describing what was seen. */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout + " waiting for " + what + "; " + state.get());
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

    /** The run's strategy_metrics rows of one symbol, in time order, as the pure class's records. */
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

    static int expectedTransitionRows(Map<String, Backtest.SymbolResult> expected) {
        return expected.values().stream().mapToInt(r -> r.transitions().size()).sum();
    }

    /** Every row of the run equals, to the last bit, what the pure strategy class computes. */
    static void assertRowsEqualBacktest(UUID runId, Map<String, Backtest.SymbolResult> expected)
            throws SQLException, InterruptedException {
        // strategy_metrics and strategy_positions_stream are separate sinks that flush on their own:
        // callers wait for the metric rows, so the transitions get a moment more here.
        int transitions = expectedTransitionRows(expected);
        await("the transitions of run " + runId, Duration.ofSeconds(30), () -> count(
                "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?", runId) >= transitions);
        for (Backtest.SymbolResult result : expected.values()) {
            assertEquals(result.metrics(), metrics(runId, result.symbol()), "strategy_metrics of " + result.symbol());
            assertEquals(result.transitions(), transitions(runId, result.symbol()),
                    "strategy_positions_stream of " + result.symbol());
        }
        assertEquals(expectedMetricRows(expected),
                count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", runId), "no extra metric rows");
    }

    static List<Backtest.Tick> forBacktest(List<TestTick> ticks) {
        return ticks.stream().map(TestTick::forBacktest).toList();
    }
}
