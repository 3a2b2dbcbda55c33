package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad and late messages go to rejected_ticks with their reason; valid results and the job are unaffected. */
class BadTicksTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final long START = 1_717_243_200_000L;

    @Test
    void everyBadMessageIsRejectedWithItsReasonAndNothingElseChanges() throws Exception {
        String topic = newTopic(1);
        StrategyParams params = new StrategyParams(2, 5, 1, 3.0, 1.0, 60, true, List.of("BTCUSD"), null);
        UUID run = createRun(RunType.PAPER, params);
        List<TestTick> valid = randomWalk(99, List.of("BTCUSD"), 300, START);
        List<TestTick> firstPart = valid.subList(0, 150);
        List<TestTick> secondPart = valid.subList(150, valid.size());

        // Bad messages between valid ones: payload -> expected reason code.
        Map<String, String> bad = new TreeMap<>(Map.of(
                "this is not json", "NOT_JSON",
                "{\"price\":800.01,\"ts\":1717243300000}", "MISSING_FIELD",
                "{\"symbol\":\"BTCUSD\",\"ts\":1717243300000}", "MISSING_FIELD",
                "{\"symbol\":\"BTCUSD\",\"price\":NaN,\"ts\":1717243300000}", "INVALID_PRICE",
                "{\"symbol\":\"BTCUSD\",\"price\":-5,\"ts\":1717243300000}", "INVALID_PRICE",
                "{\"symbol\":\"BTCUSD\",\"price\":0,\"ts\":1717243300000}", "INVALID_PRICE",
                "{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":\"yesterday\"}", "INVALID_TIMESTAMP",
                "{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":\"2024-13-45T99:00:00Z\"}", "INVALID_TIMESTAMP",
                "{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":1717243300000,\"replay_run_id\":\""
                        + UUID.randomUUID() + "\"}", "INVALID_RUN_ID"));
        List<String[]> messages = new ArrayList<>();
        List<String> badPayloads = new ArrayList<>(bad.keySet());
        for (int i = 0; i < firstPart.size(); i++) {
            messages.add(new String[] {"BTCUSD", firstPart.get(i).json()});
            if (i % 15 == 7 && !badPayloads.isEmpty()) {
                messages.add(new String[] {"BTCUSD", badPayloads.remove(0)});
            }
        }
        badPayloads.forEach(p -> messages.add(new String[] {"BTCUSD", p}));

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            produceRaw(topic, messages);
            long firstPartBars = expectedMetricRows(Backtest.run(params, forBacktest(firstPart)));
            await("the first part's bars", Duration.ofSeconds(60),
                    () -> count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) >= firstPartBars - 1);

            // Their bars completed long ago: late.
            List<TestTick> late = List.of(new TestTick("BTCUSD", START + 1, "1.23"), new TestTick("BTCUSD", START + 60_000, "2.5"));
            produce(topic, late);
            produce(topic, secondPart);
            produceWatermarkSentinels(topic, 1, START + Duration.ofDays(30).toMillis());

            Map<String, Backtest.SymbolResult> expected = Backtest.run(params, forBacktest(valid));
            await("all bars", Duration.ofSeconds(60), () -> count(
                    "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) >= expectedMetricRows(expected));
            await("all rejections", Duration.ofSeconds(10), () -> count(
                    "SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%") >= bad.size() + late.size());

            assertRowsEqualBacktest(run, expected);
            Map<String, String> rejected = new TreeMap<>();
            List<String> lateRows = new ArrayList<>();
            try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT payload, reason FROM rejected_ticks WHERE source LIKE ? ORDER BY source")) {
                ps.setString(1, "kafka:" + topic + "/%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String code = rs.getString(2).substring(0, rs.getString(2).indexOf(':'));
                        if (code.equals("LATE")) {
                            lateRows.add(rs.getString(1));
                        } else {
                            rejected.put(rs.getString(1), code);
                        }
                    }
                }
            }
            assertEquals(bad, rejected, "each bad message once, with its reason");
            assertEquals(List.of("{\"symbol\":\"BTCUSD\",\"price\":1.23,\"ts\":" + (START + 1) + "}",
                    "{\"symbol\":\"BTCUSD\",\"price\":2.5,\"ts\":" + (START + 60_000) + "}"), lateRows);
            assertEquals(valid.size() + late.size() + 1, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "every well-formed tick is kept as history, late ones included");
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "the job is still running");
        } finally {
            job.cancel().get();
        }
    }
}
