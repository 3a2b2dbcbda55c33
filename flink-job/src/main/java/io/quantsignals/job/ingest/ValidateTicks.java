package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.job.SideOutputs;
import io.quantsignals.core.tick.Tick;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;


/**
 * Splits what the source parsed: valid ticks continue, rejections go to the {@code rejected}
 * side output. Counts both, rejections per reason ({@code rejectReason=<CODE>} metric groups).
 *
 * <p>The replay tool's end-of-replay marker without a run ({@code {"ts":…,"replay_end":true}}, one
 * per partition, SPEC §7) stops here: it has done its work at the source, moving its partition's
 * watermark to the replay's end, and it has no symbol to be keyed by.
 */
public class ValidateTicks extends ProcessFunction<IncomingMessage, Tick> {

    private transient Counter ticksIn;
    private transient Counter ticksValid;
    private transient Counter replayEndMarkers;
    private transient RejectionCounters rejected;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        ticksIn = metrics.counter("ticksIn");
        ticksValid = metrics.counter("ticksValid");
        replayEndMarkers = metrics.counter("replayEndMarkers");
        rejected = new RejectionCounters(metrics, RejectReason.values());
    }

    @Override
    public void processElement(IncomingMessage message, Context ctx, Collector<Tick> out) {
        ticksIn.inc();
        Tick tick = message.tick;
        if (tick != null && tick.replayEnd && !tick.isForReplayRuns()) {
            replayEndMarkers.inc();
        } else if (tick != null) {
            ticksValid.inc();
            out.collect(tick);
        } else {
            rejected.inc(reasonOf(message.rejected));
            ctx.output(SideOutputs.REJECTED, message.rejected);
        }
    }

    private static RejectReason reasonOf(RejectedTick rejected) {
        int colon = rejected.reason.indexOf(':');
        return RejectReason.valueOf(colon < 0 ? rejected.reason : rejected.reason.substring(0, colon));
    }
}
