package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.fixtures.TestTick;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC §8 and §5 step 8 on the running job: kill switches flatten within a second, risk limits halt. */
class KillSwitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final String SYMBOL = "BTCUSD";
    /** Tick bars, fast 2 / slow 4, confirmation 2: a steady climb goes long, and stays long. */
    private static final StrategyParams PARAMS = new StrategyParams(2, 4, 2, 10.0, 5.0, 0, false, List.of(SYMBOL), null);

    @TempDir
    Path killSwitchDir;

    /** Only this test's runs are active, so the job evaluates (and counts) nothing else. */
    @BeforeEach
    void onlyThisTestsRuns() {
        POSTGRES.truncateAll();
    }

    /** Tick i at ts = i seconds, price climbing 10 cents a tick (with a wiggle every 4th). */
    private static List<TestTick> climb(int from, int to) {
        List<TestTick> ticks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int cents = 10_000 + i * 10 - (i % 4 == 3 ? 15 : 0);
            ticks.add(new TestTick(SYMBOL, i * 1_000L, cents / 100 + "." + String.format("%02d", cents % 100)));
        }
        return ticks;
    }

    /** Writes a kill-switch file the way ops-cli does (temp file + atomic rename); returns its mtime. */
    private long engage(String name, String content) throws Exception {
        Path tmp = killSwitchDir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content);
        Path file = killSwitchDir.resolve(name);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return Files.getLastModifiedTime(file).toMillis();
    }

    private JobOptions options(String topic) {
        return JobTestSupport.options(topic, "--kill-switch-dir", killSwitchDir.toString());
    }

    private static long transitionsOf(UUID run, String reason) {
        return count("SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ? AND reason = ?", run, reason);
    }

    private static long metricRows(UUID run) {
        return count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run);
    }

    /** The reference for one run: bars through the pure class, with the kill switch at the given bar counts. */
    private static final class Reference {
        final SmaCrossStrategy strategy = new SmaCrossStrategy(PARAMS);
        final List<MetricRow> metrics = new ArrayList<>();
        final List<PositionTransition> transitions = new ArrayList<>();

        /** Feeds ticks; every tick's bar but the very last completes (the watermark trails by one tick). */
        void ticks(List<TestTick> ticks, boolean lastBarCompletes) {
            for (int i = 0; i < ticks.size(); i++) {
                TestTick t = ticks.get(i);
                long price = t.forBacktest().priceScaled();
                strategy.observeTick(t.ts(), price);
                if (i < ticks.size() - 1 || lastBarCompletes) {
                    bar(t.ts(), price);
                }
            }
        }

        void bar(long ts, long price) {
            BarResult r = strategy.onBar(ts, price);
            metrics.add(r.metric());
            if (r.transition() != null) {
                transitions.add(r.transition());
            }
        }

        void engage(long at) {
            strategy.setKillSwitchEngaged(true);
            PositionTransition exit = strategy.flatten(at, PositionTransition.Reason.KILL_SWITCH);
            if (exit != null) {
                transitions.add(exit);
            }
        }
    }

    /**
     * A flatten's event_time is when its switch was engaged (the file's time, wall clock), while
     * bars carry these test ticks' 1970 times: compare in the order the table query returns.
     */
    private static List<PositionTransition> inTableOrder(List<PositionTransition> transitions) {
        List<PositionTransition> sorted = new ArrayList<>(transitions);
        sorted.sort(java.util.Comparator.comparingLong(PositionTransition::eventTime).thenComparing(t -> t.reason().name()));
        return sorted;
    }

    @Test
    void perRunAndGlobalSwitchesFlattenWithinASecondHoldFlatAndReleaseReenters() throws Exception {
        String topic = newTopic(1);
        UUID a = createRun(RunType.PAPER, PARAMS);
        UUID b = createRun(RunType.LIVE, PARAMS);
        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            List<TestTick> phase1 = climb(0, 20);
            produce(topic, phase1);
            await("both runs long", Duration.ofSeconds(30), () -> metricRows(a) == 19 && metricRows(b) == 19
                    && transitionsOf(a, "SIGNAL") == 1 && transitionsOf(b, "SIGNAL") == 1);

            // A per-run switch: only run a is flattened, within a second, with no tick arriving.
            long startA = System.nanoTime();
            long engagedA = engage("KILL_SWITCH." + a, "{\"reason\":\"desk review\",\"created_by\":\"ops\",\"created_at\":\"now\"}");
            await("run a flattened", Duration.ofSeconds(5), () -> transitionsOf(a, "KILL_SWITCH") == 1);
            long reactionA = (System.nanoTime() - startA) / 1_000_000;
            assertTrue(reactionA <= 1_000, "flattened " + reactionA + " ms after the file appeared");
            assertEquals(0, transitionsOf(b, "KILL_SWITCH"), "a per-run switch touches only its run");

            // The global switch, as an empty file (fail safe: it still engages).
            long startAll = System.nanoTime();
            long engagedAll = engage("KILL_SWITCH", "");
            await("run b flattened", Duration.ofSeconds(5), () -> transitionsOf(b, "KILL_SWITCH") == 1);
            long reactionAll = (System.nanoTime() - startAll) / 1_000_000;
            assertTrue(reactionAll <= 1_000, "flattened " + reactionAll + " ms after the file appeared");
            await("the job's kill_switch_events rows", Duration.ofSeconds(5), () -> count(
                    "SELECT count(*) FROM kill_switch_events WHERE action = 'ENGAGED' AND source = 'FILE'"
                            + " AND (strategy_run_id = ? OR strategy_run_id IS NULL)", a) == 2);

            // Bullish ticks while engaged open nothing.
            List<TestTick> phase2 = climb(20, 35);
            produce(topic, phase2);
            await("phase 2 bars", Duration.ofSeconds(30), () -> metricRows(a) == 34 && metricRows(b) == 34);
            assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)"
                    + " AND metric_time >= to_timestamp(20) AND position <> 0", a, b), "flat while engaged");

            // Release: the regime held long enough, so the next bar re-enters at once (SPEC §8).
            Files.delete(killSwitchDir.resolve("KILL_SWITCH." + a));
            Files.delete(killSwitchDir.resolve("KILL_SWITCH"));
            await("RELEASED events", Duration.ofSeconds(5), () -> count(
                    "SELECT count(*) FROM kill_switch_events WHERE action = 'RELEASED' AND source = 'FILE'") == 2);
            Thread.sleep(500); // the release reaches the strategy operator through the same broadcast
            List<TestTick> phase3 = climb(35, 40);
            produce(topic, phase3);
            await("phase 3 bars", Duration.ofSeconds(30), () -> metricRows(a) == 39 && metricRows(b) == 39);

            Reference refA = new Reference();
            refA.ticks(phase1, false);
            refA.engage(engagedA);
            refA.bar(phase1.get(19).ts(), phase1.get(19).forBacktest().priceScaled());
            refA.ticks(phase2, false);
            refA.strategy.setKillSwitchEngaged(false);
            refA.bar(phase2.get(14).ts(), phase2.get(14).forBacktest().priceScaled());
            refA.ticks(phase3, false);

            Reference refB = new Reference();
            refB.ticks(phase1, false);
            refB.engage(engagedAll);
            refB.bar(phase1.get(19).ts(), phase1.get(19).forBacktest().priceScaled());
            refB.ticks(phase2, false);
            refB.strategy.setKillSwitchEngaged(false);
            refB.bar(phase2.get(14).ts(), phase2.get(14).forBacktest().priceScaled());
            refB.ticks(phase3, false);

            assertEquals(refA.metrics, metrics(a, SYMBOL));
            assertEquals(inTableOrder(refA.transitions), transitions(a, SYMBOL));
            assertEquals(refB.metrics, metrics(b, SYMBOL));
            assertEquals(inTableOrder(refB.transitions), transitions(b, SYMBOL));
            assertEquals(PositionTransition.Reason.SIGNAL, refA.transitions.get(refA.transitions.size() - 1).reason());
            assertEquals(phase2.get(14).ts(), refA.transitions.get(refA.transitions.size() - 1).eventTime(),
                    "re-entered at the first bar after the release");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aRestartWhileEngagedStaysFlat() throws Exception {
        String topic = newTopic(1);
        UUID run = createRun(RunType.PAPER, PARAMS);
        engage("KILL_SWITCH", "{\"reason\":\"market halt\"}");
        FailOnceSink.reset();
        JobOptions options = options(topic);
        JobClient job = start(QuantSignalsJob.withSinks(options,
                FailingSinks.metricsFailingAfter(new PostgresSinks(options.database(), 100, Duration.ofMillis(100)), 25)));
        try {
            produce(topic, climb(0, 20));
            await("the first bars", Duration.ofSeconds(30), () -> metricRows(run) >= 15,
                    () -> "rows " + metricRows(run) + ", written " + FailOnceSink.counters(FailingSinks.METRICS).written().get() + ", failed " + FailOnceSink.counters(FailingSinks.METRICS).failed().get()
                            + ", ticks " + count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic));
            Thread.sleep(1_000); // completed checkpoints, then the crash after the 25th row
            produce(topic, climb(20, 40));
            await("the injected crash", Duration.ofSeconds(30), FailOnceSink.counters(FailingSinks.METRICS).failed()::get);
            // A restored source starts its watermark afresh: later ticks move it past the restored bars.
            produce(topic, climb(40, 45));
            await("all bars after the restart", Duration.ofSeconds(60), () -> metricRows(run) == 44,
                    () -> "rows " + metricRows(run));
            assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ? AND position <> 0", run));
            assertEquals(0, count("SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?", run),
                    "no position was ever opened");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void maxDrawdownHaltsAtTheBarThePureClassSays() throws Exception {
        String topic = newTopic(1);
        // Confirmation 3: the crossover's own exit would come two bars after the risk limit's.
        StrategyParams params = new StrategyParams(2, 4, 3, 10.0, 5.0, 0, false, List.of(SYMBOL), 0.02);
        UUID run = createRun(RunType.PAPER, params);
        // Up 40 ticks (long), a 5% gap down in one tick (the breach), then up again: halted, no re-entry.
        List<TestTick> ticks = new ArrayList<>(climb(0, 40));
        ticks.add(new TestTick(SYMBOL, 40_000, "98.00"));
        for (int i = 41; i < 60; i++) {
            int cents = 9_800 + (i - 40) * 10;
            ticks.add(new TestTick(SYMBOL, i * 1_000L, cents / 100 + "." + String.format("%02d", cents % 100)));
        }
        Map<String, Backtest.SymbolResult> expected = Backtest.run(params, forBacktest(ticks));
        List<Long> halts = expected.get(SYMBOL).riskHaltBarTimes();
        assertEquals(1, halts.size(), "the data breaches the limit once");

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            produce(topic, ticks);
            produceWatermarkSentinels(topic, 1, 1_000_000L);
            await("all bars", Duration.ofSeconds(30), () -> metricRows(run) == expected.get(SYMBOL).metrics().size());
            assertRowsEqualBacktest(run, expected);
            List<PositionTransition> expectedTransitions = expected.get(SYMBOL).transitions();
            PositionTransition last = expectedTransitions.get(expectedTransitions.size() - 1);
            assertEquals(PositionTransition.Reason.RISK_LIMIT, last.reason(), "the halt is the last change: no re-entry");
            assertEquals(41_000, last.eventTime(), "flat from the bar after the breach");
            await("the RISK_LIMIT event", Duration.ofSeconds(5), () -> count("SELECT count(*) FROM kill_switch_events"
                    + " WHERE strategy_run_id = ? AND source = 'RISK_LIMIT' AND action = 'ENGAGED'"
                    + " AND event_time = to_timestamp(? / 1000.0) AND reason LIKE 'drawdown -%'", run, halts.get(0)) == 1);
        } finally {
            job.cancel().get();
        }
    }
}
