package io.quantsignals.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestServers;
import io.quantsignals.fixtures.TestTick;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded flink-job.jar submitted with the real {@code flink run -d} to a standalone cluster of
 * separate JVMs: it must find every connector class in itself and every Flink class on the cluster,
 * and compute exactly what the pure strategy class computes. Then the cluster's REST API must show
 * the job's own metrics (SPEC §6).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkRunTest {

    @RegisterExtension
    static final FlinkClusterExtension FLINK = new FlinkClusterExtension(TestServers::startServers);

    private static final List<String> SYMBOLS = List.of("RUN-BTC", "RUN-ETH", "RUN-SOL");
    private static final int PARTITIONS = 2;

    private String topic;
    private String jobId;
    private UUID minuteRun;
    private UUID tickRun;
    private UUID untradedRun;
    private Map<String, Backtest.SymbolResult> expectedMinute;
    private Map<String, Backtest.SymbolResult> expectedTick;
    private List<TestTick> ticks;

    @BeforeAll
    void submitAndFeed() throws Exception {
        StandaloneFlinkCluster cluster = FLINK.cluster();
        topic = newTopic(PARTITIONS);
        StrategyParams minuteBars = new StrategyParams(3, 8, 2, 5.0, 2.5, 60, false, SYMBOLS, null);
        StrategyParams tickBars = new StrategyParams(2, 5, 1, 1.0, 0.5, 0, true, SYMBOLS.subList(0, 2), null);
        minuteRun = createRun(RunType.PAPER, minuteBars);
        tickRun = createRun(RunType.LIVE, tickBars);
        untradedRun = createRun(RunType.PAPER, new StrategyParams(2, 4, 1, 0, 0, 60, false, List.of("RUN-NONE"), null));
        ticks = randomWalk(42, SYMBOLS, 600, START);
        expectedMinute = Backtest.run(minuteBars, forBacktest(ticks));
        expectedTick = Backtest.run(tickBars, forBacktest(ticks));

        long t0 = System.nanoTime();
        jobId = cluster.submit(List.of(), jobArgs(topic, cluster));
        cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(60));
        System.out.printf("[cluster] flink run -d: job %s RUNNING on %s after %.1f s%n", jobId,
                cluster.taskManagersOf(jobId), (System.nanoTime() - t0) / 1e9);

        produce(topic, ticks);
        produceWatermarkSentinels(topic, PARTITIONS, SENTINEL_TS);
    }

    @AfterAll
    void cancel() {
        if (jobId != null) {
            FLINK.cluster().cancel(jobId);
        }
    }

    @Test
    @Order(1)
    void rowsEqualThePureStrategy() throws Exception {
        long expectedRows = expectedMetricRows(expectedMinute) + expectedMetricRows(expectedTick);
        await("all metric rows", Duration.ofSeconds(60), () -> metricRows(minuteRun, tickRun) >= expectedRows,
                () -> "rows=" + metricRows(minuteRun, tickRun) + " expected=" + expectedRows
                        + " job=" + FLINK.cluster().jobState(jobId) + " " + rejectedByReason(topic));
        assertRowsEqualBacktestAndNoExtraTransitions(minuteRun, expectedMinute);
        assertRowsEqualBacktestAndNoExtraTransitions(tickRun, expectedTick);
        await("every tick in price_ticks", Duration.ofSeconds(10), () -> priceTicks(topic) == ticks.size() + PARTITIONS,
                () -> "price_ticks=" + priceTicks(topic));
        assertEquals(0, rejectedTicks(topic), "rejected ticks");
    }

    @Test
    @Order(2)
    void restApiShowsTheJobsOwnMetrics() throws Exception {
        StandaloneFlinkCluster cluster = FLINK.cluster();
        List<String> wanted = List.of("ticksIn", "ticksRejected", "bars", "transitions", "activeRuns", "eventTimeLagMillis");
        Map<String, Double> sums = new HashMap<>();
        await("the job's metrics in the cluster's REST API", Duration.ofSeconds(60), () -> {
            sums.clear();
            for (JsonNode vertex : cluster.job(jobId).get("vertices")) {
                String path = "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText();
                // Ids look like "<subtask>.<operator>.<metric>" or "<subtask>.<operator>.rejectReason.<CODE>.<metric>".
                for (JsonNode metric : cluster.get(path + "/metrics")) {
                    String id = metric.get("id").asText();
                    String name = id.substring(id.lastIndexOf('.') + 1);
                    if (wanted.contains(name)) {
                        for (JsonNode value : cluster.get(path + "/metrics?get=" + id)) {
                            sums.merge(name, Double.parseDouble(value.get("value").asText()), Double::sum);
                        }
                    }
                }
            }
            return sums.keySet().containsAll(wanted) && sums.get("ticksIn") >= ticks.size() + PARTITIONS;
        }, () -> "metrics seen (summed over subtasks): " + sums);
        System.out.println("[cluster] job metrics from " + cluster.restUrl() + ": " + sums);
        assertEquals(ticks.size() + PARTITIONS, sums.get("ticksIn").longValue(), "ticksIn counts every message once");
        assertTrue(sums.get("bars") > 0 && sums.get("transitions") > 0, "bars and transitions counted: " + sums);
    }

    /**
     * The folder given as --kill-switch-dir at submission is watched by the job's kill-switch source,
     * which runs on a TaskManager: there (not on the submitting machine) the folder must exist.
     */
    @Test
    @Order(3)
    void killSwitchFolderIsWatchedOnTheTaskManagers() throws Exception {
        Path file = FLINK.cluster().killSwitchDir().resolve("KILL_SWITCH." + untradedRun);
        String events = "SELECT count(*) FROM kill_switch_events WHERE strategy_run_id = ? AND action = ?";
        Files.writeString(file, "{\"reason\":\"cluster test\",\"created_by\":\"cluster-tests\"}");
        try {
            await("an ENGAGED kill_switch_events row", Duration.ofSeconds(20),
                    () -> count(events, untradedRun, "ENGAGED") == 1, () -> "none yet");
        } finally {
            Files.delete(file);
        }
        await("a RELEASED kill_switch_events row", Duration.ofSeconds(20),
                () -> count(events, untradedRun, "RELEASED") == 1, () -> "none yet");
    }
}
