package io.quantsignals.job.signal;

import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.PeriodFigures;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.analytics.SummaryAccumulator;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.RunConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strategy operator's own rules, in Flink's operator harness on the heap and on RocksDB (where a
 * state object is a copy: a step that does not write its state back loses it): lateness decided
 * per run, REPLAY runs on their own clock with reset and end markers, a kill switch engaged before
 * the first broadcast, parameter updates (and the risk halt they lift) from the next bar on.
 */
class SignalFunctionTest {

    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final String SYMBOL = "BTCUSD";

    private static SignalHarness harness(SignalHarness.Backend backend) throws Exception {
        return new SignalHarness(backend, new KillSwitches(Files.createTempDirectory("kill-switch").toString()), 0);
    }

    /**
     * A tick can be late for one run and on time for another (their bars differ): it joins the bar
     * of the run it is on time for, and is rejected once.
     */
    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void lateIsDecidedPerRunAndRejectedOnce(SignalHarness.Backend backend) throws Exception {
        StrategyParams minuteBars = new StrategyParams(1, 2, 1, 0, 0, 60, false, null, null);
        StrategyParams fiveMinuteBars = new StrategyParams(1, 2, 1, 0, 0, 300, false, null, null);
        RunConfig minute = SignalHarness.run("LIVE", minuteBars, 1);
        RunConfig fiveMinutes = SignalHarness.run("PAPER", fiveMinuteBars, 1);
        try (SignalHarness h = harness(backend)) {
            h.runs(minute, fiveMinutes);
            h.tick(SYMBOL, 0, "100");
            h.tick(SYMBOL, 70 * SECOND, "101");
            h.watermark(125 * SECOND); // the minute run's bars [0, 60 s) and [60 s, 120 s) are complete
            h.tick(SYMBOL, 110 * SECOND, "99"); // late for the minute run only
            h.watermark(300 * SECOND);

            List<RejectedTick> rejected = h.side(SideOutputs.REJECTED);
            assertEquals(1, rejected.size(), "one LATE row, however many runs: " + rejected);
            assertTrue(rejected.get(0).reason.startsWith("LATE: "), rejected.get(0).reason);
            assertEquals(List.of(100.0, 101.0), closes(h.metrics(), minute), "the late tick is in no minute bar");
            assertEquals(List.of(99.0), closes(h.metrics(), fiveMinutes), "it closes the five-minute bar it was on time for");
        }
    }

    /** A REPLAY run on its own clock: the end marker completes the last bar; a reset marker starts afresh. */
    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void replayEndCompletesTheLastBarAndResetStartsAfresh(SignalHarness.Backend backend) throws Exception {
        StrategyParams params = new StrategyParams(1, 2, 1, 10, 5, 60, true, List.of(SYMBOL), null);
        RunConfig replay = SignalHarness.run("REPLAY", params, 1);
        long[] times = {0, 30 * SECOND, 70 * SECOND, 130 * SECOND, 150 * SECOND};
        String[] prices = {"100", "102", "99", "104", "103"};
        try (SignalHarness h = harness(backend)) {
            h.runs(replay);
            for (int pass = 0; pass < 2; pass++) {
                h.replayMarker(replay.runId, SYMBOL, times[0], false);
                for (int i = 0; i < times.length; i++) {
                    h.replayTick(replay.runId, SYMBOL, times[i], prices[i]);
                }
                h.replayMarker(replay.runId, SYMBOL, 180 * SECOND, true);
            }
            h.replayTick(replay.runId, "ETHUSD", 10 * SECOND, "5"); // not a symbol of the run: ignored

            List<MetricRow> expected = new ArrayList<>();
            SmaCrossStrategy reference = new SmaCrossStrategy(params);
            expected.add(reference.onBar(0, ScaledPrice.parse("102")).metric());
            expected.add(reference.onBar(60 * SECOND, ScaledPrice.parse("99")).metric());
            expected.add(reference.onBar(120 * SECOND, ScaledPrice.parse("103")).metric());
            List<MetricRow> rows = h.metrics().stream().map(SignalFunctionTest::row).toList();
            assertEquals(expected, rows.subList(0, 3), "the end marker completes the bar [120 s, 180 s)");
            assertEquals(expected, rows.subList(3, 6), "after a reset marker the same replay gives the same rows");
            assertEquals(6, rows.size(), "ETHUSD is not the run's symbol");
            assertEquals(List.of(), h.side(SideOutputs.REJECTED), "nothing late: the second pass started afresh");
        }
    }

