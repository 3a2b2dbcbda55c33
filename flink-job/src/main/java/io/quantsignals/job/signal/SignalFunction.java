package io.quantsignals.job.signal;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.SummaryAccumulator;
import io.quantsignals.core.analytics.SummaryState;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.PendingBar;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.ReplayBars;
import io.quantsignals.core.strategy.ReplayBarsState;
import io.quantsignals.core.strategy.RunSymbolEvaluator;
import io.quantsignals.core.strategy.RunSymbolState;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.ingest.RejectionCounters;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.runs.ReplayStream;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The strategy for every run, per symbol: a thin Flink adapter around the pure
 * {@link RunSymbolEvaluator}. Each step loads a (run, symbol)'s {@link RunSymbolState}, opens an
 * evaluator over it with the run's current params and kill-switch flag, calls it, turns what it
 * completed into rows and always writes the state back (a heap backend holds the object itself,
 * RocksDB only a copy: a state changed and not written back is a state lost there).
 *
 * <p><b>Keyed by symbol, state per (run, symbol).</b> The Flink key is the symbol; each run trading
 * it has its own state in a map under that key, never shared with another run. A tick therefore
 * crosses the network once, straight from the Kafka source's task, and is evaluated here for every
 * run that trades its symbol. (Keying by (run, symbol) needs a routing operator in front that knows
 * the runs, which costs a second serialization hop per tick and per run: the job measured 5x slower
 * that way, see bench/README.md.)
 *
 * <p><b>Live runs</b> (LIVE, PAPER): a tick joins its pending bar for each run, unless that bar is
 * complete at the watermark: then it is late and rejected once, however many runs it concerns. A
 * new bar registers an event-time timer at its last millisecond; the timer completes, in time
 * order, every due bar of the symbol's live runs. <b>REPLAY runs</b> evaluate history on a clock of
 * their own per (run, symbol) (see {@link RunSymbolEvaluator}), never the live watermark.
 *
 * <p><b>Control.</b> Runs and kill switches arrive as whole snapshots on the broadcast input. A run
 * missing from a runs snapshot has ended: it is flattened ({@code RUN_ENDED}, at the latest tick
 * price) on every symbol and its state released. A newly engaged kill switch flattens every (run,
 * symbol) it covers at once ({@code KILL_SWITCH}, SPEC §8).
 */
