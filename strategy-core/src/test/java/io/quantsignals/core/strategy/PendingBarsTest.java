package io.quantsignals.core.strategy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingBarsTest {

    private static final long MINUTE = 60_000;

    @Test
    void aTickOpensItsBarOnceAndTheCloseRuleDecidesItsPrice() {
        PendingBars pending = new PendingBars();
        assertTrue(pending.add(0, 10, 100));
        assertFalse(pending.add(0, 30, 300));
        assertFalse(pending.add(0, 20, 200), "an older tick of the bar does not replace the close");
        assertFalse(pending.add(0, 30, 301), "an equal time goes to the tick that arrived last");
        assertEquals(1, pending.size());
        assertEquals(301, pending.bars[0].closePrice);
        assertEquals(30, pending.bars[0].closeTime);
    }

    @Test
    void barsStayInTimeOrderWhateverTheArrivalOrder() {
        PendingBars pending = new PendingBars();
        pending.add(2 * MINUTE, 2 * MINUTE, 1);
        pending.add(0, 5, 2);
        pending.add(MINUTE, MINUTE + 5, 3);
        pending.add(3 * MINUTE, 3 * MINUTE, 4);
        assertArrayEquals(new long[] {0, MINUTE, 2 * MINUTE, 3 * MINUTE}, barTimes(pending.bars));
    }

    @Test
    void completeBarsLeaveOldestFirstAtTheirLastMillisecond() {
        PendingBars pending = new PendingBars();
        for (long t = 0; t < 4; t++) {
            pending.add(t * MINUTE, t * MINUTE + 1, 10 + t);
        }
        assertEquals(0, pending.removeComplete(MINUTE, MINUTE - 2).length, "one millisecond short of the first bar's end");
        PendingBar[] done = pending.removeComplete(MINUTE, 2 * MINUTE - 1);
        assertArrayEquals(new long[] {0, MINUTE}, barTimes(done));
        assertArrayEquals(new long[] {2 * MINUTE, 3 * MINUTE}, barTimes(pending.bars));
        assertArrayEquals(new long[] {2 * MINUTE, 3 * MINUTE}, barTimes(pending.removeComplete(MINUTE, Long.MAX_VALUE)));
        assertEquals(0, pending.size());
    }

    @Test
    void tickBarsCompleteOneMillisecondAtATime() {
        PendingBars pending = new PendingBars();
        pending.add(100, 100, 1);
        pending.add(101, 101, 2);
        pending.add(100, 100, 3);
        assertEquals(2, pending.size());
        PendingBar[] done = pending.removeComplete(0, 100);
        assertEquals(1, done.length);
        assertEquals(3, done[0].closePrice);
        assertArrayEquals(new long[] {101}, barTimes(pending.bars));
    }

    private static long[] barTimes(PendingBar[] bars) {
        long[] times = new long[bars.length];
        for (int i = 0; i < bars.length; i++) {
            times[i] = bars[i].barTime;
        }
        return times;
    }
}
