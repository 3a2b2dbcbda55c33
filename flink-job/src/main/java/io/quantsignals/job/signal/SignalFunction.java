package io.quantsignals.job.signal;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.Bars;
import io.quantsignals.core.strategy.PendingBar;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossState;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strategy, per (run, symbol): a thin adapter that feeds the pure {@link SmaCrossStrategy}
 * with event-time bars and turns its results into rows.
 *
 * <p>Ticks accumulate into pending bars (at most a few per key: those the watermark has not yet
 * passed); an event-time timer at each bar's last millisecond completes it, in time order, so the
 * strategy sees exactly the bar sequence of SPEC §5. Parameter updates reach the strategy before
 * the next bar; a run missing from a new runs snapshot has ended: each of its keys is flattened
 * ({@code RUN_ENDED}, at the latest tick price) and its state released.
 *
 * <p>REPLAY runs evaluate history published while live ticks keep flowing on the same topic, so
 * they cannot use the job's (live) watermark. Each (replay run, symbol) keeps its own event-time
 * clock instead: the greatest tick time seen minus the out-of-orderness, moved to the replay's end
 * by the tool's end marker. The replay tool publishes in event-time order, so this clock, and with
 * it every bar and every row, is the same at any speedup.
 */
public class SignalFunction extends KeyedBroadcastProcessFunction<String, RoutedTick, ControlEvent, MetricRecord> {

    @VisibleForTesting
    static final ValueStateDescriptor<SmaCrossState> STRATEGY =
            new ValueStateDescriptor<>("strategy", TypeInformation.of(SmaCrossState.class));
    @VisibleForTesting
    static final MapStateDescriptor<Long, PendingBar> PENDING_BARS = new MapStateDescriptor<>(
            "pending-bars", BasicTypeInfo.LONG_TYPE_INFO, TypeInformation.of(PendingBar.class));

    /** Per (replay run, symbol): the event-time clock that completes its bars (see the class comment). */
    @VisibleForTesting
    static final ValueStateDescriptor<Long> REPLAY_CLOCK = new ValueStateDescriptor<>("replay-clock", BasicTypeInfo.LONG_TYPE_INFO);

    private final RunsReader reader;
    private final KillSwitches killSwitches;
    private final long maxOutOfOrdernessMillis;

    private transient RunDirectory directory;
    /** The kill-switch folder as read at start-up, used until the first kill-switch broadcast arrives. */
    private transient List<KillSwitchFile> killSwitchesAtStart;
    private transient ValueState<SmaCrossState> strategyState;
    private transient MapState<Long, PendingBar> pendingBars;
    private transient ValueState<Long> replayClock;
    private transient Counter bars;
    private transient Counter transitions;
    private transient Counter riskHalts;
    private transient Counter ticksForEndedRuns;
    /** Late ticks caught here: replay ticks, and live ticks after an idle partition resumed. */
    private transient Counter ticksLateAtStrategy;
    private transient volatile int activeRuns;

    public SignalFunction(RunsReader reader, KillSwitches killSwitches, long maxOutOfOrdernessMillis) {
        this.reader = reader;
        this.killSwitches = killSwitches;
        this.maxOutOfOrdernessMillis = maxOutOfOrdernessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        directory = new RunDirectory(reader);
        strategyState = getRuntimeContext().getState(STRATEGY);
        pendingBars = getRuntimeContext().getMapState(PENDING_BARS);
        replayClock = getRuntimeContext().getState(REPLAY_CLOCK);
        var metrics = getRuntimeContext().getMetricGroup();
        bars = metrics.counter("bars");
        transitions = metrics.counter("transitions");
        riskHalts = metrics.counter("riskHalts");
        ticksForEndedRuns = metrics.counter("ticksForEndedRuns");
        ticksLateAtStrategy = metrics.counter("ticksLateAtStrategy");
        metrics.gauge("activeRuns", () -> activeRuns);
    }

