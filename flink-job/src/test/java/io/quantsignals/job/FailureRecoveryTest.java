package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestTick;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes in the middle of the stream, one in each of the job's two pipelines (the signals' metrics
 * sink, the tick archive's sink): the restarted job must leave exactly a clean run's rows.
 */
class FailureRecoveryTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA", "TSLA");
    private static final long START = 1_717_243_200_000L;

    @Test
    void failureMidStreamLosesAndDuplicatesNothing() throws Exception {
        String topic = newTopic(2);
        StrategyParams slow = new StrategyParams(3, 10, 2, 4.0, 1.0, 60, true, SYMBOLS, null);
        StrategyParams fast = new StrategyParams(2, 6, 1, 2.0, 3.0, 0, false, SYMBOLS, null);
        UUID slowRun = createRun(RunType.PAPER, slow);
        UUID fastRun = createRun(RunType.PAPER, fast);
        List<TestTick> ticks = randomWalk(7, SYMBOLS, 600, START);
        List<TestTick> firstHalf = ticks.subList(0, ticks.size() / 2);
        List<TestTick> secondHalf = ticks.subList(ticks.size() / 2, ticks.size());

        // Fail a little after the first half's rows, i.e. while the second half streams in.
        long firstHalfRows = expectedMetricRows(Backtest.run(slow, forBacktest(firstHalf)))
                + expectedMetricRows(Backtest.run(fast, forBacktest(firstHalf)));
        FailOnceSink.reset();
        JobOptions options = options(topic);
        FailOnceSink.Counters metricsSink = FailOnceSink.counters(FailingSinks.METRICS);
        FailOnceSink.Counters archiveSink = FailOnceSink.counters(FailingSinks.PRICE_TICKS);
        QuantSignalsJob job = QuantSignalsJob.withSinks(options, new FailingSinks(
                new PostgresSinks(options.database(), 500, Duration.ofMillis(100)), firstHalfRows + 200,
                firstHalf.size() + 150));

        JobClient client = start(job);
        try {
            produce(topic, firstHalf);
            await("first half processed", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)", slowRun, fastRun)
                    >= firstHalfRows - 10);
            Thread.sleep(1_000); // several completed checkpoints (every 300 ms) before the crash
            assertTrue(!metricsSink.failed().get() && !archiveSink.failed().get(),
                    "the failures must come in the second half");

            produce(topic, secondHalf);
            produceWatermarkSentinels(topic, 2, START + Duration.ofDays(30).toMillis());

            Map<String, Backtest.SymbolResult> expectedSlow = Backtest.run(slow, forBacktest(ticks));
            Map<String, Backtest.SymbolResult> expectedFast = Backtest.run(fast, forBacktest(ticks));
            long expectedRows = expectedMetricRows(expectedSlow) + expectedMetricRows(expectedFast);
            long expectedTicks = ticks.size() + 2;
            await("all rows after the restarts", Duration.ofSeconds(90), () -> metricsSink.failed().get()
                    && archiveSink.failed().get()
                    && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)", slowRun, fastRun)
                    >= expectedRows
                    && count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic) >= expectedTicks,
                    () -> "failed=" + metricsSink.failed().get() + "/" + archiveSink.failed().get()
                            + " written=" + metricsSink.written().get()
                            + " failAfter=" + (firstHalfRows + 200) + " expected=" + expectedRows + " rows=" + count(
                            "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)", slowRun, fastRun)
                            + " status=" + client.getJobStatus().join());
            Thread.sleep(500); // anything still in flight would show up as an extra row below

            assertTrue(metricsSink.failed().get() && archiveSink.failed().get(), "both injected failures happened");
            assertRowsEqualBacktest(slowRun, expectedSlow);
            assertRowsEqualBacktest(fastRun, expectedFast);
            assertEquals(expectedTicks, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "every tick stored once");
            assertEquals(expectedTicks, count("SELECT count(DISTINCT ingest_seq) FROM price_ticks WHERE source = ?",
                    "kafka:" + topic), "every Kafka record stored once");
        } finally {
            client.cancel().get();
        }
    }
}
