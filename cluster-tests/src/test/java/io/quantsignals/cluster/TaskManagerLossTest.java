package io.quantsignals.cluster;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestServers;
import io.quantsignals.fixtures.TestTick;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.quantsignals.cluster.ClusterTestSupport.*;
import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TaskManager JVM killed with SIGKILL while ticks stream in, after at least one completed
 * checkpoint: the job must fail over to the remaining slots, replay from the checkpoint and leave
 * exactly the rows of a run that never failed.
 */
class TaskManagerLossTest {

    @RegisterExtension
    static final FlinkClusterExtension FLINK = new FlinkClusterExtension(TestServers::startServers);

    private static final List<String> SYMBOLS = List.of("TML-AAPL", "TML-MSFT", "TML-NVDA", "TML-TSLA");
    private static final int PARTITIONS = 2;

    @Test
    void killedTaskManagerLosesAndDuplicatesNothing() throws Exception {
        StandaloneFlinkCluster cluster = FLINK.cluster();
        String topic = newTopic(PARTITIONS);
        StrategyParams slow = new StrategyParams(3, 10, 2, 4.0, 1.0, 60, true, SYMBOLS, null);
        StrategyParams fast = new StrategyParams(2, 6, 1, 2.0, 3.0, 0, false, SYMBOLS, null);
        UUID slowRun = createRun(RunType.PAPER, slow);
        UUID fastRun = createRun(RunType.LIVE, fast);
        List<TestTick> ticks = randomWalk(7, SYMBOLS, 600, START);
        List<TestTick> before = ticks.subList(0, ticks.size() * 2 / 5);
        List<TestTick> during = ticks.subList(ticks.size() * 2 / 5, ticks.size());
        long beforeRows = expectedMetricRows(Backtest.run(slow, forBacktest(before)))
                + expectedMetricRows(Backtest.run(fast, forBacktest(before)));
        Map<String, Backtest.SymbolResult> expectedSlow = Backtest.run(slow, forBacktest(ticks));
        Map<String, Backtest.SymbolResult> expectedFast = Backtest.run(fast, forBacktest(ticks));
        long expectedRows = expectedMetricRows(expectedSlow) + expectedMetricRows(expectedFast);

        long submitted = System.nanoTime();
        String jobId = cluster.submit(List.of(), jobArgs(topic, cluster));
        try {
            cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(90));
            System.out.printf("[cluster] flink run -d: job %s RUNNING on %s after %.1f s%n", jobId,
                    cluster.taskManagersOf(jobId), secs(System.nanoTime() - submitted));
            produce(topic, before);
            // Every bar of the first part written but the last open one per (run, symbol).
            await("the first part's rows", Duration.ofSeconds(60),
                    () -> metricRows(slowRun, fastRun) >= beforeRows - 2L * SYMBOLS.size(),
                    () -> "rows=" + metricRows(slowRun, fastRun) + " of " + beforeRows + " " + rejectedByReason(topic));
            long checkpoints = cluster.completedCheckpoints(jobId);
            await("a checkpoint completed after the first part", Duration.ofSeconds(30),
                    () -> cluster.completedCheckpoints(jobId) > checkpoints, () -> "completed=" + checkpoints);

            Set<String> hosts = cluster.taskManagersOf(jobId);
            String victim = hosts.iterator().next();

            // The rest streams in at ~400 ticks/s; the TaskManager dies a quarter of the way through.
            CountDownLatch quarterSent = new CountDownLatch(1);
            CompletableFuture<Long> feeder = CompletableFuture.supplyAsync(() -> {
                try (KafkaProducer<String, String> producer = producer()) {
                    for (int i = 0; i < during.size(); i += 20) {
                        send(producer, topic, during.subList(i, Math.min(i + 20, during.size())));
                        if (i >= during.size() / 4) {
                            quarterSent.countDown();
                        }
                        Thread.sleep(50);
                    }
                    return System.nanoTime();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } finally {
                    quarterSent.countDown();
                }
            });
            assertTrue(quarterSent.await(30, TimeUnit.SECONDS), "the feeder got going");

            long killed = System.nanoTime();
            long pid = cluster.killTaskManager(victim);
            // A restart can be over within a second, before the REST API's cached task states show it;
            // the exception history keeps it.
            cluster.await("the job to notice the lost TaskManager", Duration.ofSeconds(60),
                    () -> {
                        try {
                            return !cluster.allTasksRunning(jobId) || cluster.failuresRecorded(jobId) > 0;
                        } catch (RuntimeException restHiccup) {
                            return false;
                        }
                    });
            long noticed = System.nanoTime();
            cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(120));
            long running = System.nanoTime();
            long fedUntil = feeder.get(60, TimeUnit.SECONDS);
            produceWatermarkSentinels(topic, PARTITIONS, SENTINEL_TS);
            await("every row after the failover", Duration.ofSeconds(90), () -> metricRows(slowRun, fastRun) >= expectedRows,
                    () -> "rows=" + metricRows(slowRun, fastRun) + " of " + expectedRows + " job=" + cluster.jobState(jobId)
                            + " " + rejectedByReason(topic));
            long caughtUp = System.nanoTime();
            Set<String> hostsAfter = cluster.taskManagersOf(jobId);
            System.out.printf("[cluster] TaskManager %s (pid %d) killed with SIGKILL mid-stream: failure noticed after %.1f s,"
                            + " every task RUNNING again (on %s) after %.1f s, every row written after %.1f s"
                            + " (the last tick was sent %.1f s after the kill)%n", victim, pid, secs(noticed - killed),
                    hostsAfter, secs(running - killed), secs(caughtUp - killed), secs(fedUntil - killed));

            Thread.sleep(500); // anything still in flight would show up as an extra row below
            assertRowsEqualBacktestAndNoExtraTransitions(slowRun, expectedSlow);
            assertRowsEqualBacktestAndNoExtraTransitions(fastRun, expectedFast);
            assertEquals(ticks.size() + PARTITIONS, priceTicks(topic), "every tick stored once in price_ticks");
            assertEquals(0, rejectedTicks(topic), rejectedByReason(topic));
            assertFalse(hostsAfter.contains(victim), "the job runs without the killed TaskManager: " + hostsAfter);
            // The metric reaches the REST API through the JobManager's metric fetcher: seconds, more on a loaded machine.
            cluster.await("numRestarts in the REST API", Duration.ofSeconds(30), () -> cluster.jobMetric(jobId, "numRestarts") >= 1);

            // As an operator's supervisor would: a replacement TaskManager joins the cluster.
            long t0 = System.nanoTime();
            String replacement = cluster.startTaskManager(Duration.ofSeconds(90));
            System.out.printf("[cluster] replacement TaskManager %s registered %.1f s after its start%n", replacement,
                    secs(System.nanoTime() - t0));
        } finally {
            cluster.cancel(jobId);
        }
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }
}