    @Override
    public void processElement(RoutedTick routed, ReadOnlyContext ctx, Collector<MetricRecord> out) throws Exception {
        RunConfig run = directory.find(routed.runId, ctx.getBroadcastState(RunDirectory.RUNS),
                ctx.getBroadcastState(RunDirectory.RUNS_META));
        if (run == null) {
            // Routed just before the run ended; its final RUN_ENDED transition is already written.
            ticksForEndedRuns.inc();
            return;
        }
        Tick tick = routed.tick;
        if (tick.replayReset) {
            // A replay of this run starts: its evaluation of this symbol starts afresh.
            strategyState.clear();
            pendingBars.clear();
            replayClock.clear();
            return;
        }
        SmaCrossStrategy strategy = strategyFor(run, ctx);
        long interval = run.params().barIntervalMillis();
        if (!run.isReplay()) {
            // The router let it through, but this operator's watermark can be ahead of the router's:
            // after an idle partition resumes, its router sends ticks for bars already completed here.
            if (isLateHere(tick.tsMillis, interval, ctx.currentWatermark(), strategy.state())) {
                ticksLateAtStrategy.inc();
                ctx.output(SideOutputs.REJECTED, TickRouter.rejection(tick, RejectReason.LATE,
                        "its bar had completed (watermark " + ctx.currentWatermark() + ", tick ts " + tick.tsMillis + ")"));
                return;
            }
            addToBar(tick, interval, strategy);
            ctx.timerService().registerEventTimeTimer(Bars.lastTimestampOf(Bars.barTimeOf(tick.tsMillis, interval), interval));
            strategyState.update(strategy.state());
            return;
        }
        long clock = replayClock.value() == null ? Long.MIN_VALUE : replayClock.value();
        if (tick.replayEnd) {
            clock = Math.max(clock, tick.tsMillis - 1);
        } else if (isLateHere(tick.tsMillis, interval, clock, strategy.state())) {
            ticksLateAtStrategy.inc();
            ctx.output(SideOutputs.REJECTED, TickRouter.rejection(tick, RejectReason.LATE,
                    "its bar had completed in replay run " + run.runId + " (clock " + clock + ")"));
            return;
        } else {
            addToBar(tick, interval, strategy);
            clock = Math.max(clock, tick.tsMillis - maxOutOfOrdernessMillis - 1);
        }
        replayClock.update(clock);
        completeBars(run, ctx.getCurrentKey(), strategy, clock, out, ctx);
        strategyState.update(strategy.state());
    }

    /** Whether a tick's bar is complete at this watermark, or no longer after the last bar this key completed. */
    private static boolean isLateHere(long ts, long interval, long watermark, SmaCrossState state) {
        return Bars.isLate(ts, interval, watermark)
                || (state.hasPreviousBar && Bars.barTimeOf(ts, interval) <= state.lastBarTime);
    }

    /** Adds a tick to its pending bar (SPEC §5 close rule) and remembers its price for flattens. */
    private void addToBar(Tick tick, long interval, SmaCrossStrategy strategy) throws Exception {
        strategy.observeTick(tick.tsMillis, tick.priceScaled);
        long barTime = Bars.barTimeOf(tick.tsMillis, interval);
        PendingBar bar = pendingBars.get(barTime);
        if (bar == null) {
            bar = new PendingBar(barTime, tick.tsMillis, tick.priceScaled);
        } else {
            bar.offer(tick.tsMillis, tick.priceScaled);
        }
        pendingBars.put(barTime, bar);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricRecord> out) throws Exception {
        String runId = RoutedTick.runIdOf(ctx.getCurrentKey());
        RunConfig run = directory.find(runId, ctx.getBroadcastState(RunDirectory.RUNS),
                ctx.getBroadcastState(RunDirectory.RUNS_META));
        if (run == null) {
            // The run ended: its state was released when the snapshot said so.
            pendingBars.clear();
            return;
        }
        // Timers fire in time order and each bar registered one at its last millisecond, so this
        // timer completes exactly one bar, found directly: a scan of every pending bar would make
        // tick bars (many pending at once) quadratic.
        long interval = run.params().barIntervalMillis();
        long barTime = timestamp - Bars.lastTimestampOf(0, interval);
        PendingBar bar = pendingBars.get(barTime);
        if (bar == null) {
            return;
        }
        SmaCrossStrategy strategy = strategyFor(run, ctx);
        completeBar(run, RoutedTick.symbolOf(ctx.getCurrentKey()), strategy, bar, out, ctx);
        strategyState.update(strategy.state());
    }

