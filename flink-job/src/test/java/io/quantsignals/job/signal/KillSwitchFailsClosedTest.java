package io.quantsignals.job.signal;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.killswitch.KillSwitchChanges;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.killswitch.KillSwitchPoller;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kill switch fails closed (issue 11, item 6): when the folder cannot be read, nothing that was
 * engaged is released and no position opens that a file might forbid. Operator harnesses, no cluster.
 */
class KillSwitchFailsClosedTest {

    private static final String SYMBOL = "BTCUSD";
    private static final long MINUTE = 60_000;
    /** Fast 1, slow 2, one-bar confirmation, 60 s bars: rising closes go long at the second bar. */
    private static final StrategyParams PARAMS = new StrategyParams(1, 2, 1, 0.0, 0.0, 60, false, null, null);
    /** No database is involved once runs are broadcast; a read would fail loudly on this address. */
    private static final DatabaseSettings NO_DATABASE = new DatabaseSettings("jdbc:postgresql://127.0.0.1:1/none", "none", null);

    /** A folder that cannot be read (root reads every folder, so the failure is made, not found). */
    private static final class UnreadableFolder extends KillSwitches {
        boolean failing = true;

        UnreadableFolder(String directory) {
            super(directory);
        }

        @Override
        public KillSwitchSnapshot read() throws IOException {
            if (failing) {
                throw new IOException("Input/output error");
            }
            return super.read();
        }
    }

    @Test
    void theFirstFailedReadAfterAStartReportsNothingKnownAndLaterFailuresRepeatTheLastState() throws Exception {
        Path folder = Files.createTempDirectory("kill-switch");
        Files.writeString(folder.resolve("KILL_SWITCH"), "{}");
        UnreadableFolder killSwitches = new UnreadableFolder(folder.toString());
        KillSwitchPoller poller = new KillSwitchPoller(killSwitches);

        KillSwitchSnapshot first = poller.map(0L);
        assertTrue(first.unreadable, "nothing is known: not an empty folder");
        assertTrue(first.engaged.isEmpty());

        killSwitches.failing = false;
        assertEquals(List.of(KillSwitches.GLOBAL), scopes(poller.map(1L)));
        killSwitches.failing = true;
        KillSwitchSnapshot later = poller.map(2L);
        assertFalse(later.unreadable);
        assertEquals(List.of(KillSwitches.GLOBAL), scopes(later), "the last state read, repeated");
    }

