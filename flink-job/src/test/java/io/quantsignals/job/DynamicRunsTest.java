package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import java.util.Map;
import io.quantsignals.core.strategy.Backtest;
import org.apache.flink.api.common.JobStatus;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs created, updated and ended while the job runs take effect within 5 seconds, without a
 * restart. Uses the production poll interval (the job's default), and waits exactly the 5 seconds
 * the contract promises after each change.
 */
class DynamicRunsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final Duration CONTRACT = Duration.ofSeconds(5);
    private static final long START = 1_717_243_200_000L;

    /** Tick bars, one tick a second: a steady climb, so the run ends up long. */
    private static List<TestTick> climb(int from, int count, long startMillis) {
        List<TestTick> ticks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cents = 10_000 + (from + i) * 37 + ((from + i) % 5 == 0 ? -90 : 0);
            ticks.add(new TestTick("ETHUSD", startMillis + (from + i) * 1_000L, cents / 100 + "." + String.format("%02d", cents % 100)));
        }
        return ticks;
    }

    @Test
    void createUpdateAndEndTakeEffectWithoutRestart() throws Exception {
        String topic = newTopic(1);
        JobOptions options = JobOptions.parse(java.util.Map.of(), "--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", "quant", "--checkpoint-interval", "500ms",
                "--max-out-of-orderness", "0s", "--parallelism", "2");
        JobClient job = start(QuantSignalsJob.fromOptions(options));
        try {
            Thread.sleep(3_000); // the job is up and knows no run for this test yet

            StrategyParams before = new StrategyParams(2, 4, 1, 10.0, 0.0, 0, false, List.of("ETHUSD"), null);
            StrategyParams after = new StrategyParams(2, 4, 1, 20.0, 5.0, 0, false, List.of("ETHUSD"), null);
            UUID run = createRun(RunType.PAPER, before);
            Thread.sleep(CONTRACT.toMillis());

            List<TestTick> phase1 = climb(0, 40, START);
            produce(topic, phase1);
            await("phase 1 bars", Duration.ofSeconds(30),
                    () -> count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) == phase1.size() - 1);

            try (Connection c = POSTGRES.connect()) {
                assertTrue(new RunStore(c).updateParams(run, after, "test"));
            }
            Thread.sleep(CONTRACT.toMillis());
            List<TestTick> phase2 = climb(40, 40, START);
            produce(topic, phase2);
            int bars = phase1.size() + phase2.size() - 1; // the last tick's bar is still open
            await("phase 2 bars", Duration.ofSeconds(30),
                    () -> count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) == bars);

            try (Connection c = POSTGRES.connect()) {
                assertTrue(new RunStore(c).end(run));
            }
            await("the RUN_ENDED transition", CONTRACT, () -> count(
                    "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ? AND reason = 'RUN_ENDED'", run) == 1);
            produce(topic, climb(80, 20, START));
            Thread.sleep(2_000);

            // The reference: the same bars through the pure class, new params from the first bar
            // completed after the update, then the flatten at the latest tick.
            SmaCrossStrategy reference = new SmaCrossStrategy(before);
            List<MetricRow> expectedMetrics = new ArrayList<>();
            List<PositionTransition> expectedTransitions = new ArrayList<>();
            List<TestTick> all = new ArrayList<>(phase1);
            all.addAll(phase2);
            for (int i = 0; i < all.size(); i++) {
                TestTick t = all.get(i);
                long price = t.forBacktest().priceScaled();
                reference.observeTick(t.ts(), price);
                if (i == phase1.size() - 1) {
                    reference.applyParams(after); // this bar completed only after the update
                }
                if (i == all.size() - 1) {
                    break; // the bar still open when the run ended
                }
                BarResult r = reference.onBar(t.ts(), price);
                expectedMetrics.add(r.metric());
                if (r.transition() != null) {
                    expectedTransitions.add(r.transition());
                }
            }
            assertEquals(1, reference.position(), "the data leaves the run long");
            expectedTransitions.add(reference.flatten(all.get(all.size() - 1).ts(), PositionTransition.Reason.RUN_ENDED));

            assertEquals(expectedMetrics, metrics(run, "ETHUSD"), "no rows after the end, new costs after the update");
            assertEquals(expectedTransitions, transitions(run, "ETHUSD"));
            assertTrue(expectedTransitions.stream().anyMatch(t -> t.transactionCost() == 20.0 / 1e4),
                    "a trade after the update carries the new cost");
        } finally {
            job.cancel().get();
        }
    }

    /**
     * strategy_runs edited by hand: a run whose stored params no longer parse neither stops the job
     * (it used to fail the runs source at start-up: a restart loop) nor hides the other runs. A run
     * that was valid keeps its last valid params; one never seen valid is not evaluated.
     */
    @Test
    void aRunWithCorruptStoredParamsStopsNothing() throws Exception {
        String topic = newTopic(1);
        StrategyParams params = new StrategyParams(2, 4, 1, 10.0, 0.0, 0, false, List.of("ETHUSD"), null);
        UUID good = createRun(RunType.PAPER, params);
        UUID keepsItsParams = createRun(RunType.PAPER, params);
        UUID neverValid = createRun(RunType.PAPER, params);
        corrupt(neverValid);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic, "--restart-attempts", "0")));
        try {
            List<TestTick> phase1 = climb(0, 30, START);
            produce(topic, phase1);
            await("phase 1 bars of the valid runs", Duration.ofSeconds(30), () ->
                    count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", keepsItsParams) == phase1.size() - 1);
            corrupt(keepsItsParams);
            Thread.sleep(1_500); // a few polls of strategy_runs see the corrupt row
            List<TestTick> all = new ArrayList<>(phase1);
            all.addAll(climb(30, 30, START));
            produce(topic, all.subList(phase1.size(), all.size()));

            Map<String, Backtest.SymbolResult> expected = Backtest.run(params, forBacktest(all.subList(0, all.size() - 1)));
            await("every bar of the valid runs", Duration.ofSeconds(30), () ->
                    count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", good) == all.size() - 1
                            && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", keepsItsParams) == all.size() - 1);
            assertRowsEqualBacktest(good, expected);
            assertRowsEqualBacktest(keepsItsParams, expected);
            assertEquals(0, count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", neverValid));
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "never failed (restarts are off)");
        } finally {
            job.cancel().get();
        }
    }

    /** What a hand edit can leave: a window that is not a number. */
    private static void corrupt(UUID run) throws Exception {
        try (Connection c = POSTGRES.connect(); var ps = c.prepareStatement(
                "UPDATE strategy_runs SET params = jsonb_set(params, '{sma_fast_window}', '\"two\"') WHERE strategy_run_id = ?")) {
            ps.setObject(1, run);
            assertEquals(1, ps.executeUpdate());
        }
    }
}
