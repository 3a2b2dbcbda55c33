package io.quantsignals.job.signal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.Bars;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.ingest.TickDeserializer;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Sends each tick to every run that evaluates it, as a {@link RoutedTick} keyed by (run, symbol):
 * a live tick to every active LIVE and PAPER run trading its symbol, a replay tick (or end marker)
 * only to the REPLAY run it names (SPEC §7). Also decides lateness of live ticks (SPEC §5 "Bars"):
 * a tick whose bar, for a run's bar interval, is already complete at the current watermark is not
 * routed to that run and is rejected once as {@code LATE}. Deciding here, before the keyBy, gives one rejection per tick
 * however many runs it concerns; the keyed operator can never see a later watermark for the tick
 * than this one did, so a tick routed as on time is on time there too.
 */
public class TickRouter extends BroadcastProcessFunction<Tick, ControlEvent, RoutedTick> {

    private final RunsReader reader;

    private transient RunDirectory directory;
    private transient Counter routed;
    private transient Counter late;
    private transient Counter invalidRun;
    private transient Counter notForThisJob;
    private transient Counter withoutRun;
    private transient volatile long latestWatermark = Long.MIN_VALUE;

    public TickRouter(RunsReader reader) {
        this.reader = reader;
    }

    @Override
    public void open(OpenContext openContext) {
        directory = new RunDirectory(reader);
        var metrics = getRuntimeContext().getMetricGroup();
        routed = metrics.counter("ticksRouted");
        late = metrics.counter("ticksLate");
        invalidRun = metrics.counter("ticksInvalidRun");
        notForThisJob = metrics.counter("ticksNotForThisJob");
        withoutRun = metrics.counter("ticksWithoutRun");
        // Event-time lag: how far the watermark trails the wall clock (large for replays of history).
        metrics.gauge("eventTimeLagMillis", () -> latestWatermark == Long.MIN_VALUE ? 0L
                : System.currentTimeMillis() - latestWatermark);
    }

    @Override
    public void processElement(Tick tick, ReadOnlyContext ctx, Collector<RoutedTick> out) throws Exception {
        long watermark = ctx.currentWatermark();
        latestWatermark = watermark;
        ReadOnlyBroadcastState<String, RunConfig> runs = ctx.getBroadcastState(RunDirectory.RUNS);
        ReadOnlyBroadcastState<String, Long> meta = ctx.getBroadcastState(RunDirectory.RUNS_META);

        boolean isLate = false;
        int routes = 0;
        if (tick.replayRunId != null) {
            if (!directory.inScope(tick.replayRunId)) {
                // Another job (started with --strategy-run-id) evaluates that run.
                notForThisJob.inc();
                return;
            }
            RunConfig run = directory.find(tick.replayRunId, runs, meta);
            if (run == null || !run.isReplay()) {
                invalidRun.inc();
                ctx.output(SideOutputs.REJECTED, rejection(tick, RejectReason.INVALID_RUN_ID,
                        "run " + tick.replayRunId + " is not an active REPLAY run"));
                return;
            }
            // A replay run keeps its own event-time clock: lateness is decided there, not here.
            out.collect(new RoutedTick(run.runId, tick));
            routes++;
        } else if (tick.replayEnd) {
            // A partition's end-of-replay marker: it has moved the watermark, nothing to route.
            return;
        } else {
            for (RunConfig run : directory.active(runs, meta)) {
                if (run.isReplay() || !run.params().tradesSymbol(tick.symbol)) {
                    continue;
                }
                if (Bars.isLate(tick.tsMillis, run.params().barIntervalMillis(), watermark)) {
                    isLate = true;
                } else {
                    out.collect(new RoutedTick(run.runId, tick));
                    routes++;
                }
            }
            if (routes == 0 && !isLate) {
                // Stored in price_ticks all the same; no active run trades this symbol right now.
                withoutRun.inc();
            }
        }
        routed.inc(routes);
        if (isLate) {
            late.inc();
            ctx.output(SideOutputs.REJECTED, rejection(tick, RejectReason.LATE,
                    "its bar had completed (watermark " + watermark + ", tick ts " + tick.tsMillis + ")"));
        }
    }

    @Override
    public void processBroadcastElement(ControlEvent control, Context ctx, Collector<RoutedTick> out) throws Exception {
        if (control.runs == null) {
            return; // kill switches concern the strategy operator only
        }
        RunsSnapshot snapshot = control.runs;
        replaceRuns(ctx.getBroadcastState(RunDirectory.RUNS), snapshot);
        RunDirectory.markSnapshot(ctx.getBroadcastState(RunDirectory.RUNS_META), snapshot.polledAtMillis);
        directory.onSnapshot();
    }

    /** Makes the broadcast state equal to the snapshot (the same on every parallel instance). */
    static void replaceRuns(BroadcastState<String, RunConfig> state, RunsSnapshot snapshot) throws Exception {
        Set<String> current = new HashSet<>();
        for (RunConfig run : snapshot.runs) {
            current.add(run.runId);
            RunConfig old = state.get(run.runId);
            if (old == null || old.version != run.version) {
                state.put(run.runId, run);
            }
        }
        Set<String> gone = new HashSet<>();
        for (Map.Entry<String, RunConfig> e : state.entries()) {
            if (!current.contains(e.getKey())) {
                gone.add(e.getKey());
            }
        }
        for (String runId : gone) {
            state.remove(runId);
        }
    }

    /** A rejected_ticks row for a parsed tick; the payload is its canonical JSON form. */
    static RejectedTick rejection(Tick tick, RejectReason reason, String detail) {
        String payload = "{\"symbol\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(tick.symbol))
                + "\",\"price\":" + ScaledPrice.toBigDecimal(tick.priceScaled).stripTrailingZeros().toPlainString()
                + ",\"ts\":" + tick.tsMillis
                + (tick.replayRunId != null ? ",\"replay_run_id\":\"" + tick.replayRunId + "\"" : "") + "}";
        return new RejectedTick(tick.receivedAtMillis, TickDeserializer.sourceOf(tick), payload, reason + ": " + detail);
    }

    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
    }
}
