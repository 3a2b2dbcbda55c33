package io.quantsignals.job.signal;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@link SignalFunction} in Flink's operator test harness: one operator, no cluster, milliseconds.
 * Runs reach it as broadcast snapshots, as in the job; the control input carries no event time, so
 * {@link #watermark} advances both inputs.
 */
final class SignalHarness implements AutoCloseable {

    /** No database is involved once runs are broadcast; a read would fail loudly on this address. */
    private static final DatabaseSettings NO_DATABASE = new DatabaseSettings("jdbc:postgresql://127.0.0.1:1/none", "none", null);

    /** The state backends the operator must behave the same on: RocksDB hands out copies, the heap the objects. */
    enum Backend {
        HEAP(HashMapStateBackend::new), ROCKSDB(EmbeddedRocksDBStateBackend::new);

        final Supplier<StateBackend> create;

        Backend(Supplier<StateBackend> create) {
            this.create = create;
        }
    }

    final KeyedBroadcastOperatorTestHarness<String, Tick, ControlEvent, MetricRecord> harness;

    SignalHarness(Backend backend, KillSwitches killSwitches, long maxOutOfOrdernessMillis) throws Exception {
        SignalFunction function = new SignalFunction(new RunsReader(NO_DATABASE, null, StrategyParamsParser.CostDefaults.ZERO),
                killSwitches, maxOutOfOrdernessMillis);
        harness = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(function,
                List.of(RunDirectory.RUNS, RunDirectory.RUNS_META, KillSwitches.ENGAGED)), tick -> tick.symbol, Types.STRING, 1, 1, 0);
        harness.setStateBackend(backend.create.get());
        harness.open();
    }

    static RunConfig run(String type, StrategyParams params, long version) {
        return run(UUID.randomUUID().toString(), type, params, version);
    }

    /** A run as the runs source broadcasts it; a new {@code version} (its updated_at) is a params update. */
    static RunConfig run(String runId, String type, StrategyParams params, long version) {
        RunConfig run = new RunConfig();
        run.runId = runId;
        run.runType = type;
        run.paramsJson = StrategyParamsParser.toJson(params);
        run.version = version;
        return run;
    }

    void runs(RunConfig... runs) throws Exception {
        harness.processBroadcastElement(ControlEvent.of(new RunsSnapshot(List.of(runs), System.currentTimeMillis())), 0);
    }

    void tick(String symbol, long ts, String price) throws Exception {
        harness.processElement(new Tick(symbol, ts, ScaledPrice.parse(price)), ts);
    }

    /** A tick the replay tool published for one REPLAY run. */
    void replayTick(String runId, String symbol, long ts, String price) throws Exception {
        Tick t = new Tick(symbol, ts, ScaledPrice.parse(price));
        t.replayRunId = runId;
        harness.processElement(t, ts);
    }

    /** A tick the replay tool published for every run of a sweep. */
    void sweepTick(String sweepId, String symbol, long ts, String price) throws Exception {
        Tick t = new Tick(symbol, ts, ScaledPrice.parse(price));
        t.replaySweepId = sweepId;
        harness.processElement(t, ts);
    }

    void sweepMarker(String sweepId, String symbol, long ts, boolean end) throws Exception {
        Tick t = new Tick(symbol, ts, 0);
        t.replaySweepId = sweepId;
        t.replayEnd = end;
        t.replayReset = !end;
        harness.processElement(t, ts);
    }

    void replayMarker(String runId, String symbol, long ts, boolean end) throws Exception {
        Tick t = new Tick(symbol, ts, 0);
        t.replayRunId = runId;
        t.replayEnd = end;
        t.replayReset = !end;
        harness.processElement(t, ts);
    }

    void watermark(long ts) throws Exception {
        harness.watermark(ts);
    }

    List<MetricRecord> metrics() {
        return harness.extractOutputValues();
    }

    <T> List<T> side(OutputTag<T> tag) {
        var records = harness.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