    @Test
    void anUnreadableSnapshotReleasesNoSwitch() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Integer, KillSwitchSnapshot, KillSwitchEvent> harness =
                     new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new KillSwitchChanges()),
                             snapshot -> 0, Types.INT)) {
            harness.open();
            harness.processElement(snapshot(global(1_000)), 1);
            harness.processElement(KillSwitchSnapshot.unreadable(2_000), 2);
            harness.processElement(KillSwitchSnapshot.unreadable(3_000), 3);
            assertEquals(List.of(KillSwitchEvent.ENGAGED), actions(harness.extractOutputValues()), "engaged once, never released");

            harness.processElement(snapshot(), 4);
            assertEquals(List.of(KillSwitchEvent.ENGAGED, KillSwitchEvent.RELEASED), actions(harness.extractOutputValues()),
                    "released when a read shows the file gone");
        }
    }

    @Test
    void anEngagedSwitchStaysEngagedThroughUnreadableSnapshots() throws Exception {
        RunConfig run = liveRun();
        try (var harness = signalHarness(new KillSwitches(Files.createTempDirectory("kill-switch").toString()))) {
            harness.processBroadcastElement(ControlEvent.of(new RunsSnapshot(List.of(run), 0)), 0);
            harness.processBroadcastElement(ControlEvent.of(snapshot(global(500))), 0);
            harness.processBroadcastElement(ControlEvent.of(KillSwitchSnapshot.unreadable(600)), 0);

            risingBars(harness);
            assertEquals(List.of(), harness.getSideOutput(SideOutputs.TRANSITIONS) == null ? List.of()
                    : values(harness.getSideOutput(SideOutputs.TRANSITIONS)), "no position opened while engaged");
            assertTrue(harness.extractOutputValues().stream().allMatch(m -> m.position == 0), "flat on every bar");
        }
    }

    @Test
    void aFolderUnreadableAtStartOpensNoPositionUntilItCanBeRead() throws Exception {
        RunConfig run = liveRun();
        UnreadableFolder killSwitches = new UnreadableFolder(Files.createTempDirectory("kill-switch").toString());
        try (var harness = signalHarness(killSwitches)) {
            harness.processBroadcastElement(ControlEvent.of(new RunsSnapshot(List.of(run), 0)), 0);
            harness.processBroadcastElement(ControlEvent.of(KillSwitchSnapshot.unreadable(100)), 0);

            risingBars(harness);
            assertTrue(harness.extractOutputValues().stream().allMatch(m -> m.position == 0), "flat: the folder may hold a switch");

            // The folder reads again and is empty: the regime that held long enough is entered at the next bar.
            killSwitches.failing = false;
            harness.processBroadcastElement(ControlEvent.of(snapshot()), 0);
            harness.processElement(tick(4 * MINUTE, "104"), 4 * MINUTE);
            harness.watermark(5 * MINUTE); // both inputs: the control side carries no event time
            List<MetricRecord> metrics = harness.extractOutputValues();
            assertEquals(1, metrics.get(metrics.size() - 1).position, "long once the folder is known to be empty");
        }
    }

    /** Four rising minute bars (100, 101, 102, 103) and a watermark that completes them. */
    private static void risingBars(KeyedBroadcastOperatorTestHarness<String, Tick, ControlEvent, MetricRecord> harness)
            throws Exception {
        for (int i = 0; i < 4; i++) {
            harness.processElement(tick(i * MINUTE, String.valueOf(100 + i)), i * MINUTE);
        }
        harness.watermark(4 * MINUTE); // both inputs: the control side carries no event time
        assertEquals(4, harness.extractOutputValues().size(), "four bars completed");
    }

    private static KeyedBroadcastOperatorTestHarness<String, Tick, ControlEvent, MetricRecord> signalHarness(
            KillSwitches killSwitches) throws Exception {
        SignalFunction function = new SignalFunction(new RunsReader(NO_DATABASE, null,
                StrategyParamsParser.CostDefaults.ZERO), killSwitches, 0);
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function, tick -> tick.symbol, Types.STRING,
                RunDirectory.RUNS, RunDirectory.RUNS_META, KillSwitches.ENGAGED);
    }

    private static RunConfig liveRun() {
        RunConfig run = new RunConfig();
        run.runId = UUID.randomUUID().toString();
        run.runType = "LIVE";
        run.paramsJson = StrategyParamsParser.toJson(PARAMS);
        run.version = 1;
        return run;
    }

    private static Tick tick(long ts, String price) {
        return new Tick(SYMBOL, ts, ScaledPrice.parse(price));
    }

    private static KillSwitchFile global(long at) {
        return new KillSwitchFile(KillSwitches.GLOBAL, at, "test", "test");
    }

    private static KillSwitchSnapshot snapshot(KillSwitchFile... engaged) {
        return new KillSwitchSnapshot(new ArrayList<>(List.of(engaged)), System.currentTimeMillis());
    }

    private static List<String> scopes(KillSwitchSnapshot snapshot) {
        return snapshot.engaged.stream().map(f -> f.scope).toList();
    }

    private static List<String> actions(List<KillSwitchEvent> events) {
        return events.stream().map(e -> e.action).toList();
    }

    private static <T> List<T> values(Queue<StreamRecord<T>> records) {
        return records.stream().map(StreamRecord::getValue).toList();
    }
}
