package io.quantsignals.job.runs;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers "which runs are active, and with which parameters" inside an operator.
 *
 * <p>The source of truth is the broadcast state, filled by the runs source once a second. Two
 * moments come before any broadcast: a fresh job start (ticks may reach an operator before the
 * first snapshot) and a REPLAY run created a moment before the replay tool publishes its ticks.
 * Dropping those ticks would lose data silently, so in both cases the directory reads the
 * database directly: the whole snapshot once per operator start, and a single run on a miss
 * (misses are remembered for a second, so a bad run id cannot hammer the database).
 */
public final class RunDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);
    private static final long MISS_MEMORY_MILLIS = 1_000;
    private static final String POLLED_AT = "polledAt";
    private static final String KILL_SWITCHES_READ_AT = "killSwitchesReadAt";

    /** Broadcast state: active runs by id. */
    public static final MapStateDescriptor<String, RunConfig> RUNS = new MapStateDescriptor<>(
            "runs", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(RunConfig.class));
    /** Broadcast state: when the last runs and kill-switch snapshots were read (absent: none received yet). */
    public static final MapStateDescriptor<String, Long> RUNS_META = new MapStateDescriptor<>(
            "runs-meta", BasicTypeInfo.STRING_TYPE_INFO, BasicTypeInfo.LONG_TYPE_INFO);

    private final RunsReader reader;
    private List<RunConfig> startupSnapshot;
    /** The broadcast runs as a list, built once per snapshot: every tick iterates them. */
    private List<RunConfig> broadcastRuns;
    /** The active REPLAY runs by sweep id, built from the active runs once per snapshot: every sweep tick looks here. */
    private Map<String, ReplayStream> sweeps;
    /** The replay stream of each single REPLAY run seen since the last snapshot: built once, not per tick. */
    private final Map<String, ReplayStream> runStreams = new HashMap<>();
    private final Map<String, RunConfig> lookedUp = new HashMap<>();
    private final Map<String, Long> missedAt = new HashMap<>();

    public RunDirectory(RunsReader reader) {
        this.reader = reader;
    }

    public boolean inScope(String runId) {
        return reader.inScope(runId);
    }

    /** Whether the job evaluates one run only ({@code --strategy-run-id}). */
    public boolean scoped() {
        return reader.scoped();
    }

    /** Whether a runs snapshot has been broadcast to this operator (or restored from a checkpoint). */
    public static boolean snapshotReceived(ReadOnlyBroadcastState<String, Long> meta) throws Exception {
        return meta.contains(POLLED_AT);
    }

    public static void markSnapshot(org.apache.flink.api.common.state.BroadcastState<String, Long> meta, long polledAt)
            throws Exception {
        meta.put(POLLED_AT, polledAt);
    }

    /** Whether a kill-switch snapshot has been broadcast to this operator (or restored). */
    public static boolean killSwitchesReceived(ReadOnlyBroadcastState<String, Long> meta) throws Exception {
        return meta.contains(KILL_SWITCHES_READ_AT);
    }

    public static void markKillSwitches(org.apache.flink.api.common.state.BroadcastState<String, Long> meta, long readAt)
            throws Exception {
        meta.put(KILL_SWITCHES_READ_AT, readAt);
    }

    /** Every active run (do not modify the list). */
    public List<RunConfig> active(ReadOnlyBroadcastState<String, RunConfig> runs,
                                  ReadOnlyBroadcastState<String, Long> meta) throws Exception {
        if (broadcastRuns != null) {
            return broadcastRuns;
        }
        if (snapshotReceived(meta)) {
            startupSnapshot = null;
            List<RunConfig> list = new ArrayList<>();
            for (Map.Entry<String, RunConfig> e : runs.immutableEntries()) {
                list.add(e.getValue());
            }
            broadcastRuns = list;
            return list;
        }
        if (startupSnapshot == null) {
            startupSnapshot = reader.readActive().runs;
            LOG.info("no runs broadcast yet: read {} active runs from the database", startupSnapshot.size());
        }
        return startupSnapshot;
    }

    /** One active run by id, or null if there is none (or it is not in this job's scope). */
    public RunConfig find(String runId, ReadOnlyBroadcastState<String, RunConfig> runs,
                          ReadOnlyBroadcastState<String, Long> meta) throws Exception {
        if (!reader.inScope(runId)) {
            return null;
        }
        RunConfig known = runs.get(runId);
        if (known != null) {
            return known;
        }
        if (!snapshotReceived(meta)) {
            for (RunConfig c : active(runs, meta)) {
                if (c.runId.equals(runId)) {
                    return c;
                }
            }
        }
        return lookUp(runId);
    }

    /**
     * The active REPLAY runs of a sweep (in this job's scope), or null if it has none. A sweep
     * created a moment before its replay is read from the database, like a single run (see the
     * class comment).
     */
    public ReplayStream sweep(String sweepId, ReadOnlyBroadcastState<String, RunConfig> runs,
                                     ReadOnlyBroadcastState<String, Long> meta) throws Exception {
        if (sweeps == null) {
            sweeps = bySweep(active(runs, meta));
        }
        ReplayStream known = sweeps.get(sweepId);
        if (known != null) {
            return known;
        }
        String missKey = "sweep " + sweepId;
        Long missed = missedAt.get(missKey);
        long now = System.currentTimeMillis();
        if (missed != null && now - missed < MISS_MEMORY_MILLIS) {
            return null;
        }
        ReplayStream read = bySweep(reader.readActive().runs).get(sweepId);
        if (read == null) {
            missedAt.put(missKey, now);
            return null;
        }
        sweeps.put(sweepId, read);
        return read;
    }

    /**
     * The replay stream of a single REPLAY run (its ticks carry its run id), as {@link #find} found
     * it; kept until the next snapshot, which is also what brings a run's new params.
     */
    public ReplayStream replayStream(RunConfig run) {
        return runStreams.computeIfAbsent(run.runId, id -> ReplayStream.ofRun(run));
    }

    private static Map<String, ReplayStream> bySweep(List<RunConfig> active) {
        Map<String, List<RunConfig>> runs = new HashMap<>();
        for (RunConfig run : active) {
            if (run.sweepId != null && run.isReplay()) {
                runs.computeIfAbsent(run.sweepId, k -> new ArrayList<>()).add(run);
            }
        }
        Map<String, ReplayStream> index = new HashMap<>();
        runs.forEach((sweepId, list) -> index.put(sweepId, ReplayStream.ofSweep(sweepId, list)));
        return index;
    }

    private RunConfig lookUp(String runId) throws SQLException {
        RunConfig cached = lookedUp.get(runId);
        if (cached != null) {
            return cached;
        }
        Long missed = missedAt.get(runId);
        long now = System.currentTimeMillis();
        if (missed != null && now - missed < MISS_MEMORY_MILLIS) {
            return null;
        }
        Optional<RunConfig> found = reader.readActive(runId);
        if (found.isPresent()) {
            lookedUp.put(runId, found.get());
            missedAt.remove(runId);
            return found.get();
        }
        missedAt.put(runId, now);
        return null;
    }

    /** A new snapshot arrived: runs looked up directly are now covered by it (or have ended). */
    public void onSnapshot() {
        startupSnapshot = null;
        broadcastRuns = null;
        sweeps = null;
        runStreams.clear();
        lookedUp.clear();
        missedAt.clear();
    }

    public void close() {
        reader.close();
    }
}
