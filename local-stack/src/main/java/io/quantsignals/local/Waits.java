package io.quantsignals.local;

import io.quantsignals.cli.Durations;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits for rows the job writes. A fixed deadline is either too short on a busy machine or
 * far too long when nothing will ever come; so a wait ends when the count stops growing for a while,
 * which a working job never does (it writes a row per bar, many a second during a replay).
 */
final class Waits {

    private static final long POLL_MILLIS = 200;

    private Waits() {
    }

    /**
     * Polls {@code count} until it reaches {@code expected}; returns the count.
     *
     * @param what what is counted, for the message ("the bars of REPLAY run ...")
     * @param stall how long the count may stay the same before the wait gives up
     * @param check called on every poll: throws to end the wait at once (say, the job failed)
     * @param detail appended to the message when the wait gives up (say, the job's status)
     * @throws StackFailure one line naming what did not arrive: how many of how many, and for how long nothing came
     */
    static long awaitCount(String what, long expected, Duration stall, LongSupplier count, Runnable check,
                           Supplier<String> detail) {
        long seen = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            check.run();
            long now = count.getAsLong();
            if (now >= expected) {
                return now;
            }
            if (now > seen) {
                seen = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress >= stall.toNanos()) {
                String more = detail.get();
                throw new StackFailure("timed out waiting for " + what + ": " + seen + " of " + expected
                        + " arrived, none in the last " + Durations.format(stall) + (more == null || more.isBlank() ? "" : " (" + more + ")"));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackFailure("interrupted while waiting for " + what);
            }
        }
    }
}