    /** Before any kill-switch broadcast the operator reads the folder itself: a file there keeps every run flat. */
    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void aKillSwitchEngagedBeforeTheFirstBroadcastKeepsRunsFlat(SignalHarness.Backend backend) throws Exception {
        Path folder = Files.createTempDirectory("kill-switch");
        Files.writeString(folder.resolve("KILL_SWITCH"), "{\"reason\":\"engaged before the job started\"}");
        StrategyParams params = new StrategyParams(1, 2, 1, 0, 0, 60, false, null, null);
        try (SignalHarness h = new SignalHarness(backend, new KillSwitches(folder.toString()), 0)) {
            h.runs(SignalHarness.run("LIVE", params, 1));
            for (int i = 0; i < 4; i++) {
                h.tick(SYMBOL, i * MINUTE, String.valueOf(100 + i));
            }
            h.watermark(4 * MINUTE);
            assertEquals(4, h.metrics().size());
            assertTrue(h.metrics().stream().allMatch(m -> m.position == 0), "flat while the file exists");

            Files.delete(folder.resolve("KILL_SWITCH"));
            h.harness.processBroadcastElement(ControlEvent.of(new KillSwitchSnapshot(new ArrayList<>(), 1)), 0);
            h.tick(SYMBOL, 4 * MINUTE, "104");
            h.watermark(5 * MINUTE);
            assertEquals(1, h.metrics().get(4).position, "released: the regime that held is entered at the next bar");
        }
    }

    /**
     * A params update applies from the next bar with the state kept, and lifts a risk halt (one
     * RELEASED row); the rows equal the pure strategy given the same bars and the same update.
     */
    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void aParamsUpdateAppliesFromTheNextBarAndLiftsARiskHalt(SignalHarness.Backend backend) throws Exception {
        // Confirmation 2: the drop bar keeps the long position, its loss breaches max_drawdown (2%),
        // and the halt closes the position at the next bar (RISK_LIMIT).
        StrategyParams before = new StrategyParams(1, 2, 2, 5, 0, 60, false, null, 0.02);
        StrategyParams after = new StrategyParams(1, 2, 1, 20, 10, 60, false, null, null);
        String runId = UUID.randomUUID().toString();
        String[] phase1 = {"100", "101", "102", "103", "97", "96"};
        String[] phase2 = {"98", "99", "100", "95"};
        SmaCrossStrategy reference = new SmaCrossStrategy(before);
        List<MetricRow> expected = new ArrayList<>();
        List<PositionTransition> expectedTransitions = new ArrayList<>();
        try (SignalHarness h = harness(backend)) {
            h.runs(SignalHarness.run(runId, "LIVE", before, 1));
            int bar = 0;
            for (String p : phase1) {
                h.tick(SYMBOL, bar * MINUTE, p);
                addBar(reference, bar++, p, expected, expectedTransitions);
            }
            h.watermark(bar * MINUTE);
            assertEquals(1, h.side(SideOutputs.KILL_SWITCH_EVENTS).size(), "the halt: " + h.side(SideOutputs.KILL_SWITCH_EVENTS));

            h.runs(SignalHarness.run(runId, "LIVE", after, 2));
            reference.applyParams(after);
            // The first tick after the update is late: the update it applied must still be written back
            // (it once was not: on RocksDB the next tick applied it again and lifted the halt twice).
            h.tick(SYMBOL, 2 * MINUTE, "50");
            assertEquals(1, h.side(SideOutputs.REJECTED).size());
            for (String p : phase2) {
                h.tick(SYMBOL, bar * MINUTE, p);
                addBar(reference, bar++, p, expected, expectedTransitions);
            }
            h.watermark(bar * MINUTE);

            assertEquals(expected, h.metrics().stream().map(SignalFunctionTest::row).toList());
            assertEquals(expectedTransitions, h.side(SideOutputs.TRANSITIONS).stream().map(SignalFunctionTest::transition).toList());
            assertTrue(expectedTransitions.stream().anyMatch(t -> t.reason() == PositionTransition.Reason.RISK_LIMIT), "halted");
            assertTrue(expectedTransitions.stream().anyMatch(t -> t.transactionCost() == 20.0 / 1e4), "new costs after the update");
            List<KillSwitchEvent> events = h.side(SideOutputs.KILL_SWITCH_EVENTS);
            assertEquals(List.of(KillSwitchEvent.ENGAGED, KillSwitchEvent.RELEASED), events.stream().map(e -> e.action).toList());
            assertEquals(5 * MINUTE, events.get(1).eventTimeMillis, "released at the latest time the state knew");
        }
    }

