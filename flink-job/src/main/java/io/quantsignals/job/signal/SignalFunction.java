package io.quantsignals.job.signal;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.Bars;
import io.quantsignals.core.strategy.PendingBar;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossState;
import io.quantsignals.core.strategy.SmaCrossStrategy;
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
import org.apache.flink.util.OutputTag;

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
 */
public class SignalFunction extends KeyedBroadcastProcessFunction<String, RoutedTick, RunsSnapshot, MetricRecord> {

    @VisibleForTesting
    static final ValueStateDescriptor<SmaCrossState> STRATEGY =
            new ValueStateDescriptor<>("strategy", TypeInformation.of(SmaCrossState.class));
    @VisibleForTesting
    static final MapStateDescriptor<Long, PendingBar> PENDING_BARS = new MapStateDescriptor<>(
            "pending-bars", BasicTypeInfo.LONG_TYPE_INFO, TypeInformation.of(PendingBar.class));

    private final RunsReader reader;
    private final OutputTag<TransitionRecord> transitionsTag;

    private transient RunDirectory directory;
    private transient ValueState<SmaCrossState> strategyState;
    private transient MapState<Long, PendingBar> pendingBars;
    private transient Counter bars;
    private transient Counter transitions;
    private transient Counter riskHalts;
    private transient Counter ticksForEndedRuns;
    private transient volatile int activeRuns;

    public SignalFunction(RunsReader reader, OutputTag<TransitionRecord> transitionsTag) {
        this.reader = reader;
        this.transitionsTag = transitionsTag;
    }

    @Override
    public void open(OpenContext openContext) {
        directory = new RunDirectory(reader);
        strategyState = getRuntimeContext().getState(STRATEGY);
        pendingBars = getRuntimeContext().getMapState(PENDING_BARS);
        var metrics = getRuntimeContext().getMetricGroup();
        bars = metrics.counter("bars");
        transitions = metrics.counter("transitions");
        riskHalts = metrics.counter("riskHalts");
        ticksForEndedRuns = metrics.counter("ticksForEndedRuns");
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
        SmaCrossStrategy strategy = strategyFor(run);
        long ts = routed.tick.tsMillis;
        long price = routed.tick.priceScaled;
        strategy.observeTick(ts, price);
        strategyState.update(strategy.state());

        long interval = run.params().barIntervalMillis();
        long barTime = Bars.barTimeOf(ts, interval);
        PendingBar bar = pendingBars.get(barTime);
        if (bar == null) {
            bar = new PendingBar(barTime, ts, price);
            ctx.timerService().registerEventTimeTimer(Bars.lastTimestampOf(barTime, interval));
        } else {
            bar.offer(ts, price);
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
        long interval = run.params().barIntervalMillis();
        List<PendingBar> complete = new ArrayList<>(1);
        for (PendingBar bar : pendingBars.values()) {
            if (Bars.lastTimestampOf(bar.barTime, interval) <= timestamp) {
                complete.add(bar);
            }
        }
        if (complete.isEmpty()) {
            return;
        }
        complete.sort((a, b) -> Long.compare(a.barTime, b.barTime));
        SmaCrossStrategy strategy = strategyFor(run);
        String symbol = RoutedTick.symbolOf(ctx.getCurrentKey());
        for (PendingBar bar : complete) {
            BarResult result = strategy.onBar(bar.barTime, bar.closePrice);
            pendingBars.remove(bar.barTime);
            bars.inc();
            out.collect(new MetricRecord(runId, symbol, result.metric()));
            if (result.transition() != null) {
                transitions.inc();
                ctx.output(transitionsTag, new TransitionRecord(runId, symbol, result.transition()));
            }
            if (result.riskHaltTriggered()) {
                riskHalts.inc();
            }
        }
        strategyState.update(strategy.state());
    }

    @Override
    public void processBroadcastElement(RunsSnapshot snapshot, Context ctx, Collector<MetricRecord> out) throws Exception {
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
                    ctx.output(transitionsTag, new TransitionRecord(run.runId, RoutedTick.symbolOf(key), exit));
                }
                state.clear();
            });
            ctx.applyToKeyedState(PENDING_BARS, (key, state) -> {
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

    /** The strategy over this key's state, with the run's current parameters applied. */
    private SmaCrossStrategy strategyFor(RunConfig run) throws Exception {
        StrategyParams params = run.params();
        SmaCrossState stored = strategyState.value();
        if (stored == null) {
            SmaCrossStrategy fresh = new SmaCrossStrategy(params);
            fresh.state().paramsVersion = run.version;
            return fresh;
        }
        SmaCrossStrategy strategy = new SmaCrossStrategy(params, stored);
        if (stored.paramsVersion != run.version) {
            // The run was updated since this key last saw it: new params from this bar on.
            strategy.applyParams(params);
            stored.paramsVersion = run.version;
        }
        return strategy;
    }

    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
    }
}
