package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.RejectReason;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code ticksRejected} counter per reason code, in a {@code rejectReason=<CODE>} metric group,
 * registered by each operator that decides rejections (the source's validation, the strategy
 * operator for LATE, unknown runs and its own failures). One metric name for every rejection, so a
 * dashboard sums {@code ticksRejected} by {@code rejectReason} over all operators.
 */
public final class RejectionCounters {

    private final Map<RejectReason, Counter> byReason = new EnumMap<>(RejectReason.class);

    public RejectionCounters(MetricGroup metrics, RejectReason... reasons) {
        for (RejectReason reason : reasons) {
            byReason.put(reason, metrics.addGroup("rejectReason", reason.name()).counter("ticksRejected"));
        }
    }

    public void inc(RejectReason reason) {
        byReason.get(reason).inc();
    }
}