    /**
     * A sweep of two summary runs beside a REPLAY run of its own with the first one's params, all fed
     * the same replay over two UTC days, a kill switch engaged in between and the runs ended after
     * the end marker: the sweep's first run writes no metric row, the same transitions as the run of
     * its own, and (last row per day) exactly the summaries the accumulator makes of that run's rows;
     * the flatten's trade counted. The sweep's second run, other params, is evaluated from the same bars.
     */
    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void aSweepsSummaryRunKeepsTheSummariesOfItsRows(SignalHarness.Backend backend) throws Exception {
        Path folder = Files.createTempDirectory("kill-switch");
        StrategyParams first = new StrategyParams(1, 2, 1, 10, 5, 3600, true, null, null);
        StrategyParams second = new StrategyParams(2, 3, 1, 10, 5, 3600, true, null, null);
        String sweepId = UUID.randomUUID().toString();
        RunConfig own = SignalHarness.run("REPLAY", first, 1);
        RunConfig swept = SignalHarness.run("REPLAY", first, 1);
        RunConfig other = SignalHarness.run("REPLAY", second, 1);
        for (RunConfig r : List.of(swept, other)) {
            r.sweepId = sweepId;
            r.storeMetrics = "summary";
        }
        long day = 86_400_000L;
        try (SignalHarness h = new SignalHarness(backend, new KillSwitches(folder.toString()), 0)) {
            h.runs(own, swept, other);
            h.replayMarker(own.runId, SYMBOL, 20 * 3_600_000L, false);
            h.sweepMarker(sweepId, SYMBOL, 20 * 3_600_000L, false);
            String[] prices = {"100", "103", "101", "106", "104", "99", "97", "102", "105", "100", "98", "103"};
            for (int i = 0; i < prices.length; i++) {
                long ts = 20 * 3_600_000L + i * 3_600_000L; // hourly from 20:00: across midnight
                h.replayTick(own.runId, SYMBOL, ts, prices[i]);
                h.sweepTick(sweepId, SYMBOL, ts, prices[i]);
                // The kill switch between the bars of 01:00 and 02:00 on the second day, with a file time there too
                // (a real file's time is the wall clock, which a replay's bars do not share: README known limits).
                long engagedAt = day + 2 * 3_600_000L - 600_000L;
                if (i == 6) {
                    h.harness.processBroadcastElement(ControlEvent.of(new KillSwitchSnapshot(new ArrayList<>(List.of(
                            new KillSwitchFile(KillSwitches.GLOBAL, engagedAt, "test", "test"))),
                            engagedAt)), 0);
                }
                if (i == 8) {
                    h.harness.processBroadcastElement(ControlEvent.of(new KillSwitchSnapshot(new ArrayList<>(), engagedAt + 1)), 0);
                }
            }
            long end = 20 * 3_600_000L + prices.length * 3_600_000L;
            h.replayMarker(own.runId, SYMBOL, end, true);
            h.sweepMarker(sweepId, SYMBOL, end, true);
            h.runs(); // every run ended: RUN_ENDED flattens, the summaries' last rewrite

            List<MetricRow> ownRows = h.metrics().stream().filter(m -> m.runId.equals(own.runId)).map(SignalFunctionTest::row).toList();
            assertEquals(prices.length, ownRows.size());
            assertTrue(h.metrics().stream().allMatch(m -> m.runId.equals(own.runId)), "summary runs write no metric rows");
            List<PositionTransition> ownTransitions = transitionsOf(h, own);
            assertEquals(ownTransitions, transitionsOf(h, swept), "the sweep's run trades as the run of its own");
            assertTrue(ownTransitions.stream().anyMatch(t -> t.reason() == PositionTransition.Reason.KILL_SWITCH),
                    "the kill switch flattened a position: " + ownTransitions);
            Map<Long, PeriodSummary> lastPerDay = new TreeMap<>();
            for (PeriodSummary p : h.side(SideOutputs.RUN_SUMMARIES)) {
                if (p.runId().equals(swept.runId)) {
                    lastPerDay.put(p.periodStart(), p); // upserted by key: the last row of a day stands
                }
            }
            List<PeriodSummary> expected = SummaryAccumulator
                    .ofRows(swept.runId, SYMBOL, ownRows, ownTransitions);
            assertEquals(2, expected.size(), "two UTC days");
            assertEquals(expected, List.copyOf(lastPerDay.values()));
            // ...whose figures are those runs report computes from the rows, the flattened trades included.
            Figures fromRows = RunAnalytics.of(3600,
                    Map.of(SYMBOL, ownRows), Map.of(SYMBOL, ownTransitions)).symbol(SYMBOL).figures();
            Figures fromSummaries = PeriodFigures.of(
                    List.copyOf(lastPerDay.values()), 3600);
            assertEquals(fromRows.trades().closed(), fromSummaries.trades().closed());
            assertEquals(fromRows.trades().averagePnl(), fromSummaries.trades().averagePnl(), 1e-12);
            assertEquals(fromRows.netReturn(), fromSummaries.netReturn(), 1e-12);
            assertEquals(fromRows.sharpe(), fromSummaries.sharpe(), 1e-9);
            assertTrue(h.side(SideOutputs.RUN_SUMMARIES).stream().anyMatch(p -> p.runId().equals(other.runId)),
                    "the sweep's other run has its summaries too");
        }
    }

