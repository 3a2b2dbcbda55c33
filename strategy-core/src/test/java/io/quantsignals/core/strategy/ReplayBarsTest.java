package io.quantsignals.core.strategy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A replay's own clock: bars complete as the replay's ticks move on, late ticks are refused, the end marker closes the rest. */
class ReplayBarsTest {

    private static final long MINUTE = 60_000;

    @Test
    void barsCompleteOnTheReplaysClockAndTheEndMarkerClosesTheLast() {
        ReplayBarsState state = new ReplayBarsState();
        ReplayBars bars = new ReplayBars(state, MINUTE, 2_000);
        assertTrue(bars.add(10_000, 100));
        assertTrue(bars.add(59_000, 101));
        assertEquals(0, bars.removeComplete().length, "the first bar is still open");
        assertTrue(bars.add(61_000, 102));
        // Clock = 61,000 - 2,000 - 1 = 58,999: the first bar (ends 59,999) is not complete yet.
        assertEquals(0, bars.removeComplete().length);
        assertTrue(bars.add(62_001, 103));
        // Clock = 60,000: the bar [0, 60,000) is complete, its close the tick at 59,000.
        PendingBar[] first = bars.removeComplete();
        assertEquals(1, first.length);
        assertEquals(0, first[0].barTime);
        assertEquals(101, first[0].closePrice);
        assertFalse(bars.add(59_500, 99), "a tick of a completed bar is late");
        assertEquals(62_001, state.latestTickTime);
        assertEquals(103, state.latestTickPrice);

        bars.end(2 * MINUTE);
        PendingBar[] last = bars.removeComplete();
        assertEquals(1, last.length);
        assertEquals(MINUTE, last[0].barTime);
        assertEquals(103, last[0].closePrice);
        assertTrue(state.hasLastBar);
        assertEquals(MINUTE, state.lastBarTime);
        assertArrayEquals(new PendingBar[0], bars.removeComplete());
    }

    @Test
    void equalTimesGoToTheTickThatArrivedLast() {
        ReplayBarsState state = new ReplayBarsState();
        ReplayBars bars = new ReplayBars(state, 0, 0); // tick bars
        assertTrue(bars.add(5, 1));
        assertTrue(bars.add(5, 2));
        assertEquals(2, state.latestTickPrice);
        bars.end(6);
        PendingBar[] complete = bars.removeComplete();
        assertEquals(1, complete.length);
        assertEquals(2, complete[0].closePrice);
        assertFalse(bars.add(5, 3), "its bar has completed");
    }
}
