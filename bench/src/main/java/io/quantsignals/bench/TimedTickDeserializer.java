package io.quantsignals.bench;

import io.quantsignals.job.ingest.IncomingMessage;
import io.quantsignals.job.ingest.TickDeserializer;
import io.quantsignals.job.ingest.TickDeserializer.Role;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job's own deserializer plus two probes the harness reads from the same JVM (the MiniCluster
 * runs in-process and loads job classes from the application class path, so the statics are
 * shared): when the first record was parsed, and optionally how many were.
 */
public class TimedTickDeserializer extends TickDeserializer {

    private static final long serialVersionUID = 1L;
    private static final AtomicLong FIRST_NANOS = new AtomicLong();
    private static final AtomicLong COUNT = new AtomicLong();

    private final boolean count;

    /**
     * @param count also count records (an atomic increment per record; off for throughput runs)
     * @param role which of the job's readers (see {@link TickDeserializer.Role})
     */
    public TimedTickDeserializer(Duration maxFutureSkew, boolean count, Role role) {
        super(maxFutureSkew, role);
        this.count = count;
    }

    static void reset() {
        FIRST_NANOS.set(0);
        COUNT.set(0);
    }

    /** {@link System#nanoTime()} of the first record since {@link #reset()}, or 0. */
    static long firstNanos() {
        return FIRST_NANOS.get();
    }

    static long count() {
        return COUNT.get();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IncomingMessage> out) {
        if (FIRST_NANOS.get() == 0) {
            FIRST_NANOS.compareAndSet(0, System.nanoTime());
        }
        if (count) {
            COUNT.incrementAndGet();
        }
        super.deserialize(record, out);
    }
}
