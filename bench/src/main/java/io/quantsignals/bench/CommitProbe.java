package io.quantsignals.bench;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import io.quantsignals.job.sink.JobSinks;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job's sinks with a probe on the two that take a row per tick or per bar (strategy_metrics and
 * price_ticks): when their last flush returned, i.e. when the job's last result row was committed.
 * "First record -> committed" is the job's throughput without the MiniCluster's ~0.5 s of job
 * teardown (tasks finishing, connections and consumers closing, the job result), which does not
 * depend on the number of ticks. Like {@link TimedTickDeserializer}, it relies on the MiniCluster
 * running in the harness's JVM.
 */
record CommitProbe(JobSinks inner) implements JobSinks {

    private static final AtomicLong LAST_COMMIT_NANOS = new AtomicLong();

    static void reset() {
        LAST_COMMIT_NANOS.set(0);
    }

    /** {@link System#nanoTime()} when a probed sink's last flush returned since {@link #reset()}, or 0. */
    static long lastCommitNanos() {
        return LAST_COMMIT_NANOS.get();
    }

    @Override
    public Sink<MetricRecord> metrics() {
        return probed(inner.metrics());
    }

    @Override
    public Sink<Tick> priceTicks() {
        return probed(inner.priceTicks());
    }

    @Override
    public Sink<RejectedTick> rejectedTicks() {
        return inner.rejectedTicks();
    }

    @Override
    public Sink<TransitionRecord> transitions() {
        return inner.transitions();
    }

    @Override
    public Sink<KillSwitchEvent> killSwitchEvents() {
        return inner.killSwitchEvents();
    }

    @Override
    public Sink<PeriodSummary> runSummaries() {
        return inner.runSummaries();
    }

    private static <T> Sink<T> probed(Sink<T> sink) {
        return new ProbedSink<>(sink);
    }

    private record ProbedSink<T>(Sink<T> sink) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<T> writer = sink.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) throws IOException, InterruptedException {
                    writer.write(element, ctx);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                    LAST_COMMIT_NANOS.accumulateAndGet(System.nanoTime(), Math::max);
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }
    }
}