public class SignalFunction extends KeyedBroadcastProcessFunction<String, Tick, ControlEvent, MetricRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SignalFunction.class);

    /** Per symbol (the key): the state of every run trading it, by run id. */
    @VisibleForTesting
    static final MapStateDescriptor<String, RunSymbolState> RUNS_OF_SYMBOL = new MapStateDescriptor<>(
            "runs-of-symbol", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(RunSymbolState.class));

    /** Per symbol (the key): the bars of every replay stream (a REPLAY run, or a sweep) by {@link ReplayStream.Group#barsKey()}. */
    @VisibleForTesting
    static final MapStateDescriptor<String, ReplayBarsState> REPLAY_BARS = new MapStateDescriptor<>(
            "replay-bars", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(ReplayBarsState.class));

    private final RunsReader reader;
    private final KillSwitches killSwitches;
    private final long maxOutOfOrdernessMillis;

    private transient RunDirectory directory;
    private transient MapState<String, RunSymbolState> runsOfSymbol;
    private transient MapState<String, ReplayBarsState> replayBars;
    /**
     * The engaged kill switches, as in the broadcast state (rebuilt from it after a restore); before
     * the first kill-switch broadcast, the folder as read at start-up.
     */
    private transient List<KillSwitchFile> engagedKillSwitches;
    private transient Counter routed;
    /** LATE, INVALID_RUN_ID and UNPROCESSABLE are decided here, the other codes in the source. */
    private transient RejectionCounters rejected;
    private transient Counter notForThisJob;
    private transient Counter withoutRun;
    private transient Counter bars;
    private transient Counter transitions;
    private transient Counter riskHalts;
    private transient volatile int activeRuns;
    private transient volatile long latestWatermark;

    public SignalFunction(RunsReader reader, KillSwitches killSwitches, long maxOutOfOrdernessMillis) {
        this.reader = reader;
        this.killSwitches = killSwitches;
        this.maxOutOfOrdernessMillis = maxOutOfOrdernessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        directory = new RunDirectory(reader);
        runsOfSymbol = getRuntimeContext().getMapState(RUNS_OF_SYMBOL);
        replayBars = getRuntimeContext().getMapState(REPLAY_BARS);
        latestWatermark = Long.MIN_VALUE;
        var metrics = getRuntimeContext().getMetricGroup();
        routed = metrics.counter("ticksRouted");
        rejected = new RejectionCounters(metrics, RejectReason.LATE, RejectReason.INVALID_RUN_ID, RejectReason.UNPROCESSABLE);
        notForThisJob = metrics.counter("ticksNotForThisJob");
        withoutRun = metrics.counter("ticksWithoutRun");
        bars = metrics.counter("bars");
        transitions = metrics.counter("transitions");
        riskHalts = metrics.counter("riskHalts");
        metrics.gauge("activeRuns", () -> activeRuns);
        // Event-time lag: how far the live watermark trails the wall clock (large while history is replayed
        // without a run id; REPLAY runs keep their own clocks and do not move it).
        metrics.gauge("eventTimeLagMillis", () -> latestWatermark == Long.MIN_VALUE ? 0L
                : System.currentTimeMillis() - latestWatermark);
    }

    @Override
    public void processElement(Tick tick, ReadOnlyContext ctx, Collector<MetricRecord> out) throws Exception {
        long watermark = ctx.currentWatermark();
        if (watermark != latestWatermark) {
            latestWatermark = watermark; // a volatile write (read by the metrics gauge): only when it moves
        }
        try {
            if (tick.isForReplayRuns()) {
                processReplay(tick, ctx, out);
            } else {
                processLive(tick, watermark, ctx, out);
            }
        } catch (DownstreamFailure e) {
            // What comes after this operator failed (a chained sink): not the tick's fault, and swallowing it
            // would lose the rows in flight. The task fails and the job restarts from its last checkpoint.
            throw e.failure;
        } catch (RuntimeException e) {
            // One tick must never stop every run: a failure of its own (a bug) becomes its rejection.
            LOG.error("could not evaluate {}; it is stored in rejected_ticks as UNPROCESSABLE", tick, e);
            rejected.inc(RejectReason.UNPROCESSABLE);
            ctx.output(SideOutputs.REJECTED, RejectedTick.of(tick, RejectReason.UNPROCESSABLE, e.toString()));
        }
    }

    /** A live tick: into its pending bar of every active LIVE and PAPER run trading the symbol. */
    private void processLive(Tick tick, long watermark, ReadOnlyContext ctx, Collector<MetricRecord> out) throws Exception {
        boolean isLate = false;
        int routes = 0;
        for (RunConfig run : directory.active(ctx.getBroadcastState(RunDirectory.RUNS),
                ctx.getBroadcastState(RunDirectory.RUNS_META))) {
            if (run.isReplay() || !run.params().tradesSymbol(tick.symbol)) {
                continue;
            }
            RunSymbolState state = stateOf(run.runId);
            RunSymbolEvaluator evaluator = open(run, state, ctx);
            if (evaluator.isLate(tick.tsMillis, watermark)) {
                isLate = true;
            } else {
                long barEnd = evaluator.addLiveTick(tick.tsMillis, tick.priceScaled);
                if (barEnd != RunSymbolEvaluator.NO_NEW_BAR) {
                    ctx.timerService().registerEventTimeTimer(barEnd);
                }
                routes++;
            }
            if (evaluator.hasOutput()) { // rarely: live bars complete in onTimer
                emit(run, tick.symbol, evaluator, state, RowOutputs.of(ctx, out));
            }
            runsOfSymbol.put(run.runId, state);
        }
        routed.inc(routes);
        if (isLate) {
            rejected.inc(RejectReason.LATE);
            ctx.output(SideOutputs.REJECTED, RejectedTick.of(tick, RejectReason.LATE,
                    "its bar had completed (watermark " + watermark + ", tick ts " + tick.tsMillis + ")"));
        } else if (routes == 0) {
            // No active run trades this symbol right now (the tick archive, when on, stores it all the same).
            withoutRun.inc();
        }
    }

    /**
     * A replay tick, start marker or end marker for one REPLAY run or for every run of a sweep, on
     * the replay stream's own clock: the tick joins the stream's bars once per bar interval, and each
     * bar that completes goes to every run of that interval trading the symbol.
     */
    private void processReplay(Tick tick, ReadOnlyContext ctx, Collector<MetricRecord> out) throws Exception {
        ReplayStream stream = replayStream(tick, ctx);
        if (stream == null) {
            return;
        }
        RowOutputs outputs = null;
        boolean accepted = false;
        boolean traded = false;
        ReplayBars lateIn = null;
        for (ReplayStream.Group group : stream.groups()) {
            if (!group.tradesSymbol(tick.symbol)) {
                continue; // a REPLAY run trades its `symbols` only, like a live one, whatever a replay publishes
            }
            traded = true;
            String barsKey = group.barsKey();
            if (tick.replayReset) {
                // A replay of this stream starts: its evaluation of this symbol starts afresh.
                replayBars.remove(barsKey);
                for (RunConfig run : group.runs()) {
                    runsOfSymbol.remove(run.runId);
                }
                continue;
            }
            ReplayBarsState barsState = replayBars.get(barsKey);
            if (barsState == null) {
                barsState = new ReplayBarsState();
            }
            ReplayBars bars = new ReplayBars(barsState, group.intervalMillis(), maxOutOfOrdernessMillis);
            if (tick.replayEnd) {
                bars.end(tick.tsMillis);
            } else if (bars.add(tick.tsMillis, tick.priceScaled)) {
                accepted = true;
            } else {
                lateIn = bars;
            }
            PendingBar[] complete = bars.removeComplete();
            if (complete.length > 0 || tick.replayEnd) {
                if (outputs == null) {
                    outputs = RowOutputs.of(ctx, out);
                }
                for (RunConfig run : group.runs()) {
                    if (run.params().tradesSymbol(tick.symbol)) {
                        RunSymbolState state = stateOf(run.runId);
                        RunSymbolEvaluator evaluator = open(run, state, ctx);
                        evaluator.onReplayBars(complete, barsState);
                        emit(run, tick.symbol, evaluator, state, outputs);
                        if (tick.replayEnd) {
                            emitSummarySoFar(run, tick.symbol, state, outputs);
                        }
                        runsOfSymbol.put(run.runId, state);
                    }
                }
            }
            replayBars.put(barsKey, barsState);
        }
        if (!traded) {
            withoutRun.inc();
        } else if (accepted) {
            routed.inc();
        } else if (lateIn != null) {
            rejected.inc(RejectReason.LATE);
            ctx.output(SideOutputs.REJECTED, RejectedTick.of(tick, RejectReason.LATE,
                    "its bar had completed in replay " + stream.id() + " (clock " + lateIn.clock() + ")"));
        }
    }

    /**
     * The runs a replay message is for: its REPLAY run, or its sweep's active runs; null (counted or
     * rejected) when there are none.
     */
    private ReplayStream replayStream(Tick tick, ReadOnlyContext ctx) throws Exception {
        if (tick.replaySweepId != null) {
            ReplayStream sweep = directory.sweep(tick.replaySweepId, ctx.getBroadcastState(RunDirectory.RUNS),
                    ctx.getBroadcastState(RunDirectory.RUNS_META));
            if (sweep == null && directory.scoped()) {
                notForThisJob.inc(); // the job evaluates one run (--strategy-run-id), not of this sweep
            } else if (sweep == null) {
                rejected.inc(RejectReason.INVALID_RUN_ID);
                ctx.output(SideOutputs.REJECTED, RejectedTick.of(tick, RejectReason.INVALID_RUN_ID,
                        "sweep " + tick.replaySweepId + " has no active REPLAY run"));
            }
            return sweep;
        }
        if (!directory.inScope(tick.replayRunId)) {
            // Another job (started with --strategy-run-id) evaluates that run.
            notForThisJob.inc();
            return null;
        }
        RunConfig run = directory.find(tick.replayRunId, ctx.getBroadcastState(RunDirectory.RUNS),
                ctx.getBroadcastState(RunDirectory.RUNS_META));
        if (run == null || !run.isReplay()) {
            rejected.inc(RejectReason.INVALID_RUN_ID);
            ctx.output(SideOutputs.REJECTED, RejectedTick.of(tick, RejectReason.INVALID_RUN_ID,
                    "run " + tick.replayRunId + " is not an active REPLAY run"));
            return null;
        }
        return directory.replayStream(run);
    }

    /** A bar's last millisecond has passed: complete the due bars of every live run of this symbol. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricRecord> out) throws Exception {
        RowOutputs outputs = RowOutputs.of(ctx, out);
        List<Map.Entry<String, RunSymbolState>> entries = new ArrayList<>(2);
        for (Map.Entry<String, RunSymbolState> e : runsOfSymbol.entries()) {
            entries.add(e);
        }
        for (Map.Entry<String, RunSymbolState> e : entries) {
            RunConfig run = directory.find(e.getKey(), ctx.getBroadcastState(RunDirectory.RUNS),
                    ctx.getBroadcastState(RunDirectory.RUNS_META));
            if (run == null || run.isReplay() || e.getValue().pending.size() == 0) {
                continue; // ended runs were released with their snapshot; replay runs follow their own clock
            }
            RunSymbolEvaluator evaluator = open(run, e.getValue(), ctx);
            evaluator.completeBars(timestamp);
            emit(run, ctx.getCurrentKey(), evaluator, e.getValue(), outputs);
            runsOfSymbol.put(e.getKey(), e.getValue());
        }
    }

    @Override
    public void processBroadcastElement(ControlEvent control, Context ctx, Collector<MetricRecord> out) throws Exception {
        if (control.runs != null) {
            onRuns(control.runs, ctx);
        } else {
            onKillSwitches(control.killSwitch, ctx);
        }
    }

    /**
     * A new kill-switch snapshot: every (run, symbol) a newly engaged switch covers is flattened at
     * once, without waiting for a tick (SPEC §8), at the latest price it has; the flatten's time is
     * the file's. Keys then stay flat while covered: {@link #open} keeps their flag in sync.
     */
    private void onKillSwitches(KillSwitchSnapshot snapshot, Context ctx) throws Exception {
        if (snapshot.unreadable) {
            return; // fail closed: keep the switches known (broadcast or restored), release none
        }
        BroadcastState<String, KillSwitchFile> engaged = ctx.getBroadcastState(KillSwitches.ENGAGED);
        Set<String> before = new HashSet<>();
        for (Map.Entry<String, KillSwitchFile> e : engaged.entries()) {
            before.add(e.getKey());
        }
        engaged.clear();
        for (KillSwitchFile f : snapshot.engaged) {
            engaged.put(f.scope, f);
        }
        RunDirectory.markKillSwitches(ctx.getBroadcastState(RunDirectory.RUNS_META), snapshot.readAtMillis);
        engagedKillSwitches = new ArrayList<>(snapshot.engaged);

        List<KillSwitchFile> newlyEngaged = new ArrayList<>();
        for (KillSwitchFile f : snapshot.engaged) {
            if (!before.contains(f.scope)) {
                newlyEngaged.add(f);
            }
        }
        if (newlyEngaged.isEmpty()) {
            return;
        }
        var runs = ctx.getBroadcastState(RunDirectory.RUNS);
        RowOutputs outputs = RowOutputs.of(ctx);
        ctx.applyToKeyedState(RUNS_OF_SYMBOL, (symbol, states) -> {
            for (Map.Entry<String, RunSymbolState> e : states.entries()) {
                KillSwitchFile cause = KillSwitches.covering(newlyEngaged, e.getKey());
                RunConfig run = runs.get(e.getKey());
                if (cause == null || run == null) {
                    continue;
                }
                RunSymbolEvaluator evaluator = new RunSymbolEvaluator(e.getValue(), run.params(), run.version, true,
                        maxOutOfOrdernessMillis);
                emitTransition(run, symbol, evaluator.flatten(cause.engagedAtMillis, PositionTransition.Reason.KILL_SWITCH),
                        summaryOf(run, symbol, e.getValue()), outputs);
                emit(run, symbol, evaluator, e.getValue(), outputs);
                e.setValue(e.getValue()); // written back: a heap backend holds the object, RocksDB a copy
            }
        });
    }

    /** A new runs snapshot: ended runs are flattened and released, then the snapshot replaces the runs. */
    private void onRuns(RunsSnapshot snapshot, Context ctx) throws Exception {
        BroadcastState<String, RunConfig> runs = ctx.getBroadcastState(RunDirectory.RUNS);
        Map<String, RunConfig> ended = new HashMap<>();
        for (Map.Entry<String, RunConfig> e : runs.entries()) {
            ended.put(e.getKey(), e.getValue());
        }
        for (RunConfig run : snapshot.runs) {
            ended.remove(run.runId);
        }
        if (!ended.isEmpty()) {
            RowOutputs outputs = RowOutputs.of(ctx);
            ctx.applyToKeyedState(RUNS_OF_SYMBOL, (symbol, states) -> {
                List<String> release = new ArrayList<>();
                for (Map.Entry<String, RunSymbolState> e : states.entries()) {
                    RunConfig run = ended.get(e.getKey());
                    if (run == null) {
                        continue;
                    }
                    RunSymbolEvaluator evaluator = new RunSymbolEvaluator(e.getValue(), run.params(), run.version,
                            e.getValue().strategy != null && e.getValue().strategy.killSwitchEngaged, maxOutOfOrdernessMillis);
                    emitTransition(run, symbol, evaluator.flatten(evaluator.latestTickTime(), PositionTransition.Reason.RUN_ENDED),
                            summaryOf(run, symbol, e.getValue()), outputs);
                    emitSummarySoFar(run, symbol, e.getValue(), outputs); // with the trade the flatten closed
                    release.add(e.getKey());
                }
                for (String runId : release) {
                    states.remove(runId);
                }
            });
            // The bars of replay streams left without a run (an ended REPLAY run, a sweep whose runs all ended).
            Set<String> streams = new HashSet<>();
            for (RunConfig run : snapshot.runs) {
                if (run.isReplay()) {
                    streams.add(ReplayStream.runStreamId(run.runId)); // a sweep's run may be replayed alone too
                    if (run.sweepId != null) {
                        streams.add(ReplayStream.sweepStreamId(run.sweepId));
                    }
                }
            }
            ctx.applyToKeyedState(REPLAY_BARS, (symbol, bars) -> {
                List<String> release = new ArrayList<>();
                for (Map.Entry<String, ReplayBarsState> e : bars.entries()) {
                    if (!ReplayStream.belongsTo(e.getKey(), streams)) {
                        release.add(e.getKey());
                    }
                }
                for (String key : release) {
                    bars.remove(key);
                }
            });
        }
        replaceRuns(runs, snapshot);
        RunDirectory.markSnapshot(ctx.getBroadcastState(RunDirectory.RUNS_META), snapshot.polledAtMillis);
        directory.onSnapshot();
        activeRuns = snapshot.runs.size();
    }

    /** Makes the broadcast state equal to the snapshot (the same on every parallel instance). */
    private static void replaceRuns(BroadcastState<String, RunConfig> state, RunsSnapshot snapshot) throws Exception {
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

    private RunSymbolState stateOf(String runId) throws Exception {
        RunSymbolState state = runsOfSymbol.get(runId);
        return state != null ? state : new RunSymbolState();
    }

    /** An evaluator over a (run, symbol)'s state with the run's current params and its kill-switch flag. */
    private RunSymbolEvaluator open(RunConfig run, RunSymbolState state, ReadOnlyContext ctx) throws Exception {
        boolean killSwitch = KillSwitches.covering(engagedKillSwitches(ctx), run.runId) != null;
        return new RunSymbolEvaluator(state, run.params(), run.version, killSwitch, maxOutOfOrdernessMillis);
    }

    /**
     * The rows of what an evaluator did: a metric row per completed bar (unless the run's sweep keeps
     * none), its transitions, the run's summaries (a sweep's run), risk halts and a lifted halt as
     * kill_switch_events.
     */
    private void emit(RunConfig run, String symbol, RunSymbolEvaluator evaluator, RunSymbolState state, RowOutputs outputs) {
        if (evaluator.riskHaltLiftedAt() != Long.MIN_VALUE) {
            outputs.events.accept(new KillSwitchEvent(evaluator.riskHaltLiftedAt(), run.runId,
                    KillSwitchEvent.RELEASED, KillSwitchEvent.SOURCE_RISK_LIMIT, "params updated: risk halt on " + symbol + " lifted"));
        }
        if (evaluator.completedBars().isEmpty()) {
            return;
        }
        boolean metricRows = run.keepsMetricRows();
        SummaryAccumulator summary = summaryOf(run, symbol, state);
        for (BarResult result : evaluator.completedBars()) {
            bars.inc();
            if (metricRows) {
                outputs.metrics.accept(new MetricRecord(run.runId, symbol, result.metric()));
            }
            // The bar's own transition before the bar: the summary's round trips need it (SummaryAccumulator).
            emitTransition(run, symbol, result.transition(), summary, outputs);
            if (summary != null) {
                PeriodSummary completedPeriod = summary.bar(result.metric());
                if (completedPeriod != null) {
                    outputs.summaries.accept(completedPeriod);
                }
            }
            if (result.riskHaltTriggered()) {
                riskHalts.inc();
                outputs.events.accept(new KillSwitchEvent(result.metric().metricTime(), run.runId,
                        KillSwitchEvent.ENGAGED, KillSwitchEvent.SOURCE_RISK_LIMIT, "drawdown " + result.metric().drawdown()
                        + " breached max_drawdown " + run.params().maxDrawdown() + " on " + symbol
                        + ": flat from the next bar until the run's params are updated"));
            }
        }
    }

    /** A transition row, if there is one; it also goes to the run's summary, if it keeps one. */
    private void emitTransition(RunConfig run, String symbol, PositionTransition transition, SummaryAccumulator summary,
                                RowOutputs outputs) {
        if (transition != null) {
            transitions.inc();
            outputs.transitions.accept(new TransitionRecord(run.runId, symbol, transition));
            if (summary != null) {
                summary.transition(transition);
            }
        }
    }

    /** The summary of a sweep's (run, symbol) that keeps one (created in {@code state} on first use), else null. */
    private static SummaryAccumulator summaryOf(RunConfig run, String symbol, RunSymbolState state) {
        if (!run.keepsSummaries()) {
            return null;
        }
        if (state.summary == null) {
            state.summary = new SummaryState();
        }
        return new SummaryAccumulator(state.summary, run.runId, symbol);
    }

    /**
     * The summary of the (run, symbol)'s open period as it stands (the replay's end, the run's end):
     * rewritten by key when the period goes on, so the table always holds the run's figures so far.
     */
    private static void emitSummarySoFar(RunConfig run, String symbol, RunSymbolState state, RowOutputs outputs) {
        SummaryAccumulator summary = summaryOf(run, symbol, state);
        PeriodSummary open = summary == null ? null : summary.current();
        if (open != null) {
            outputs.summaries.accept(open);
        }
    }

    /**
     * Where a step's rows go: the collector and side outputs of the context it runs in (Flink's
     * element and broadcast contexts share no public type with {@code output}). Every output is
     * guarded: a failure behind it (sinks are chained to this operator) surfaces as a {@link
     * DownstreamFailure}, which {@link #processElement} lets through instead of rejecting the tick.
     */
    private record RowOutputs(Consumer<MetricRecord> metrics, Consumer<TransitionRecord> transitions,
                              Consumer<KillSwitchEvent> events, Consumer<PeriodSummary> summaries) {
        static RowOutputs of(ReadOnlyContext ctx, Collector<MetricRecord> out) {
            return new RowOutputs(guarded(out::collect), guarded(t -> ctx.output(SideOutputs.TRANSITIONS, t)),
                    guarded(e -> ctx.output(SideOutputs.KILL_SWITCH_EVENTS, e)),
                    guarded(p -> ctx.output(SideOutputs.RUN_SUMMARIES, p)));
        }

        /** A broadcast element completes no bar: no metric rows. */
        static RowOutputs of(Context ctx) {
            return new RowOutputs(null, guarded(t -> ctx.output(SideOutputs.TRANSITIONS, t)),
                    guarded(e -> ctx.output(SideOutputs.KILL_SWITCH_EVENTS, e)),
                    guarded(p -> ctx.output(SideOutputs.RUN_SUMMARIES, p)));
        }

        private static <T> Consumer<T> guarded(Consumer<T> output) {
            return value -> {
                try {
                    output.accept(value);
                } catch (RuntimeException e) {
                    throw new DownstreamFailure(e);
                }
            };
        }
    }

    /** A failure of an output, i.e. of what comes after this operator; carries the original. */
    private static final class DownstreamFailure extends RuntimeException {
        final RuntimeException failure;

        DownstreamFailure(RuntimeException failure) {
            super(failure);
            this.failure = failure;
        }
    }

    private List<KillSwitchFile> engagedKillSwitches(ReadOnlyContext ctx) throws Exception {
        if (engagedKillSwitches == null) {
            if (RunDirectory.killSwitchesReceived(ctx.getBroadcastState(RunDirectory.RUNS_META))) {
                List<KillSwitchFile> engaged = new ArrayList<>();
                for (Map.Entry<String, KillSwitchFile> e : ctx.getBroadcastState(KillSwitches.ENGAGED).immutableEntries()) {
                    engaged.add(e.getValue());
                }
                engagedKillSwitches = engaged;
            } else {
                // Fail safe at start-up: never open a position the folder forbids for want of a broadcast,
                // and fail closed when the folder cannot be read (until a snapshot says otherwise).
                try {
                    engagedKillSwitches = killSwitches.read().engaged;
                } catch (IOException e) {
                    LOG.warn("cannot read kill-switch folder {}: every run counts as engaged until it can be read",
                            killSwitches.directory(), e);
                    engagedKillSwitches = List.of(KillSwitches.folderUnreadable(System.currentTimeMillis(), e.toString()));
                }
            }
        }
        return engagedKillSwitches;
    }

    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
    }
}
