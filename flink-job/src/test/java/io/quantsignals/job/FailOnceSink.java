package io.quantsignals.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a sink and makes its writer throw once, after {@code failAfter} records have been written
 * across all its parallel writers: an injected crash in the middle of the stream. The counters are
 * static, by sink name, because the MiniCluster runs in the test's JVM and the sink object is
 * serialized.
 */
final class FailOnceSink<T> implements Sink<T> {

    /** Records written through the sink so far, and whether it has thrown. */
    record Counters(AtomicLong written, AtomicBoolean failed) {
    }

    private static final Map<String, Counters> COUNTERS = new ConcurrentHashMap<>();

    private final String name;
    private final Sink<T> delegate;
    private final long failAfter;

    FailOnceSink(String name, Sink<T> delegate, long failAfter) {
        this.name = name;
        this.delegate = delegate;
        this.failAfter = failAfter;
    }

    static Counters counters(String name) {
        return COUNTERS.computeIfAbsent(name, n -> new Counters(new AtomicLong(), new AtomicBoolean()));
    }

    static void reset() {
        COUNTERS.clear();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<T> writer = delegate.createWriter(context);
        Counters counters = counters(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                if (counters.written().incrementAndGet() >= failAfter && counters.failed().compareAndSet(false, true)) {
                    throw new IOException("injected failure of " + name + " after " + failAfter + " records");
                }
                writer.write(element, ctx);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }
}
