package io.quantsignals.job.killswitch;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns the stream of folder snapshots into {@code kill_switch_events} rows: ENGAGED when a file
 * appears (at its last-modified time), RELEASED when it disappears (at the time that was noticed).
 * The files last seen are keyed state (under one constant key), so a restart neither repeats nor
 * misses an event; gauges show what is engaged.
 */
public class KillSwitchChanges extends KeyedProcessFunction<Integer, KillSwitchSnapshot, KillSwitchEvent> {

    private static final MapStateDescriptor<String, KillSwitchFile> SEEN = new MapStateDescriptor<>(
            "kill-switch-seen", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(KillSwitchFile.class));

    private transient MapState<String, KillSwitchFile> seen;
    private transient volatile int engagedScopes;
    private transient volatile int globalEngaged;

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getMapState(SEEN);
        getRuntimeContext().getMetricGroup().gauge("killSwitchEngagedScopes", () -> engagedScopes);
        getRuntimeContext().getMetricGroup().gauge("killSwitchGlobal", () -> globalEngaged);
    }

    @Override
    public void processElement(KillSwitchSnapshot snapshot, Context ctx, Collector<KillSwitchEvent> out) throws Exception {
        if (snapshot.unreadable) {
            return; // nothing known: nothing released, nothing engaged
        }
        Map<String, KillSwitchFile> now = new HashMap<>();
        for (KillSwitchFile f : snapshot.engaged) {
            now.put(f.scope, f);
        }
        Set<String> gone = new HashSet<>();
        for (String scope : seen.keys()) {
            if (!now.containsKey(scope)) {
                gone.add(scope);
            }
        }
        for (String scope : gone) {
            seen.remove(scope);
            out.collect(new KillSwitchEvent(snapshot.readAtMillis, runIdOf(scope), KillSwitchEvent.RELEASED,
                    KillSwitchEvent.SOURCE_FILE, "kill-switch file removed"));
        }
        for (KillSwitchFile f : now.values()) {
            KillSwitchFile before = seen.get(f.scope);
            // A new file, or one replaced between two polls (released and engaged again): each
            // engagement gets its row, at its own file time, which is what `ops-cli kill-switch
            // status` looks for to call it acknowledged.
            if (before == null || before.engagedAtMillis != f.engagedAtMillis) {
                seen.put(f.scope, f);
                String who = f.createdBy.isEmpty() ? "" : " (by " + f.createdBy + ")";
                out.collect(new KillSwitchEvent(f.engagedAtMillis, runIdOf(f.scope), KillSwitchEvent.ENGAGED,
                        KillSwitchEvent.SOURCE_FILE, (f.reason.isEmpty() ? "kill-switch file present" : f.reason) + who));
            }
        }
        engagedScopes = now.size();
        globalEngaged = now.containsKey(KillSwitches.GLOBAL) ? 1 : 0;
    }

    private static String runIdOf(String scope) {
        return KillSwitches.GLOBAL.equals(scope) ? null : scope;
    }
}
