package io.quantsignals.job.signal;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.killswitch.KillSwitchChanges;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.killswitch.KillSwitchPoller;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void anEngagedSwitchStaysEngagedThroughUnreadableSnapshots(SignalHarness.Backend backend) throws Exception {
        try (SignalHarness h = new SignalHarness(backend, new KillSwitches(Files.createTempDirectory("kill-switch").toString()), 0)) {
            h.runs(SignalHarness.run("LIVE", PARAMS, 1));
            h.harness.processBroadcastElement(ControlEvent.of(snapshot(global(500))), 0);
            h.harness.processBroadcastElement(ControlEvent.of(KillSwitchSnapshot.unreadable(600)), 0);

            risingBars(h);
            assertEquals(List.of(), h.side(SideOutputs.TRANSITIONS), "no position opened while engaged");
            assertTrue(h.metrics().stream().allMatch(m -> m.position == 0), "flat on every bar");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalHarness.Backend.class)
    void aFolderUnreadableAtStartOpensNoPositionUntilItCanBeRead(SignalHarness.Backend backend) throws Exception {
        UnreadableFolder killSwitches = new UnreadableFolder(Files.createTempDirectory("kill-switch").toString());
        try (SignalHarness h = new SignalHarness(backend, killSwitches, 0)) {
            h.runs(SignalHarness.run("LIVE", PARAMS, 1));
            h.harness.processBroadcastElement(ControlEvent.of(KillSwitchSnapshot.unreadable(100)), 0);

            risingBars(h);
            assertTrue(h.metrics().stream().allMatch(m -> m.position == 0), "flat: the folder may hold a switch");

            // The folder reads again and is empty: the regime that held long enough is entered at the next bar.
            killSwitches.failing = false;
            h.harness.processBroadcastElement(ControlEvent.of(snapshot()), 0);
            h.tick(SYMBOL, 4 * MINUTE, "104");
            h.watermark(5 * MINUTE);
            List<MetricRecord> metrics = h.metrics();
            assertEquals(1, metrics.get(metrics.size() - 1).position, "long once the folder is known to be empty");
        }
    }

    /** Four rising minute bars (100, 101, 102, 103) and a watermark that completes them. */
    private static void risingBars(SignalHarness h) throws Exception {
        for (int i = 0; i < 4; i++) {
            h.tick(SYMBOL, i * MINUTE, String.valueOf(100 + i));
        }
        h.watermark(4 * MINUTE);
        assertEquals(4, h.metrics().size(), "four bars completed");
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

}