    /**
     * Feeds every pending bar complete at {@code watermark} to the strategy, oldest first (replay runs,
     * whose clock can complete several bars at once and whose keys hold only a few pending bars).
     */
    private void completeBars(RunConfig run, String key, SmaCrossStrategy strategy, long watermark,
                              Collector<MetricRecord> out, ReadOnlyContext ctx) throws Exception {
        long interval = run.params().barIntervalMillis();
        List<PendingBar> complete = new ArrayList<>(1);
        for (PendingBar bar : pendingBars.values()) {
            if (Bars.isComplete(bar.barTime, interval, watermark)) {
                complete.add(bar);
            }
        }
        if (complete.isEmpty()) {
            return;
        }
        complete.sort((a, b) -> Long.compare(a.barTime, b.barTime));
        String symbol = RoutedTick.symbolOf(key);
        for (PendingBar bar : complete) {
            completeBar(run, symbol, strategy, bar, out, ctx);
        }
    }

    /** Feeds one completed bar to the strategy and emits its rows. */
    private void completeBar(RunConfig run, String symbol, SmaCrossStrategy strategy, PendingBar bar,
                             Collector<MetricRecord> out, ReadOnlyContext ctx) throws Exception {
        BarResult result = strategy.onBar(bar.barTime, bar.closePrice);
        pendingBars.remove(bar.barTime);
        bars.inc();
        out.collect(new MetricRecord(run.runId, symbol, result.metric()));
        if (result.transition() != null) {
            transitions.inc();
            ctx.output(SideOutputs.TRANSITIONS, new TransitionRecord(run.runId, symbol, result.transition()));
        }
        if (result.riskHaltTriggered()) {
            riskHalts.inc();
            ctx.output(SideOutputs.KILL_SWITCH_EVENTS, new KillSwitchEvent(bar.barTime, run.runId,
                    KillSwitchEvent.ENGAGED, KillSwitchEvent.SOURCE_RISK_LIMIT, "drawdown "
                    + result.metric().drawdown() + " breached max_drawdown " + run.params().maxDrawdown()
                    + " on " + symbol + ": flat from the next bar until the run's params are updated"));
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
     * the file's. Keys then stay flat while covered: {@link #strategyFor} keeps their flag in sync.
     */
    private void onKillSwitches(KillSwitchSnapshot snapshot, Context ctx) throws Exception {
        var engaged = ctx.getBroadcastState(KillSwitches.ENGAGED);
        Map<String, KillSwitchFile> before = new HashMap<>();
        for (Map.Entry<String, KillSwitchFile> e : engaged.entries()) {
            before.put(e.getKey(), e.getValue());
        }
        engaged.clear();
        for (KillSwitchFile f : snapshot.engaged) {
            engaged.put(f.scope, f);
        }
        RunDirectory.markKillSwitches(ctx.getBroadcastState(RunDirectory.RUNS_META), snapshot.readAtMillis);
        killSwitchesAtStart = null;

        List<KillSwitchFile> newlyEngaged = new ArrayList<>();
        for (KillSwitchFile f : snapshot.engaged) {
            if (!before.containsKey(f.scope)) {
                newlyEngaged.add(f);
            }
        }
        if (newlyEngaged.isEmpty()) {
            return;
        }
        var runs = ctx.getBroadcastState(RunDirectory.RUNS);
        ctx.applyToKeyedState(STRATEGY, (key, state) -> {
            String runId = RoutedTick.runIdOf(key);
            KillSwitchFile cause = KillSwitches.covering(newlyEngaged, runId);
            RunConfig run = runs.get(runId);
            SmaCrossState stored = state.value();
            if (cause == null || run == null || stored == null) {
                return;
            }
            SmaCrossStrategy strategy = new SmaCrossStrategy(run.params(), stored);
            strategy.setKillSwitchEngaged(true);
            PositionTransition exit = strategy.flatten(cause.engagedAtMillis, PositionTransition.Reason.KILL_SWITCH);
            if (exit != null) {
                transitions.inc();
                ctx.output(SideOutputs.TRANSITIONS, new TransitionRecord(runId, RoutedTick.symbolOf(key), exit));
            }
            state.update(stored);
        });
    }

    private void onRuns(RunsSnapshot snapshot, Context ctx) throws Exception {
        var runs = ctx.getBroadcastState(RunDirectory.RUNS);
        Map<String, RunConfig> ended = new HashMap<>();
        for (Map.Entry<String, RunConfig> e : runs.entries()) {
            ended.put(e.getKey(), e.getValue());
        }
        for (RunConfig run : snapshot.runs) {
            ended.remove(run.runId);
        }
        if (!ended.isEmpty()) {
            ctx.applyToKeyedState(STRATEGY, (key, state) -> {
                RunConfig run = ended.get(RoutedTick.runIdOf(key));
                SmaCrossState stored = state.value();
                if (run == null || stored == null) {
                    return;
                }
                PositionTransition exit = new SmaCrossStrategy(run.params(), stored)
                        .flatten(stored.latestTickTime, PositionTransition.Reason.RUN_ENDED);
                if (exit != null) {
                    transitions.inc();
                    ctx.output(SideOutputs.TRANSITIONS, new TransitionRecord(run.runId, RoutedTick.symbolOf(key), exit));
                }
                state.clear();
            });
            ctx.applyToKeyedState(PENDING_BARS, (key, state) -> {
                if (ended.containsKey(RoutedTick.runIdOf(key))) {
                    state.clear();
                }
            });
            ctx.applyToKeyedState(REPLAY_CLOCK, (key, state) -> {
                if (ended.containsKey(RoutedTick.runIdOf(key))) {
                    state.clear();
                }
            });
        }
        TickRouter.replaceRuns(runs, snapshot);
        RunDirectory.markSnapshot(ctx.getBroadcastState(RunDirectory.RUNS_META), snapshot.polledAtMillis);
        directory.onSnapshot();
        activeRuns = snapshot.runs.size();
    }

    /**
     * The strategy over this key's state, with the run's current parameters applied and its
     * kill-switch flag in line with the folder.
     */
    private SmaCrossStrategy strategyFor(RunConfig run, ReadOnlyContext ctx) throws Exception {
        StrategyParams params = run.params();
        SmaCrossState stored = strategyState.value();
        SmaCrossStrategy strategy;
        if (stored == null) {
            strategy = new SmaCrossStrategy(params);
            strategy.state().paramsVersion = run.version;
        } else {
            strategy = new SmaCrossStrategy(params, stored);
            if (stored.paramsVersion != run.version) {
                // The run was updated since this key last saw it: new params from this bar on.
                if (stored.haltedByRisk) {
                    ctx.output(SideOutputs.KILL_SWITCH_EVENTS, new KillSwitchEvent(Math.max(stored.latestTickTime,
                            stored.lastBarTime), run.runId, KillSwitchEvent.RELEASED, KillSwitchEvent.SOURCE_RISK_LIMIT,
                            "params updated: risk halt on " + RoutedTick.symbolOf(ctx.getCurrentKey()) + " lifted"));
                }
                strategy.applyParams(params);
                stored.paramsVersion = run.version;
            }
        }
        strategy.setKillSwitchEngaged(killSwitchCovering(run.runId, ctx) != null);
        return strategy;
    }

    /** The engaged kill switch covering a run, or null; before the first broadcast, the folder read at start. */
    private KillSwitchFile killSwitchCovering(String runId, ReadOnlyContext ctx) throws Exception {
        if (RunDirectory.killSwitchesReceived(ctx.getBroadcastState(RunDirectory.RUNS_META))) {
            List<KillSwitchFile> engaged = new ArrayList<>();
            for (Map.Entry<String, KillSwitchFile> e : ctx.getBroadcastState(KillSwitches.ENGAGED).immutableEntries()) {
                engaged.add(e.getValue());
            }
            return KillSwitches.covering(engaged, runId);
        }
        if (killSwitchesAtStart == null) {
            // Fail safe at start-up: never open a position the folder forbids for want of a broadcast.
            killSwitchesAtStart = killSwitches.read().engaged;
        }
        return KillSwitches.covering(killSwitchesAtStart, runId);
    }

    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
    }
}
