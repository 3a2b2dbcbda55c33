package io.quantsignals.job;

import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.PeriodFigures;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.analytics.SummaryAccumulator;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StoreMetrics;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.run.SweepStore;
import io.quantsignals.core.run.SweepSummaries;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.fixtures.TestTick;
import io.quantsignals.job.sink.PostgresSinks;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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
 * Sweeps (issue 12): the replay tool publishes a window once with {@code --sweep-id}, and every run
 * of the sweep evaluates it, with the bars of each bar interval built once. The proof that sharing
 * changes nothing: each run of the sweep has, bit for bit, the rows of the same params run on its
 * own (a REPLAY run replayed with {@code --run-id}) and of the pure Backtest.
 */
class SweepRunsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD");
    /** 2024-06-01T22:00:00Z: the history (about a day) crosses a UTC midnight, so a run has several summary periods. */
    private static final long HISTORY = 1_717_279_200_000L;

    @BeforeEach
    void onlyThisTestsRuns() {
        POSTGRES.truncateAll();
    }

    /** fast × slow × bar interval: two intervals, so the sweep has two groups of shared bars. */
    private static List<StrategyParams> grid() {
        List<StrategyParams> sets = new ArrayList<>();
        for (long interval : new long[] {300, 900}) {
            for (int fast : new int[] {3, 5}) {
                for (int slow : new int[] {8, 13}) {
                    sets.add(new StrategyParams(fast, slow, 1, 5.0, 2.0, interval, true, null, null));
                }
            }
        }
        return sets;
    }

    @Test
    void everyRunOfASweepHasTheRowsOfTheSameParamsRunOnItsOwn() throws Exception {
        String topic = newTopic(2);
        List<TestTick> history = randomWalk(21, SYMBOLS, 7_000, HISTORY);
        storeHistory(history);
        Instant start = Instant.ofEpochMilli(HISTORY);
        Instant end = Instant.ofEpochMilli((history.get(history.size() - 1).ts() / 900_000 + 1) * 900_000);

        List<StrategyParams> sets = grid();
        UUID all = createSweep(StoreMetrics.ALL, sets);
        UUID summaryOnly = createSweep(StoreMetrics.SUMMARY, sets);
        UUID transitionsOnly = createSweep(StoreMetrics.NONE, sets);
        List<UUID> alone = new ArrayList<>();
        for (StrategyParams p : sets) {
            alone.add(createRun(RunType.REPLAY, p));
        }

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic, "--restart-attempts", "0")));
        try {
            String out = replay(topic, "--sweep-id", all, start, end);
            assertTrue(out.contains("for sweep " + all), out);
            replay(topic, "--sweep-id", summaryOnly, start, end);
            replay(topic, "--sweep-id", transitionsOnly, start, end);
            for (UUID run : alone) {
                replay(topic, "--run-id", run, start, end);
            }
            // A sweep nobody created: its ticks are rejected with a reason, not dropped.
            UUID unknown = UUID.randomUUID();
            produceRaw(topic, List.<String[]>of(new String[] {"BTCUSD",
                    "{\"symbol\":\"BTCUSD\",\"price\":1,\"ts\":" + HISTORY + ",\"replay_sweep_id\":\"" + unknown + "\"}"}));

            List<StrategyRun> allRuns = runsOf(all);
            List<StrategyRun> summaryRuns = runsOf(summaryOnly);
            List<StrategyRun> noneRuns = runsOf(transitionsOnly);
            for (int i = 0; i < sets.size(); i++) {
                StrategyParams p = sets.get(i);
                Map<String, Backtest.SymbolResult> expected = Backtest.run(p, forBacktest(history));
                UUID sweepRun = runWith(allRuns, p);
                UUID summaryRun = runWith(summaryRuns, p);
                UUID noneRun = runWith(noneRuns, p);
                UUID own = alone.get(i);
                long bars = expectedMetricRows(expected);
                await("the rows of " + p, Duration.ofSeconds(90), () ->
                        count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", sweepRun) >= bars
                                && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", own) >= bars
                                && summarisedBars(sweepRun) >= bars && summarisedBars(summaryRun) >= bars);
                assertRowsEqualBacktestAndNoExtraTransitions(own, expected);
                assertRowsEqualBacktestAndNoExtraTransitions(sweepRun, expected);
                assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", summaryRun),
                        "store_metrics summary: no metric rows...");
                assertEquals(expectedTransitionRows(expected),
                        count("SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?", summaryRun));
                long transitionRows = expectedTransitionRows(expected);
                await("the transitions of the store_metrics none run", Duration.ofSeconds(30), () -> count(
                        "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?", noneRun) >= transitionRows);
                assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", noneRun)
                        + count("SELECT count(*) FROM strategy_run_summaries WHERE strategy_run_id = ?", noneRun),
                        "store_metrics none: neither metric rows nor summaries");
                for (String symbol : SYMBOLS) {
                    assertEquals(transitions(own, symbol), transitions(summaryRun, symbol), "...the transitions all the same");
                    assertEquals(transitions(own, symbol), transitions(noneRun, symbol), "store_metrics none: the transitions");
                    assertEquals(summaries(sweepRun, symbol), summaries(summaryRun, symbol),
                            "summaries of " + symbol + " with store_metrics all and summary");
                    long days = expected.get(symbol).metrics().stream()
                            .mapToLong(m -> PeriodSummary.periodOf(m.metricTime())).distinct().count();
                    assertTrue(days >= 2, "the history spans a UTC midnight");
                    assertEquals(days, summaries(sweepRun, symbol).size(), "one period per UTC day of " + symbol);
                }
                assertEquals(0, count("SELECT count(*) FROM strategy_run_summaries WHERE strategy_run_id = ?", own),
                        "a run of its own keeps every row and no summary");
                assertSummariesGiveTheFiguresOfTheRows(sweepRun, p);
            }
            await("the unknown sweep's tick", Duration.ofSeconds(30), () -> rejectedTicks(topic) >= 1);
            assertEquals(1, count("SELECT count(*) FROM rejected_ticks WHERE reason LIKE 'INVALID_RUN_ID: sweep "
                    + unknown + " has no active REPLAY run%'"), rejectedByReason(topic));
            assertEquals(1, rejectedTicks(topic), rejectedByReason(topic));
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "never failed (restarts are off)");
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Nothing lost: the summaries' sink fails once in the middle of a sweep's replay; the job
     * restarts from its last checkpoint, reads the replay again from there, and the table ends with
     * exactly the rows of a clean run (the same pure accumulator over the Backtest's bars and
     * transitions), nothing missing, nothing twice.
     */
    @Test
    void aSweepRestartedAfterItsSummarySinkFailedWritesTheRowsOfACleanRun() throws Exception {
        String topic = newTopic(2);
        List<TestTick> history = randomWalk(22, SYMBOLS, 7_000, HISTORY);
        storeHistory(history);
        Instant start = Instant.ofEpochMilli(HISTORY);
        Instant end = Instant.ofEpochMilli((history.get(history.size() - 1).ts() / 900_000 + 1) * 900_000);
        List<StrategyParams> sets = grid().subList(0, 4);
        UUID sweep = createSweep(StoreMetrics.SUMMARY, sets);

        FailOnceSink.reset();
        JobOptions options = options(topic, "--restart-attempts", "1");
        FailOnceSink.Counters summarySink = FailOnceSink.counters(FailingSinks.RUN_SUMMARIES);
        // The first day's 8 rows (4 runs x 2 symbols) complete mid-replay: fail among them.
        JobClient job = start(QuantSignalsJob.withSinks(options, FailingSinks.summariesFailingAfter(
                new PostgresSinks(options.database(), 500, Duration.ofMillis(100)), 5)));
        try {
            replay(topic, "--sweep-id", sweep, start, end);
            List<StrategyRun> runs = runsOf(sweep);
            Map<UUID, Map<String, List<PeriodSummary>>> expected = new HashMap<>();
            for (StrategyRun run : runs) {
                Map<String, List<PeriodSummary>> bySymbol = new HashMap<>();
                // What a run that never failed writes: the job's accumulator over the Backtest's bars and transitions.
                Backtest.run(run.params(), forBacktest(history)).forEach((symbol, result) -> bySymbol.put(symbol,
                        SummaryAccumulator.ofRows(run.id().toString(), symbol, result.metrics(), result.transitions())));
                expected.put(run.id(), bySymbol);
            }
            long rows = expected.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
            await("the summaries after the restart", Duration.ofSeconds(90), () -> summarySink.failed().get()
                    && count("SELECT count(*) FROM strategy_run_summaries") >= rows
                    && runs.stream().allMatch(r -> summarisedBars(r.id()) >= expected.get(r.id()).values().stream()
                    .flatMap(List::stream).mapToLong(PeriodSummary::bars).sum()),
                    () -> "failed " + summarySink.failed().get() + ", rows "
                            + count("SELECT count(*) FROM strategy_run_summaries") + " of " + rows + "; expected "
                            + expected + "; stored " + storedSummaries());
            Thread.sleep(500); // anything still in flight would show up below
            assertTrue(summarySink.failed().get(), "the injected failure happened");
            try (Connection c = POSTGRES.connect()) {
                SweepSummaries read = new SweepSummaries(c);
                for (StrategyRun run : runs) {
                    assertEquals(expected.get(run.id()), read.of(run, null), "the summaries of " + run.params());
                }
            }
            assertEquals(rows, count("SELECT count(*) FROM strategy_run_summaries"), "no extra rows");
            assertEquals(0, count("SELECT count(*) FROM strategy_metrics"), "store_metrics summary: no metric rows");
        } finally {
            job.cancel().get();
        }
    }

    private static String storedSummaries() {
        try (Connection c = POSTGRES.connect(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT strategy_run_id, symbol, period_start, bars FROM strategy_run_summaries ORDER BY 1, 2, 3")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append(rs.getString(1), 0, 8).append(' ').append(rs.getString(2)).append(' ')
                        .append(rs.getString(3)).append(' ').append(rs.getLong(4)).append("; ");
            }
            return sb.toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * What {@code sweeps report} computes from the stored summaries equals what {@code runs report}
     * computes from the same run's stored rows ({@link RunAnalytics}), per symbol: the summaries lose
     * nothing but the bar-by-bar order of the floating-point sums (relative 1e-9).
     */
    private static void assertSummariesGiveTheFiguresOfTheRows(UUID run, StrategyParams params) throws Exception {
        Map<String, List<PeriodSummary>> periods;
        try (Connection c = POSTGRES.connect()) {
            StrategyRun stored = new RunStore(c).find(run).orElseThrow();
            periods = new SweepSummaries(c).of(stored, null);
        }
        Map<String, List<MetricRow>> rows = new HashMap<>();
        Map<String, List<PositionTransition>> transitions = new HashMap<>();
        for (String symbol : SYMBOLS) {
            rows.put(symbol, metrics(run, symbol));
            transitions.put(symbol, transitions(run, symbol));
        }
        RunAnalytics.Result fromRows = RunAnalytics.of(params.barIntervalSeconds(), rows, transitions);
        assertEquals(Set.copyOf(SYMBOLS), periods.keySet());
        for (String symbol : SYMBOLS) {
            Figures expected = fromRows.symbol(symbol).figures();
            Figures actual = PeriodFigures.of(periods.get(symbol), params.barIntervalSeconds());
            String what = run + " " + symbol + " ";
            assertEquals(expected.bars(), actual.bars(), what + "bars");
            assertEquals(expected.firstTime(), actual.firstTime(), what + "first bar");
            assertEquals(expected.lastTime(), actual.lastTime(), what + "last bar");
            assertClose(expected.netReturn(), actual.netReturn(), what + "net return");
            assertClose(expected.maxDrawdown(), actual.maxDrawdown(), what + "max drawdown");
            assertClose(expected.sharpe(), actual.sharpe(), what + "sharpe");
            assertClose(expected.sortino(), actual.sortino(), what + "sortino");
            assertClose(expected.calmar(), actual.calmar(), what + "calmar");
            assertClose(expected.exposure(), actual.exposure(), what + "exposure");
            assertClose(expected.buyAndHold(), actual.buyAndHold(), what + "buy-and-hold");
            assertEquals(expected.trades().closed(), actual.trades().closed(), what + "closed trades");
            assertEquals(expected.trades().wins(), actual.trades().wins(), what + "wins");
            assertClose(expected.trades().profitFactor(), actual.trades().profitFactor(), what + "profit factor");
            assertClose(expected.trades().averagePnl(), actual.trades().averagePnl(), what + "average PnL");
        }
    }

    private static void assertClose(Double expected, Double actual, String what) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, what);
        } else {
            assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-15, what);
        }
    }

    private static UUID createSweep(StoreMetrics storeMetrics, List<StrategyParams> sets) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            return new SweepStore(c).create("sma_cross", "{\"sma_fast_window\":[3,5],\"sma_slow_window\":[8,13],"
                    + "\"bar_interval_seconds\":[300,900]}", storeMetrics, "test", sets).id();
        }
    }

    private static List<StrategyRun> runsOf(UUID sweep) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            return new SweepStore(c).runs(sweep);
        }
    }

    private static UUID runWith(List<StrategyRun> runs, StrategyParams params) {
        return runs.stream().filter(r -> r.params().equals(params)).findFirst().orElseThrow().id();
    }

    private static long summarisedBars(UUID run) {
        return count("SELECT coalesce(sum(bars), 0) FROM strategy_run_summaries WHERE strategy_run_id = ?", run);
    }

    /** A (run, symbol)'s summary rows without the run id, as text: every column, to compare two runs. */
    private static List<String> summaries(UUID run, String symbol) throws Exception {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT to_jsonb(s) - 'strategy_run_id' FROM strategy_run_summaries s"
                        + " WHERE strategy_run_id = ? AND symbol = ? ORDER BY period_start")) {
            ps.setObject(1, run);
            ps.setString(2, symbol);
            List<String> rows = new ArrayList<>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            assertFalse(rows.isEmpty(), "summaries of " + run + " " + symbol);
            return rows;
        }
    }

    /** The real replay tool at max speed for a run or a sweep ({@code option} {@code --run-id} or {@code --sweep-id}). */
    private static String replay(String topic, String option, UUID id, Instant start, Instant end) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReplayTool.execute(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                "--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic, "--db-url", POSTGRES.jdbcUrl(),
                "--db-user", "quant", "--start-ts", start.toString(), "--end-ts", end.toString(), "--speedup", "max",
                option, id.toString());
        assertEquals(0, code, err.toString());
        return out.toString();
    }
}
