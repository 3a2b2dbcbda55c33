package io.quantsignals.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a sink and makes its writer throw once, after {@code failAfter} records have been written
 * across all its parallel writers: an injected crash in the middle of the stream. The counters are
 * static because the MiniCluster runs in the test's JVM and the sink object is serialized.
 */
final class FailOnceSink<T> implements Sink<T> {

    static final AtomicLong WRITTEN = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    private final Sink<T> delegate;
    private final long failAfter;

    FailOnceSink(Sink<T> delegate, long failAfter) {
        this.delegate = delegate;
        this.failAfter = failAfter;
    }

    static void reset() {
        WRITTEN.set(0);
        FAILED.set(false);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<T> writer = delegate.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                if (WRITTEN.incrementAndGet() >= failAfter && FAILED.compareAndSet(false, true)) {
                    throw new IOException("injected failure after " + failAfter + " records");
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
