package io.quantsignals.core.strategy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BarsTest {

    private static final long MINUTE = 60_000L;

    @Test
    void bucketsAreEpochAlignedHalfOpenIntervals() {
        assertEquals(0, Bars.barTimeOf(0, MINUTE));
        assertEquals(0, Bars.barTimeOf(59_999, MINUTE));
        assertEquals(MINUTE, Bars.barTimeOf(60_000, MINUTE));
        assertEquals(1_700_000_040_000L, Bars.barTimeOf(1_700_000_099_999L, MINUTE));
        // Before 1970 too (floorDiv, not truncation toward zero).
        assertEquals(-MINUTE, Bars.barTimeOf(-1, MINUTE));
        assertEquals(-MINUTE, Bars.barTimeOf(-60_000, MINUTE));
        assertEquals(MINUTE, Bars.barEndOf(0, MINUTE));
        assertEquals(MINUTE - 1, Bars.lastTimestampOf(0, MINUTE));
    }

    @Test
    void tickBarsAreOneMillisecondBuckets() {
        assertEquals(1234, Bars.barTimeOf(1234, 0));
        assertEquals(1235, Bars.barEndOf(1234, 0));
        assertEquals(1234, Bars.lastTimestampOf(1234, 0));
        assertFalse(Bars.isComplete(1234, 0, 1233));
        assertTrue(Bars.isComplete(1234, 0, 1234));
    }

    @Test
    void completenessAndLatenessFollowTheWatermark() {
        assertFalse(Bars.isComplete(0, MINUTE, 59_998));
        assertTrue(Bars.isComplete(0, MINUTE, 59_999));
        // A tick at 30 s is late once the watermark covers its whole bucket, not merely its own time.
        assertFalse(Bars.isLate(30_000, MINUTE, 45_000));
        assertTrue(Bars.isLate(30_000, MINUTE, 59_999));
        assertFalse(Bars.isLate(60_000, MINUTE, 59_999));
    }

    @Test
    void theCloseGoesToTheGreatestTimeAndTiesToTheLastArrival() {
        assertTrue(Bars.replacesClose(1_000, 2_000));
        assertTrue(Bars.replacesClose(1_000, 1_000));
        assertFalse(Bars.replacesClose(1_000, 999));

        PendingBar bar = new PendingBar(0, 10_000, 1);
        bar.offer(20_000, 2);
        bar.offer(15_000, 3); // older: ignored
        bar.offer(20_000, 4); // same time, later arrival: wins
        assertEquals(20_000, bar.closeTime);
        assertEquals(4, bar.closePrice);
        assertEquals(0, bar.barTime);
    }

    @Test
    void saturatesInsteadOfOverflowing() {
        assertEquals(Long.MAX_VALUE, Bars.barEndOf(Long.MAX_VALUE - 5, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> Bars.barTimeOf(0, -1));
    }
}
