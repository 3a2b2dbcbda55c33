package io.quantsignals.replay;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Spaces ticks by their original event-time gaps divided by the speedup, against an absolute
 * schedule: the tick with event time {@code ts} is due at
 * {@code origin + (ts - firstTs) / speedup}, where {@code origin} is the {@link System#nanoTime()}
 * when the first tick was released. Oversleeping one gap (or a slow send) therefore shortens the
 * next wait instead of accumulating: the replay never drifts, and a tool that falls behind catches
 * up by sending without waiting.
 *
 * <p>The schedule spans the first tick to the last one: the time before the first tick (from
 * {@code --start-ts}) and after the last (until {@code --end-ts}) is not waited for.
 */
final class Pacer {

    /** The longest single park, so a stop request is noticed within this time. */
    private static final long MAX_PARK_NANOS = 50_000_000L;
    /** Keeps {@code origin + offset} far from overflow for absurdly slow speedups. */
    private static final double MAX_OFFSET_NANOS = 0x1p62;

    private final double nanosPerEventMilli;
    private long originNanos;
    private long firstTsMillis;
    /** Written after origin/firstTs, read first: the progress thread calls {@link #nanosUntil}. */
    private volatile boolean started;

    Pacer(Speedup speedup) {
        this.nanosPerEventMilli = speedup.nanosPerEventMilli();
    }

    /**
     * Returns when the tick with this event time is due (at once for the first tick, and always at
     * once for {@code --speedup max}), or early when {@code stop} turns true.
     */
    void awaitDue(long tsMillis, BooleanSupplier stop) {
        if (!started) {
            originNanos = System.nanoTime();
            firstTsMillis = tsMillis;
            started = true;
            return;
        }
        if (nanosPerEventMilli == 0) {
            return;
        }
        long due = dueNanos(tsMillis);
        long wait;
        while ((wait = due - System.nanoTime()) > 0 && !stop.getAsBoolean()) {
            LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
        }
    }

    /** Nanoseconds until the tick with this event time is due (0 if due or not paced). */
    long nanosUntil(long tsMillis) {
        if (!started || nanosPerEventMilli == 0) {
            return 0;
        }
        return Math.max(0, dueNanos(tsMillis) - System.nanoTime());
    }

    boolean paced() {
        return nanosPerEventMilli != 0;
    }

    private long dueNanos(long tsMillis) {
        double offset = Math.min((tsMillis - firstTsMillis) * nanosPerEventMilli, MAX_OFFSET_NANOS);
        return originNanos + (long) Math.max(0, offset);
    }
}
