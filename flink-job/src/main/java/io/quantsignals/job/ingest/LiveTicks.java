package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.Tick;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * What the tick archive stores: every valid live tick. Not replayed history (it is in price_ticks
 * already), not the replay tool's markers, and not rejected messages: the signal pipeline writes
 * those to rejected_ticks, so they are counted here ({@code messagesNotArchived}) but not lost.
 */
public class LiveTicks extends RichFlatMapFunction<IncomingMessage, Tick> {

    private transient Counter archived;
    private transient Counter notArchived;

    @Override
    public void open(OpenContext openContext) {
        archived = getRuntimeContext().getMetricGroup().counter("ticksArchived");
        notArchived = getRuntimeContext().getMetricGroup().counter("messagesNotArchived");
    }

    @Override
    public void flatMap(IncomingMessage message, Collector<Tick> out) {
        Tick t = message.tick;
        if (t != null && !t.replayed && !t.isForReplayRuns() && !t.replayEnd) {
            archived.inc();
            out.collect(t);
        } else {
            notArchived.inc();
        }
    }
}
