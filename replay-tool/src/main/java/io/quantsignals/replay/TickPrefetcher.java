package io.quantsignals.replay;

import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reads ticks on a thread of its own, a few chunks ahead of the publisher, so that decoding rows
 * from PostgreSQL overlaps with building JSON and handing records to Kafka (each alone is about
 * as expensive as the other). Memory stays bounded: at most {@link #DEPTH} chunks of
 * {@link #CHUNK} ticks wait here, plus what the COPY stream has buffered ({@link TickReader}).
 *
 * <p>The {@link TickReader} (and its connection) belongs to the reading thread until
 * {@link #close} has returned.
 */
final class TickPrefetcher implements AutoCloseable {

    static final int CHUNK = 1_024;
    static final int DEPTH = 8;
    private static final long POLL_MILLIS = 50;

    /** A run of consecutive ticks, in order. */
    static final class Chunk {
        final long[] tsMillis = new long[CHUNK];
        final String[] symbol = new String[CHUNK];
        final double[] price = new double[CHUNK];
        final boolean[] hasVolume = new boolean[CHUNK];
        final double[] volume = new double[CHUNK];
        int size;
    }

    private static final Object END = new Object();

    private record Failure(Exception exception) {
    }

    private final TickReader reader;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(DEPTH);
    private final Thread thread;
    private volatile boolean closed;
    private boolean ended;

    TickPrefetcher(TickReader reader) {
        this.reader = reader;
        this.thread = new Thread(this::read, "replay-reader");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void read() {
        try {
            Chunk chunk = new Chunk();
            while (!closed && reader.next()) {
                int i = chunk.size++;
                chunk.tsMillis[i] = reader.tsMillis;
                chunk.symbol[i] = reader.symbol;
                chunk.price[i] = reader.price;
                chunk.hasVolume[i] = reader.hasVolume;
                chunk.volume[i] = reader.volume;
                if (chunk.size == CHUNK) {
                    put(chunk);
                    chunk = new Chunk();
                }
            }
            if (chunk.size > 0) {
                put(chunk);
            }
            put(END);
        } catch (SQLException | RuntimeException e) {
            put(new Failure(e));
        }
    }

    private void put(Object item) {
        try {
            while (!closed) {
                if (queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next chunk; null at the end of the window, or as soon as {@code stop} turns true.
     *
     * @throws SQLException what reading the rows failed with
     */
    Chunk next(BooleanSupplier stop) throws SQLException {
        if (ended) {
            return null;
        }
        try {
            while (!stop.getAsBoolean()) {
                Object item = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (item == null) {
                    continue;
                }
                if (item == END) {
                    ended = true;
                    return null;
                }
                if (item instanceof Failure f) {
                    ended = true;
                    if (f.exception() instanceof SQLException e) {
                        throw e;
                    }
                    throw (RuntimeException) f.exception();
                }
                return (Chunk) item;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** Stops reading and waits (briefly) for the thread, so the caller may use the connection again. */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
