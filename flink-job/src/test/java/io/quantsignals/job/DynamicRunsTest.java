package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossStrategy;
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
}
