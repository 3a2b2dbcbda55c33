package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
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

/** The whole job on the Flink MiniCluster against the real Kafka broker and PostgreSQL. */
class PipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD", "SOLUSD");
    private static final long START = 1_717_243_200_000L; // 2024-06-01T12:00:00Z

    @Test
    void twoRunsWithDifferentParamsMatchThePureStrategyToTheLastBit(@InjectClusterClient RestClusterClient<?> flink) throws Exception {
        String topic = newTopic(2);
        StrategyParams minuteBars = new StrategyParams(3, 8, 2, 5.0, 2.5, 60, false, SYMBOLS, null);
        StrategyParams tickBars = new StrategyParams(2, 5, 1, 1.0, 0.5, 0, true, List.of("BTCUSD", "ETHUSD"), null);
        UUID minuteRun = createRun(RunType.PAPER, minuteBars);
        UUID tickRun = createRun(RunType.LIVE, tickBars);
        List<TestTick> ticks = randomWalk(42, SYMBOLS, 700, START);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            produce(topic, ticks);
            produceWatermarkSentinels(topic, 2, START + Duration.ofDays(30).toMillis());

            Map<String, Backtest.SymbolResult> expectedMinute = Backtest.run(minuteBars, forBacktest(ticks));
            Map<String, Backtest.SymbolResult> expectedTick = Backtest.run(tickBars, forBacktest(ticks));
            long expectedRows = expectedMetricRows(expectedMinute) + expectedMetricRows(expectedTick);
            await("all metric rows", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id IN (?, ?)", minuteRun, tickRun) >= expectedRows);

            assertRowsEqualBacktest(minuteRun, expectedMinute);
            assertRowsEqualBacktest(tickRun, expectedTick);
            assertTrue(expectedTick.values().stream().anyMatch(r -> r.transitions().stream()
                    .anyMatch(t -> Math.abs(t.toPosition() - t.fromPosition()) == 2)), "the data exercises long/short flips");
            await("every tick in price_ticks", Duration.ofSeconds(10), () -> count(
                    "SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic) == ticks.size() + 2);
            assertEquals(0, count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%"));
            assertStateBackend(flink, job);
        } finally {
            job.cancel().get();
        }
    }
}
