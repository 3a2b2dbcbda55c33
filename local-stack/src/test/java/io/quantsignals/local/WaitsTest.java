package io.quantsignals.local;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's wait for its last bars: bounded by a stall, not by a total deadline. */
class WaitsTest {

    @Test
    void aCountThatStopsGrowingEndsTheWaitWithOneLineNamingWhatDidNotArrive() {
        AtomicLong rows = new AtomicLong();
        long t0 = System.nanoTime();
        StackFailure e = assertThrows(StackFailure.class, () -> Waits.awaitCount("the bars of REPLAY run r1", 5,
                Duration.ofMillis(600), () -> Math.min(3, rows.incrementAndGet()), () -> { }, () -> "the job is RUNNING"));
        long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals("timed out waiting for the bars of REPLAY run r1: 3 of 5 arrived, none in the last 600ms (the job is RUNNING)",
                e.getMessage());
        assertTrue(millis >= 600 && millis < 3_000, millis + " ms");
    }

    @Test
    void aCountThatKeepsGrowingMayTakeLongerThanTheStall() {
        AtomicLong rows = new AtomicLong();
        // One more row per poll (200 ms), 8 polls: longer than the 500 ms stall in all.
        assertEquals(8, Waits.awaitCount("rows", 8, Duration.ofMillis(500), rows::incrementAndGet, () -> { }, () -> ""));
    }

    @Test
    void aFailedCheckEndsTheWaitAtOnce() {
        AtomicInteger polls = new AtomicInteger();
        StackFailure e = assertThrows(StackFailure.class, () -> Waits.awaitCount("rows", 10, Duration.ofMinutes(5), () -> 0,
                () -> {
                    if (polls.incrementAndGet() == 3) {
                        throw new StackFailure("the Flink job failed: boom");
                    }
                }, () -> ""));
        assertEquals("the Flink job failed: boom", e.getMessage());
        assertEquals(3, polls.get());
        assertFalse(e.getMessage().contains("\n"));
    }
}
