package io.quantsignals.local;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.embedded.PostgresServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of {@code ./quant-signals up} in the middle of a live stream, then the same
 * command again: the rows must be exactly those of a run that never stopped (SPEC §4), i.e. the
 * pure {@link Backtest} over all ticks, bit for bit, with no extra or stale transition, and every
 * tick archived once.
 *
 * <p>The stack runs as a JVM of its own (the test's classpath, {@code QuantSignals up}), so the
 * kill is a real SIGKILL of the process holding the Kafka broker, the MiniCluster and the
 * PostgreSQL server's owner; PostgreSQL itself is a separate process and survives as an orphan,
 * as it does for an operator.
 *
 * <p>Every tick goes to partition 0 of the stack's two-partition topic. The stack's job uses the
 * default 10 s idle timeout, and this test pauses the feed for longer than that (checkpoint wait,
 * kill, restart): with both partitions fed, the one whose reader wakes first after a pause could
 * carry the watermark past the other's next ticks, which would then be rejected as late
 * (docs/status.md, "Watermarks and idleness"). With partition 1 always empty, its reader is idle
 * from 10 s after each start and never races.
 */
class KillAndRestartTest {

    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA", "TSLA");
    private static final long START = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    private static final String TOPIC = "prices";

    @TempDir
    Path dataDir;

    /** The stack processes' output. */
    @TempDir
    Path logDir;

    private StackProcess stack;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killedStackRestartedWithTheSameCommandLeavesExactlyACleanRunsRows() throws Exception {
        stack = new StackProcess(dataDir, logDir);
        // Minute bars and tick bars: the first keeps several ticks in each open bar across the
        // kill, the second has a bar per tick; both carry SMA windows and positions across it.
        StrategyParams minuteBars = new StrategyParams(3, 8, 2, 4.0, 1.0, 60, true, SYMBOLS, null);
        StrategyParams tickBars = new StrategyParams(2, 6, 1, 2.0, 3.0, 0, false, SYMBOLS, null);
        List<TestTick> ticks = randomWalk(11, SYMBOLS, 400);
        int a = ticks.size() * 2 / 5;
        int b = ticks.size() * 3 / 5;
        List<TestTick> beforeCheckpoint = ticks.subList(0, a);
        List<TestTick> beforeKill = ticks.subList(a, b);
        int openBars = 2 * SYMBOLS.size(); // at most one bar per run and symbol is still open
        long t0 = System.nanoTime();

        Process first = stack.start("first");
        Process second = null;
        try {
            String firstJob = stack.awaitRunningJob(first, "first");
            long firstUp = System.nanoTime();
            UUID minuteRun;
            UUID tickRun;
            try (Connection c = stack.connect()) {
                minuteRun = new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.LIVE, minuteBars, "test").id();
                tickRun = new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.LIVE, tickBars, "test").id();
            }

            produce(beforeCheckpoint);
            long rowsA = expectedRows(minuteBars, tickBars, beforeCheckpoint);
            stack.await("the first ticks' rows", Duration.ofSeconds(60), () -> metricRows(minuteRun, tickRun) >= rowsA - openBars,
                    first);
            long rowsWritten = System.currentTimeMillis();
            long checkpointId = stack.awaitCheckpointTriggeredAfter(firstJob, rowsWritten, first);
            long checkpointed = System.nanoTime();

            // Kill while the next ticks stream in, a few milliseconds apart: some of their rows are
            // written, others not yet. The feed stops just before the kill, so that every tick was
            // either acknowledged by the broker or is sent after the restart.
            long rowsAB = expectedRows(minuteBars, tickBars, ticks.subList(0, b));
            long midway = rowsA + (rowsAB - rowsA) / 2;
            Feed feed = new Feed(beforeKill);
            feed.start();
            stack.await("rows of the ticks after the checkpoint", Duration.ofSeconds(60),
                    () -> metricRows(minuteRun, tickRun) >= midway || !feed.isAlive(), first);
            feed.stopAndJoin();
            int sentBeforeKill = a + feed.sent();
            long rowsAtKill = metricRows(minuteRun, tickRun);
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the killed stack exits");
            long killed = System.nanoTime();
            long orphan = postmasterPid();
            assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                    "the killed stack left its PostgreSQL running (the case a restart must handle)");

            second = stack.start("second");
            stack.awaitRunningJob(second, "second");
            long secondUp = System.nanoTime();
            String secondLog = stack.log("second");
            assertTrue(secondLog.contains("stopped PostgreSQL (pid " + orphan + ")"), secondLog);
            Matcher resumed = Pattern.compile("resuming the job from checkpoint " + Pattern.quote(dataDir.resolve("checkpoints")
                    .toString()) + "/[0-9a-f]{32}/chk-(\\d+)").matcher(secondLog);
            long resumedId = resumed.find() ? Long.parseLong(resumed.group(1)) : -1; // asserted after the rows

            // After a restore, pending bars complete only when new ticks arrive; the sentinel, a
            // symbol no run trades, far in the future, completes the last bars.
            produce(ticks.subList(sentBeforeKill, ticks.size()));
            produceSentinel(START + Duration.ofDays(30).toMillis());
            Map<String, Backtest.SymbolResult> expectedMinute = Backtest.run(minuteBars, forBacktest(ticks));
            Map<String, Backtest.SymbolResult> expectedTick = Backtest.run(tickBars, forBacktest(ticks));
            long expectedMetrics = metricRows(expectedMinute) + metricRows(expectedTick);
            long expectedTransitions = transitionRows(expectedMinute) + transitionRows(expectedTick);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // Wait for the counts, but on a time-out compare anyway: the differences say more.
            while (System.nanoTime() < deadline && (metricRows(minuteRun, tickRun) < expectedMetrics
                    || count("SELECT count(*) FROM strategy_positions_stream") < expectedTransitions
                    || count("SELECT count(*) FROM price_ticks") < ticks.size() + 1)) {
                Thread.sleep(200);
            }
            Thread.sleep(1_000); // anything still in flight would show up as an extra row below
            long done = System.nanoTime();
            System.out.printf("kill/restart: %d ticks, %d metric rows, %d transitions; first stack RUNNING after %d ms,"
                            + " rows of the first %d ticks + checkpoint %d after %d ms more, killed after %d ticks at %d of"
                            + " their %d rows %d ms later, second stack RUNNING %d ms after the kill (resumed from checkpoint"
                            + " %d), all rows %d ms after that; %d ms in all%n",
                    ticks.size(), expectedMetrics, expectedTransitions, millis(t0, firstUp), a, checkpointId,
                    millis(firstUp, checkpointed), sentBeforeKill, rowsAtKill,
                    expectedRows(minuteBars, tickBars, ticks.subList(0, sentBeforeKill)), millis(checkpointed, killed),
                    millis(killed, secondUp), resumedId, millis(secondUp, done), millis(t0, done));

            List<String> differences = new ArrayList<>();
            differences.addAll(compare(minuteRun, expectedMinute));
            differences.addAll(compare(tickRun, expectedTick));
            assertTrue(differences.isEmpty(), String.join("; ", differences) + "\n" + stack.log("second"));
            assertTrue(resumedId >= checkpointId, "resumed from the newest checkpoint (" + checkpointId + " or later), not "
                    + (resumedId < 0 ? "none" : "an older one, " + resumedId) + ":\n" + secondLog);
            assertEquals(0, count("SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id NOT IN (?, ?)",
                    minuteRun, tickRun), "no rows of other runs");
            assertEquals(0, count("SELECT count(*) FROM rejected_ticks"), "no tick rejected (none is late)");

            List<String> archived = archivedTicks();
            List<String> produced = new ArrayList<>(ticks.stream().map(TestTick::archived).toList());
            produced.add(new TestTick("SENTINEL", START + Duration.ofDays(30).toMillis(), "1").archived());
            assertEquals(produced, archived, "price_ticks holds every tick exactly once, in Kafka order");
        } finally {
            // Whatever happened above, no process, PostgreSQL included, may outlive the temporary folder.
            stack.stopAll(first, second);
        }
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    // ---- ticks

    /** A tick as produced and as the reference backtest reads it. */
    record TestTick(String symbol, long ts, String price) {
        String json() {
            return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"ts\":" + ts + "}";
        }

        Backtest.Tick forBacktest() {
            return new Backtest.Tick(symbol, ts, ScaledPrice.parse(price));
        }

        /** As a price_ticks row reads back. */
        String archived() {
            return symbol + "@" + ts + "=" + Double.parseDouble(price);
        }
    }

    /**
     * Seeded random walks, 1-30 s between a symbol's ticks with some repeated timestamps,
     * interleaved across symbols in time order as a live feed would be.
     */
    private static List<TestTick> randomWalk(long seed, List<String> symbols, int perSymbol) {
        Random random = new Random(seed);
        List<List<TestTick>> series = new ArrayList<>();
        for (String symbol : symbols) {
            List<TestTick> ticks = new ArrayList<>();
            long ts = START;
            long cents = 10_000 + random.nextInt(90_000);
            for (int i = 0; i < perSymbol; i++) {
                ts += random.nextInt(8) == 0 ? 0 : 1_000 + random.nextInt(29_000);
                cents = Math.max(100, cents + random.nextInt(201) - 100 + (i / 50 % 2 == 0 ? 4 : -4));
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

    private static List<Backtest.Tick> forBacktest(List<TestTick> ticks) {
        return ticks.stream().map(TestTick::forBacktest).toList();
    }

    private void produce(List<TestTick> ticks) {
        try (KafkaProducer<String, String> producer = stack.producer()) {
            for (TestTick t : ticks) {
                producer.send(new ProducerRecord<>(TOPIC, 0, t.symbol(), t.json()));
            }
            producer.flush();
        }
    }

    /** Sends ticks one by one, each acknowledged before the next, until told to stop. */
    private final class Feed extends Thread {
        private final List<TestTick> ticks;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile Exception failure;

        Feed(List<TestTick> ticks) {
            super("tick-feed");
            this.ticks = ticks;
        }

        @Override
        public void run() {
            try (KafkaProducer<String, String> producer = stack.producer()) {
                for (TestTick t : ticks) {
                    if (stop.get()) {
                        return;
                    }
                    producer.send(new ProducerRecord<>(TOPIC, 0, t.symbol(), t.json())).get();
                    sent.incrementAndGet();
                    Thread.sleep(3);
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            join(30_000);
            assertTrue(failure == null, () -> "the feed failed: " + failure);
        }

        int sent() {
            return sent.get();
        }
    }

    private void produceSentinel(long ts) {
        try (KafkaProducer<String, String> producer = stack.producer()) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "SENTINEL", new TestTick("SENTINEL", ts, "1").json()));
            producer.flush();
        }
    }

    // ---- rows

    private long count(String sql, Object... args) {
        try (Connection c = stack.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
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

    private long metricRows(UUID minuteRun, UUID tickRun) {
        return count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)", minuteRun, tickRun);
    }

    private static long expectedRows(StrategyParams minuteBars, StrategyParams tickBars, List<TestTick> ticks) {
        return metricRows(Backtest.run(minuteBars, forBacktest(ticks))) + metricRows(Backtest.run(tickBars, forBacktest(ticks)));
    }

    private static long metricRows(Map<String, Backtest.SymbolResult> results) {
        return results.values().stream().mapToLong(r -> r.metrics().size()).sum();
    }

    private static long transitionRows(Map<String, Backtest.SymbolResult> results) {
        return results.values().stream().mapToLong(r -> r.transitions().size()).sum();
    }

    /**
     * Every difference between the run's rows and the reference, counted: rows whose values
     * differ, rows missing, rows the reference does not have (stale or extra).
     */
    private List<String> compare(UUID run, Map<String, Backtest.SymbolResult> expected) throws SQLException {
        Map<String, MetricRow> expectedMetrics = new HashMap<>();
        Map<String, PositionTransition> expectedTransitions = new HashMap<>();
        for (Backtest.SymbolResult r : expected.values()) {
            r.metrics().forEach(m -> expectedMetrics.put(r.symbol() + "@" + m.metricTime(), m));
            r.transitions().forEach(t -> expectedTransitions.put(r.symbol() + "@" + t.eventTime() + "/" + t.reason(), t));
        }
        List<String> differences = new ArrayList<>();
        diff("strategy_metrics", run, expectedMetrics, metrics(run), differences);
        diff("strategy_positions_stream", run, expectedTransitions, transitions(run), differences);
        return differences;
    }

    private static <T> void diff(String table, UUID run, Map<String, T> expected, Map<String, T> actual,
                                 List<String> differences) {
        int differing = 0;
        int missing = 0;
        String example = null;
        for (Map.Entry<String, T> e : expected.entrySet()) {
            T row = actual.get(e.getKey());
            if (row == null) {
                missing++;
            } else if (!Objects.equals(row, e.getValue())) {
                differing++;
                if (example == null) {
                    example = e.getKey() + " expected " + e.getValue() + " but was " + row;
                }
            }
        }
        long extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).count();
        if (differing + missing + extra > 0) {
            differences.add(table + " of run " + run + ": " + differing + " of " + expected.size() + " rows differ, "
                    + missing + " missing, " + extra + " extra" + (example == null ? "" : " (e.g. " + example + ")"));
        }
    }

    private Map<String, MetricRow> metrics(UUID run) throws SQLException {
        Map<String, MetricRow> rows = new HashMap<>();
        try (Connection c = stack.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT symbol, (extract(epoch from metric_time) * 1000)::bigint, price, sma_fast, sma_slow, position,
                       gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown
                FROM strategy_metrics WHERE strategy_run_id = ?""")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MetricRow row = new MetricRow(rs.getLong(2), rs.getDouble(3), (Double) rs.getObject(4),
                            (Double) rs.getObject(5), rs.getInt(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9),
                            rs.getDouble(10), rs.getDouble(11), rs.getDouble(12));
                    rows.put(rs.getString(1) + "@" + row.metricTime(), row);
                }
            }
        }
        return rows;
    }

    private Map<String, PositionTransition> transitions(UUID run) throws SQLException {
        Map<String, PositionTransition> rows = new HashMap<>();
        try (Connection c = stack.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT symbol, (extract(epoch from event_time) * 1000)::bigint, from_position, to_position, price,
                       fill_price, transaction_cost, slippage_cost, reason
                FROM strategy_positions_stream WHERE strategy_run_id = ?""")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PositionTransition row = new PositionTransition(rs.getLong(2), rs.getInt(3), rs.getInt(4),
                            rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8),
                            PositionTransition.Reason.valueOf(rs.getString(9)));
                    rows.put(rs.getString(1) + "@" + row.eventTime() + "/" + row.reason(), row);
                }
            }
        }
        return rows;
    }

    private List<String> archivedTicks() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = stack.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT symbol, (extract(epoch from event_time) * 1000)::bigint, price FROM price_ticks
                ORDER BY ingest_seq""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "@" + rs.getLong(2) + "=" + rs.getDouble(3));
            }
        }
        return rows;
    }
}
