package io.quantsignals.job.runs;

import io.quantsignals.core.strategy.ReplayBars;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runs that evaluate one replay stream, grouped by bar interval: a single REPLAY run (ticks
 * with {@code replay_run_id}) or every active run of a sweep (ticks with {@code replay_sweep_id}).
 * The job builds each group's bars once ({@link ReplayBars}) and feeds them to each of its runs, so
 * a tick costs one bar update per interval, whatever the number of runs.
 *
 * @param id {@code run:<id>} or {@code sweep:<id>}: the prefix of the stream's bar states
 */
public record ReplayStream(String id, List<Group> groups) {

    /**
     * The runs of one bar interval, in the order the directory lists them.
     *
     * @param barsKey the key of the group's bar state under a symbol: {@code <stream id>:<interval ms>}
     */
    public record Group(String barsKey, long intervalMillis, List<RunConfig> runs, boolean anyTradesEverySymbol,
                        Set<String> symbols) {
        /** Whether a run of the group trades {@code symbol}. */
        public boolean tradesSymbol(String symbol) {
            return anyTradesEverySymbol || symbols.contains(symbol);
        }
    }

    public static ReplayStream ofRun(RunConfig run) {
        return of(runStreamId(run.runId), List.of(run));
    }

    public static ReplayStream ofSweep(String sweepId, List<RunConfig> runs) {
        return of(sweepStreamId(sweepId), runs);
    }

    /** The id of a single REPLAY run's stream. */
    public static String runStreamId(String runId) {
        return "run:" + runId;
    }

    /** The id of a sweep's stream. */
    public static String sweepStreamId(String sweepId) {
        return "sweep:" + sweepId;
    }

    /** Whether {@code barsKey} (a key of the job's replay bar state) belongs to a stream whose id is in {@code ids}. */
    public static boolean belongsTo(String barsKey, Set<String> ids) {
        int colon = barsKey.lastIndexOf(':');
        return colon > 0 && ids.contains(barsKey.substring(0, colon));
    }

    private static ReplayStream of(String id, List<RunConfig> runs) {
        Map<Long, List<RunConfig>> byInterval = new LinkedHashMap<>();
        for (RunConfig run : runs) {
            byInterval.computeIfAbsent(run.params().barIntervalMillis(), k -> new ArrayList<>()).add(run);
        }
        List<Group> groups = new ArrayList<>(byInterval.size());
        for (Map.Entry<Long, List<RunConfig>> e : byInterval.entrySet()) {
            boolean everySymbol = false;
            Set<String> symbols = new HashSet<>();
            for (RunConfig run : e.getValue()) {
                if (run.params().symbols() == null) {
                    everySymbol = true;
                } else {
                    symbols.addAll(run.params().symbols());
                }
            }
            groups.add(new Group(id + ":" + e.getKey(), e.getKey(), List.copyOf(e.getValue()), everySymbol,
                    Set.copyOf(symbols)));
        }
        return new ReplayStream(id, List.copyOf(groups));
    }
}
