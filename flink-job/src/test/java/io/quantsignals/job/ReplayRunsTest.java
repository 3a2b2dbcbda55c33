package io.quantsignals.job;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replay ticks (SPEC §7 message format, as the replay tool publishes them) evaluated for their
 * REPLAY run only, on their own event-time clock, while live ticks flow on the same topic.
 */
class ReplayRunsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD");
    private static final long HISTORY = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    private static final long LIVE = 1_795_000_000_000L;    // 2026-11

    private static List<String[]> replayMessages(UUID run, List<TestTick> ticks, long endTs) {
        List<String[]> messages = new ArrayList<>();
        for (TestTick t : ticks) {
            messages.add(new String[] {t.symbol(), t.json().replace("}", ",\"replay_run_id\":\"" + run + "\"}")});
        }
        for (String symbol : SYMBOLS) {
            messages.add(new String[] {symbol, "{\"symbol\":\"" + symbol + "\",\"ts\":" + endTs
                    + ",\"replay_run_id\":\"" + run + "\",\"replay_end\":true}"});
        }
        return messages;
    }

    @Test
    void identicalReplaysAtDifferentPacesGiveIdenticalRowsAndLeaveLiveRunsAlone() throws Exception {
        String topic = newTopic(2);
        StrategyParams replayParams = new StrategyParams(3, 7, 2, 5.0, 2.0, 60, true, null, null);
        StrategyParams liveParams = new StrategyParams(2, 5, 1, 1.0, 1.0, 60, false, SYMBOLS, null);
        UUID live = createRun(RunType.LIVE, liveParams);
        UUID fastReplay = createRun(RunType.REPLAY, replayParams);
        UUID slowReplay = createRun(RunType.REPLAY, replayParams);

        List<TestTick> history = randomWalk(11, SYMBOLS, 400, HISTORY);
        // The window ends at the first bar boundary after the last tick, so every bar ends within it.
        long endTs = (history.get(history.size() - 1).ts() / 60_000 + 1) * 60_000;
        List<TestTick> liveTicks = randomWalk(12, SYMBOLS, 150, LIVE); // 300 ticks in all

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic)));
        try {
            // Live ticks first, so the live watermark is far ahead of the history being replayed.
            produce(topic, liveTicks.subList(0, 150));
            produceRaw(topic, replayMessages(fastReplay, history, endTs));
            // The "slow" replay: the same ticks in small batches with pauses, interleaved with live ticks.
            List<String[]> slow = replayMessages(slowReplay, history, endTs);
            for (int i = 0; i < slow.size(); i += 100) {
                produceRaw(topic, slow.subList(i, Math.min(slow.size(), i + 100)));
                produce(topic, liveTicks.subList(150 + i / 100 * 15, Math.min(300, 150 + (i / 100 + 1) * 15)));
                Thread.sleep(150);
            }
            produce(topic, liveTicks.subList(Math.min(300, 150 + (slow.size() / 100 + 1) * 15), 300));
            produceWatermarkSentinels(topic, 2, LIVE + Duration.ofDays(30).toMillis());

            Map<String, Backtest.SymbolResult> expectedReplay = Backtest.run(replayParams, forBacktest(history));
            Map<String, Backtest.SymbolResult> expectedLive = Backtest.run(liveParams, forBacktest(liveTicks));
            long replayRows = expectedMetricRows(expectedReplay);
            await("both replays complete, last bar included", Duration.ofSeconds(60), () ->
                    count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", fastReplay) >= replayRows
                            && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", slowReplay) >= replayRows
                            && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", live)
                            >= expectedMetricRows(expectedLive),
                    () -> "expected " + replayRows + " replay rows and " + expectedMetricRows(expectedLive) + " live rows, got "
                            + count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", fastReplay) + ", "
                            + count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", slowReplay) + ", "
                            + count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", live) + " (BTCUSD "
                            + count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ? AND symbol = 'BTCUSD'", live)
                            + ", max " + count("SELECT (extract(epoch from max(metric_time)) * 1000)::bigint FROM strategy_metrics WHERE strategy_run_id = ?", live)
                            + "); live expected per symbol " + expectedLive.get("BTCUSD").metrics().size() + "; rejected "
                            + count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%"));

            assertRowsEqualBacktest(fastReplay, expectedReplay);
            assertRowsEqualBacktest(slowReplay, expectedReplay);
            assertRowsEqualBacktest(live, expectedLive);
            assertEquals(liveTicks.size() + 2, count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic),
                    "replayed history is not stored again");
            assertEquals(0, count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%"),
                    "history is not late for its replay run");
        } finally {
            job.cancel().get();
        }
    }
}