    private static List<PositionTransition> transitionsOf(SignalHarness h, RunConfig run) {
        return h.side(SideOutputs.TRANSITIONS).stream().filter(t -> t.runId.equals(run.runId))
                .map(SignalFunctionTest::transition).toList();
    }

    private static void addBar(SmaCrossStrategy reference, int bar, String price, List<MetricRow> metrics,
                               List<PositionTransition> transitions) {
        reference.observeTick(bar * MINUTE, ScaledPrice.parse(price));
        BarResult r = reference.onBar(bar * MINUTE, ScaledPrice.parse(price));
        metrics.add(r.metric());
        if (r.transition() != null) {
            transitions.add(r.transition());
        }
    }

    private static List<Double> closes(List<MetricRecord> metrics, RunConfig run) {
        return metrics.stream().filter(m -> m.runId.equals(run.runId)).map(m -> m.price).toList();
    }

    private static MetricRow row(MetricRecord m) {
        return new MetricRow(m.metricTime, m.price, m.smaFast, m.smaSlow, m.position, m.grossReturn, m.transactionCost,
                m.slippageCost, m.netReturn, m.cumulativeReturn, m.drawdown);
    }

    private static PositionTransition transition(TransitionRecord t) {
        return new PositionTransition(t.eventTime, t.fromPosition, t.toPosition, t.price, t.fillPrice, t.transactionCost,
                t.slippageCost, PositionTransition.Reason.valueOf(t.reason));
    }
}
