package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.replay.ReplayTool;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuning loop of SPEC §7 end to end: history in price_ticks, the real replay tool publishing it
 * into REPLAY runs at different speedups while live ticks flow on the same topic, and the job
 * evaluating each replay on its own event-time clock.
 */
class ReplayRunsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD");
    private static final long HISTORY = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    private static final long LIVE = 1_795_000_000_000L;    // 2026-11

    /** One-second bars, so a minute of history (a second at 50x) makes dozens of bars. */
    private static final StrategyParams REPLAY_PARAMS = new StrategyParams(3, 7, 2, 5.0, 2.0, 1, true, null, null);

    @BeforeEach
    void onlyThisTestsRuns() {
        POSTGRES.truncateAll();
    }

    /** A minute of history: ticks 0-400 ms apart (some sharing a timestamp), a random walk per symbol. */
    private static List<TestTick> history() {
        Random random = new Random(5);
        List<TestTick> ticks = new ArrayList<>();
        long ts = HISTORY;
        long[] cents = {6_500_000, 350_000};
        for (int i = 0; i < 400; i++) {
            ts += random.nextInt(5) == 0 ? 0 : random.nextInt(300);
            int s = random.nextInt(2);
            cents[s] += random.nextInt(2001) - 1000 + (i / 80 % 2 == 0 ? 120 : -120);
            ticks.add(new TestTick(SYMBOLS.get(s), ts, cents[s] / 100 + "." + String.format("%02d", cents[s] % 100)));
        }
        return ticks;
    }

    private static void store(List<TestTick> ticks) throws Exception {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO price_ticks (event_time, symbol, price, source) VALUES (?, ?, ?, 'test-history')")) {
            for (TestTick t : ticks) {
                ps.setTimestamp(1, new Timestamp(t.ts()));
                ps.setString(2, t.symbol());
                ps.setDouble(3, ScaledPrice.toDouble(ScaledPrice.parse(t.price())));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String replay(String topic, UUID run, String speedup, Instant start, Instant end, String... extra) {
        List<String> args = new ArrayList<>(List.of("--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", "quant", "--start-ts", start.toString(),
                "--end-ts", end.toString(), "--speedup", speedup, "--run-id", run.toString()));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReplayTool.execute(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                args.toArray(String[]::new));
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    @Test
    void replaysAtEverySpeedupGiveIdenticalRowsAndLeaveLiveRunsAlone() throws Exception {
        String topic = newTopic(2);
        StrategyParams liveParams = new StrategyParams(2, 5, 1, 1.0, 1.0, 60, false, SYMBOLS, null);
        UUID live = createRun(RunType.LIVE, liveParams);
        UUID atMax = createRun(RunType.REPLAY, REPLAY_PARAMS);
        UUID at50 = createRun(RunType.REPLAY, REPLAY_PARAMS);

        List<TestTick> history = history();
        store(history);
        Instant start = Instant.ofEpochMilli(HISTORY);
        // The window ends at a bar boundary after the last tick, so every bar of the history ends in it.
        Instant end = Instant.ofEpochMilli((history.get(history.size() - 1).ts() / 1_000 + 1) * 1_000);
        List<TestTick> liveTicks = randomWalk(12, SYMBOLS, 150, LIVE);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            produce(topic, liveTicks.subList(0, 150));
            replay(topic, atMax, "max", start, end);
            // Live ticks keep flowing while the paced replay runs.
            CompletableFuture<Void> liveFeed = CompletableFuture.runAsync(() -> {
                for (int i = 150; i < 300; i += 10) {
                    produce(topic, liveTicks.subList(i, i + 10));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            long paced = System.nanoTime();
            replay(topic, at50, "50", start, end);
            long pacedMillis = (System.nanoTime() - paced) / 1_000_000;
            liveFeed.join();
            produceWatermarkSentinels(topic, 2, System.currentTimeMillis());

            long windowMillis = history.get(history.size() - 1).ts() - history.get(0).ts();
            assertTrue(pacedMillis >= windowMillis / 50, "paced: " + pacedMillis + " ms for " + windowMillis + " ms at 50x");

            Map<String, Backtest.SymbolResult> expectedReplay = Backtest.run(REPLAY_PARAMS, forBacktest(history));
            Map<String, Backtest.SymbolResult> expectedLive = Backtest.run(liveParams, forBacktest(liveTicks));
            long replayRows = expectedMetricRows(expectedReplay);
            await("both replays, last bar included, and the live run", Duration.ofSeconds(60), () ->
                    count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", atMax) >= replayRows
                            && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", at50) >= replayRows
                            && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", live)
                            >= expectedMetricRows(expectedLive));

            assertRowsEqualBacktest(atMax, expectedReplay);
            assertRowsEqualBacktest(at50, expectedReplay);
            assertRowsEqualBacktest(live, expectedLive);
            assertEquals(liveTicks.size() + 2, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "replayed history is not stored again");
            assertEquals(0, count("SELECT count(*) FROM rejected_ticks"), "history is not late for its replay run");

            // Replaying a run again with --reset starts from a clean slate and gives the same rows.
            replay(topic, atMax, "max", start, end, "--reset");
            await("the second replay's rows", Duration.ofSeconds(30),
                    () -> count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", atMax) >= replayRows);
            assertRowsEqualBacktest(atMax, expectedReplay);
        } finally {
            job.cancel().get();
        }
    }
}
