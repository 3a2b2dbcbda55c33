package io.quantsignals.cluster;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestServers;
import io.quantsignals.fixtures.TestTick;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.quantsignals.cluster.ClusterTestSupport.*;
import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code flink stop --savepointPath}, then {@code flink run -s <savepoint> -p 3}: the job resumes
 * with another parallelism (keyed state redistributed, Kafka splits reassigned, operator uids
 * matched) and the rows again equal those of a run that was never stopped.
 */
class SavepointRescaleTest {

    @RegisterExtension
    static final FlinkClusterExtension FLINK = new FlinkClusterExtension(TestServers::startServers);

    private static final List<String> SYMBOLS = List.of("SPR-AAA", "SPR-BBB", "SPR-CCC");
    private static final int PARTITIONS = 4;

    @Test
    void stopWithSavepointAndResumeWithAnotherParallelism() throws Exception {
        StandaloneFlinkCluster cluster = FLINK.cluster();
        String topic = newTopic(PARTITIONS);
        StrategyParams minuteBars = new StrategyParams(3, 8, 2, 5.0, 2.5, 60, true, SYMBOLS, null);
        StrategyParams tickBars = new StrategyParams(2, 5, 1, 1.0, 0.5, 0, false, SYMBOLS, null);
        UUID minuteRun = createRun(RunType.PAPER, minuteBars);
        UUID tickRun = createRun(RunType.LIVE, tickBars);
        List<TestTick> ticks = randomWalk(11, SYMBOLS, 600, START);
        int third = ticks.size() / 3;
        List<TestTick> first = ticks.subList(0, third);
        List<TestTick> whileStopped = ticks.subList(third, 2 * third);
        List<TestTick> afterResume = ticks.subList(2 * third, ticks.size());
        long firstRows = expectedMetricRows(Backtest.run(minuteBars, forBacktest(first)))
                + expectedMetricRows(Backtest.run(tickBars, forBacktest(first)));
        Map<String, Backtest.SymbolResult> expectedMinute = Backtest.run(minuteBars, forBacktest(ticks));
        Map<String, Backtest.SymbolResult> expectedTick = Backtest.run(tickBars, forBacktest(ticks));
        long expectedRows = expectedMetricRows(expectedMinute) + expectedMetricRows(expectedTick);

        String jobId = cluster.submit(List.of("-p", "2"), jobArgs(topic, cluster));
        String resumedId = null;
        try {
            cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(90));
            produce(topic, first);
            await("the first third's rows", Duration.ofSeconds(60),
                    () -> metricRows(minuteRun, tickRun) >= firstRows - 2L * SYMBOLS.size(),
                    () -> "rows=" + metricRows(minuteRun, tickRun) + " of " + firstRows + " " + rejectedByReason(topic));

            long t0 = System.nanoTime();
            String savepoint = cluster.stopWithSavepoint(jobId);
            System.out.printf("[cluster] flink stop --savepointPath: %s in %.1f s%n", savepoint, (System.nanoTime() - t0) / 1e9);
            assertEquals("FINISHED", cluster.jobState(jobId), "a stopped job is FINISHED");

            produce(topic, whileStopped); // waits in Kafka for the resumed job

            t0 = System.nanoTime();
            resumedId = cluster.submit(List.of("-s", savepoint, "-p", "3"), jobArgs(topic, cluster));
            cluster.awaitAllTasksRunning(resumedId, Duration.ofSeconds(90));
            System.out.printf("[cluster] flink run -s <savepoint> -p 3: job %s RUNNING after %.1f s, parallelism %s%n",
                    resumedId, (System.nanoTime() - t0) / 1e9, cluster.parallelism(resumedId));
            Map<String, Integer> parallelism = cluster.parallelism(resumedId);
            parallelism.forEach((vertex, p) -> {
                if (vertex.startsWith("sma-crossover") || vertex.startsWith("Source: kafka-ticks")) {
                    assertEquals(3, p, vertex);
                }
            });

            produce(topic, afterResume);
            produceWatermarkSentinels(topic, PARTITIONS, SENTINEL_TS);
            await("every row after the resume", Duration.ofSeconds(90), () -> metricRows(minuteRun, tickRun) >= expectedRows,
                    () -> "rows=" + metricRows(minuteRun, tickRun) + " of " + expectedRows + " " + rejectedByReason(topic));
            Thread.sleep(500); // anything still in flight would show up as an extra row below

            assertRowsEqualBacktestAndNoExtraTransitions(minuteRun, expectedMinute);
            assertRowsEqualBacktestAndNoExtraTransitions(tickRun, expectedTick);
            assertEquals(ticks.size() + PARTITIONS, priceTicks(topic), "every tick stored once in price_ticks");
            assertEquals(0, rejectedTicks(topic), rejectedByReason(topic));
        } finally {
            if (resumedId != null) {
                cluster.cancel(resumedId);
            }
            cluster.cancelAllJobs();
        }
    }
}
