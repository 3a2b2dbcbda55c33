package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.fixtures.TestTick;
import io.quantsignals.replay.ReplayTool;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuning loop of SPEC §7 end to end: history in price_ticks, the real replay tool publishing it
 * into REPLAY runs at different speedups (to the replay topic) while live ticks flow on the prices
 * topic, and the job evaluating each replay on its own event-time clock.
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
    /** A LIVE run beside the replays: one-minute bars on both symbols. */
    private static final StrategyParams LIVE_PARAMS = new StrategyParams(2, 5, 1, 1.0, 1.0, 60, false, SYMBOLS, null);

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

    /** The real replay tool; {@code run} null: ordinary (replayed) ticks for the LIVE and PAPER runs. */
    private static String replay(String topic, UUID run, String speedup, Instant start, Instant end, String... extra) {
        List<String> args = new ArrayList<>(List.of("--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", "quant", "--start-ts", start.toString(),
                "--end-ts", end.toString(), "--speedup", speedup));
        if (run != null) {
            args.addAll(List.of("--run-id", run.toString()));
        }
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReplayTool.execute(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                args.toArray(String[]::new));
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    /** The window ends at a bar boundary after the last tick, so every bar of the history ends in it. */
    private static Instant endOf(List<TestTick> history) {
        return Instant.ofEpochMilli((history.get(history.size() - 1).ts() / 1_000 + 1) * 1_000);
    }

    /**
     * SPEC §7 without {@code --run-id}: history drives a PAPER run as live ticks would. The tool's
     * end markers carry no symbol (they used to crash-loop the job at its keyBy); they move every
     * partition's watermark to the end, so the last bar completes without another tick.
     */
    @Test
    void replayWithoutRunIdDrivesAPaperRunFromHistory() throws Exception {
        String topic = newTopic(2);
        StrategyParams paperParams = new StrategyParams(3, 7, 2, 5.0, 2.0, 1, true, SYMBOLS, null);
        UUID paper = createRun(RunType.PAPER, paperParams);
        List<TestTick> history = history();
        storeHistory(history);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic, "--restart-attempts", "0")));
        try {
            replay(topic, null, "max", Instant.ofEpochMilli(HISTORY), endOf(history));
            Map<String, Backtest.SymbolResult> expected = Backtest.run(paperParams, forBacktest(history));
            await("every bar of the window, the last included", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", paper) >= expectedMetricRows(expected));
            assertRowsEqualBacktest(paper, expected);
            assertEquals(0, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "replayed history is not stored again");
            assertEquals(history.size(), count("SELECT count(*) FROM price_ticks"));
            assertEquals(0, count("SELECT count(*) FROM rejected_ticks"), "nothing rejected, markers included");
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "never failed (restarts are off)");
        } finally {
            job.cancel().get();
        }
    }

    /**
     * A REPLAY run's {@code symbols} param limits it as it limits a LIVE run, even when the replay
     * publishes more symbols (here asked for explicitly; the tool warns that the job ignores them).
     */
    @Test
    void replayRunEvaluatesOnlyTheSymbolsItTrades() throws Exception {
        String topic = newTopic(2);
        StrategyParams onlyBtc = new StrategyParams(3, 7, 2, 5.0, 2.0, 1, true, List.of("BTCUSD"), null);
        UUID run = createRun(RunType.REPLAY, onlyBtc);
        List<TestTick> history = history();
        storeHistory(history);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            String out = replay(topic, run, "max", Instant.ofEpochMilli(HISTORY), endOf(history), "--symbols", "BTCUSD,ETHUSD");
            assertTrue(out.contains("replayed " + history.size() + " ticks of 2 symbols"), out);
            Map<String, Backtest.SymbolResult> expected = Backtest.run(onlyBtc, forBacktest(history));
            assertEquals(Set.of("BTCUSD"), expected.keySet());
            await("the run's bars", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) >= expectedMetricRows(expected));
            Thread.sleep(1_000); // rows of ETHUSD, were there any, would be written by now
            assertRowsEqualBacktest(run, expected);
            assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE symbol = 'ETHUSD'"), "ETHUSD is not traded");
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The replay topic need not exist when the job starts (a deployment from before it, or one nobody
     * has replayed in yet): live runs work meanwhile, since that reader adds nothing to the watermark;
     * the first replay for a run creates the topic, the running job finds it and reads it from its
     * start. A message without a run there is rejected, and the tick archive never sees a replay.
     */
    @Test
    void theFirstReplayCreatesTheReplayTopicAndTheRunningJobFindsIt() throws Exception {
        String topic = newTopicWithoutReplayTopic(2);
        UUID live = createRun(RunType.LIVE, LIVE_PARAMS);
        UUID run = createRun(RunType.REPLAY, REPLAY_PARAMS);
        List<TestTick> history = history();
        storeHistory(history);
        List<TestTick> liveTicks = randomWalk(13, SYMBOLS, 150, LIVE);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            produce(topic, liveTicks);
            produceWatermarkSentinels(topic, 2, System.currentTimeMillis());
            Map<String, Backtest.SymbolResult> expectedLive = Backtest.run(LIVE_PARAMS, forBacktest(liveTicks));
            await("the live run's bars while there is no replay topic", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", live) >= expectedMetricRows(expectedLive));
            assertRowsEqualBacktest(live, expectedLive);

            String replayTopic = ReplayTopic.of(topic);
            assertFalse(KAFKA.topicNames().contains(replayTopic));
            replay(topic, run, "max", Instant.ofEpochMilli(HISTORY), endOf(history));
            assertTrue(KAFKA.topicNames().contains(replayTopic), "the tool created it");
            Map<String, Backtest.SymbolResult> expectedReplay = Backtest.run(REPLAY_PARAMS, forBacktest(history));
            await("the replay, once the job has found the new topic", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) >= expectedMetricRows(expectedReplay));
            assertRowsEqualBacktest(run, expectedReplay);

            produceRaw(replayTopic, List.<String[]>of(new String[] {"BTCUSD",
                    "{\"symbol\":\"BTCUSD\",\"price\":1,\"ts\":" + (LIVE + 1) + "}"}));
            await("the live tick on the replay topic rejected", Duration.ofSeconds(30), () -> count(
                    "SELECT count(*) FROM rejected_ticks WHERE source LIKE ? AND reason LIKE ?", "kafka:" + replayTopic + "/%",
                    "MISSING_FIELD: replay_run_id or replay_sweep_id (topic '" + replayTopic + "' carries %") == 1);
            assertEquals(1, count("SELECT count(*) FROM rejected_ticks"), "nothing else rejected");
            assertEquals(liveTicks.size() + 2, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "the archive stored the live ticks and sentinels");
            assertEquals(history.size() + liveTicks.size() + 2, count("SELECT count(*) FROM price_ticks"),
                    "and nothing from the replay topic");
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get());
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void replaysAtEverySpeedupGiveIdenticalRowsAndLeaveLiveRunsAlone() throws Exception {
        String topic = newTopic(2);
        UUID live = createRun(RunType.LIVE, LIVE_PARAMS);
        UUID atMax = createRun(RunType.REPLAY, REPLAY_PARAMS);
        UUID at50 = createRun(RunType.REPLAY, REPLAY_PARAMS);

        List<TestTick> history = history();
        storeHistory(history);
        Instant start = Instant.ofEpochMilli(HISTORY);
        Instant end = endOf(history);
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
            Map<String, Backtest.SymbolResult> expectedLive = Backtest.run(LIVE_PARAMS, forBacktest(liveTicks));
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
