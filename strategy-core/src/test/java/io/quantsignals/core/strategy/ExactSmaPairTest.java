package io.quantsignals.core.strategy;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact SMA ring, checked against BigInteger arithmetic on random and extreme closes. */
class ExactSmaPairTest {

    private static final BigInteger SCALE = BigInteger.valueOf(100_000_000L);

    @Test
    void smasAreUndefinedUntilTheirWindowsAreFull() {
        ExactSmaPair sma = new ExactSmaPair(2, 3);
        assertFalse(sma.isFastDefined());
        assertFalse(sma.isSlowDefined());
        sma.add(1_000_000_000L); // 10
        assertFalse(sma.isFastDefined());
        sma.add(1_100_000_000L); // 11
        assertTrue(sma.isFastDefined());
        assertFalse(sma.isSlowDefined());
        assertEquals(10.5, sma.fastMeanAsDouble());
        sma.add(1_200_000_000L); // 12
        assertTrue(sma.isSlowDefined());
        assertEquals(11.5, sma.fastMeanAsDouble());
        assertEquals(11.0, sma.slowMeanAsDouble());
        assertEquals(1, sma.compareFastToSlow());
        sma.add(900_000_000L); // 9: fast (12+9)/2 = 10.5, slow (11+12+9)/3 = 10.666...
        assertEquals(10.5, sma.fastMeanAsDouble());
        assertEquals(32.0 / 3.0, sma.slowMeanAsDouble());
        assertEquals(-1, sma.compareFastToSlow());
    }

    @Test
    void runningSumsMatchBigIntegerOnRandomAndExtremeCloses() {
        SplittableRandom random = new SplittableRandom(11);
        int[][] windows = {{1, 2}, {2, 3}, {3, 7}, {10, 50}, {49, 50}};
        for (int[] w : windows) {
            ExactSmaPair sma = new ExactSmaPair(w[0], w[1]);
            ArrayDeque<Long> reference = new ArrayDeque<>();
            for (int i = 0; i < 5_000; i++) {
                long close;
                switch (random.nextInt(5)) {
                    case 0 -> close = Long.MAX_VALUE;
                    case 1 -> close = 1L;
                    case 2 -> close = Long.MAX_VALUE - random.nextLong(1_000);
                    case 3 -> close = random.nextLong(1, 1L << 53);
                    default -> close = random.nextLong(1, Long.MAX_VALUE);
                }
                sma.add(close);
                reference.addLast(close);
                if (reference.size() > w[1]) {
                    reference.removeFirst();
                }
                checkAgainstReference(sma, reference, w[0], w[1]);
            }
        }
    }

    @Test
    void comparisonDecidesExactTiesAndNearTies() {
        // fast = mean of the last 2, slow = mean of the last 4. a + b == c + d gives an exact tie.
        ExactSmaPair sma = new ExactSmaPair(2, 4);
        for (long close : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1}) {
            sma.add(close);
        }
        assertEquals(0, sma.compareFastToSlow());
        sma.add(Long.MAX_VALUE - 1); // window [MAX-2, MAX-1, MAX-1, MAX-1]: fast MAX-1 > slow MAX-1.25
        assertEquals(1, sma.compareFastToSlow());
        // As doubles all these means round to the same value: only exact arithmetic tells them apart.
        assertEquals(sma.fastMeanAsDouble(), sma.slowMeanAsDouble());
    }

    @Test
    void aMillionMaximalClosesNeitherOverflowNorLosePrecision() {
        int slow = 1_000_000;
        ExactSmaPair sma = new ExactSmaPair(slow - 1, slow);
        for (int i = 0; i < slow; i++) {
            sma.add(Long.MAX_VALUE);
        }
        BigInteger expectedSum = BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.valueOf(slow));
        assertEquals(expectedSum, UInt128.toBigInteger(sma.slowSumHi, sma.slowSumLo));
        assertEquals(0, sma.compareFastToSlow());
        assertEquals(Double.parseDouble("92233720368.54775807"), sma.slowMeanAsDouble());
        assertEquals(Double.parseDouble("92233720368.54775807"), sma.fastMeanAsDouble());
        sma.add(Long.MAX_VALUE - 1); // the slow mean drops by 1/10^6 units; the fast by 1/999,999
        assertEquals(-1, sma.compareFastToSlow());
    }

    @Test
    void compareMeansMatchesBigIntegerCrossMultiplication() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            long aHi = random.nextLong(0, 1L << 31);
            long aLo = random.nextLong();
            long bHi = random.nextBoolean() ? aHi : random.nextLong(0, 1L << 31);
            long bLo = random.nextBoolean() ? aLo : random.nextLong();
            long countA = random.nextLong(1, Integer.MAX_VALUE);
            long countB = random.nextBoolean() ? countA : random.nextLong(1, Integer.MAX_VALUE);
            BigInteger left = UInt128.toBigInteger(aHi, aLo).multiply(BigInteger.valueOf(countB));
            BigInteger right = UInt128.toBigInteger(bHi, bLo).multiply(BigInteger.valueOf(countA));
            assertEquals(left.compareTo(right), ExactSmaPair.compareMeans(aHi, aLo, countA, bHi, bLo, countB));
        }
    }

    @Test
    void meanAsDoubleIsTheNearestDoubleOnBothPaths() {
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 50_000; i++) {
            boolean small = random.nextBoolean();
            long hi = small ? 0 : random.nextLong(0, 1L << 31);
            long lo = small ? random.nextLong(0, 1L << 53) : random.nextLong();
            long count = small ? random.nextLong(1, 90_000_000L) : random.nextLong(1, Integer.MAX_VALUE);
            double mean = ExactSmaPair.meanAsDouble(hi, lo, count);
            UInt128Test.assertNearest(UInt128.toBigInteger(hi, lo), BigInteger.valueOf(count).multiply(SCALE), mean);
        }
        assertEquals(973.13, ExactSmaPair.meanAsDouble(0, 4 * 97_313_000_000L, 4));
    }

    @Test
    void resizeKeepsTheMostRecentClosesAndRecomputesTheSums() {
        ExactSmaPair sma = new ExactSmaPair(2, 4);
        for (long close = 1; close <= 6; close++) {
            sma.add(close * 100_000_000L); // 1..6; the ring holds 3, 4, 5, 6
        }
        sma.resize(1, 2); // keeps 5, 6
        assertEquals(2, sma.slowWindow());
        assertEquals(2, sma.held());
        assertEquals(6.0, sma.fastMeanAsDouble());
        assertEquals(5.5, sma.slowMeanAsDouble());

        sma.resize(2, 5); // grows: keeps 5, 6; slow undefined until 5 closes
        assertEquals(5, sma.ring.length);
        assertTrue(sma.isFastDefined());
        assertFalse(sma.isSlowDefined());
        assertEquals(5.5, sma.fastMeanAsDouble());
        for (long close = 7; close <= 9; close++) {
            sma.add(close * 100_000_000L);
        }
        assertTrue(sma.isSlowDefined());
        assertEquals(7.0, sma.slowMeanAsDouble()); // 5..9
        assertEquals(8.5, sma.fastMeanAsDouble());
        checkAgainstReference(sma, List.of(500_000_000L, 600_000_000L, 700_000_000L, 800_000_000L, 900_000_000L), 2, 5);
    }

    @Test
    void rejectsInvalidWindowsAndCloses() {
        assertThrows(IllegalArgumentException.class, () -> new ExactSmaPair(0, 2));
        assertThrows(IllegalArgumentException.class, () -> new ExactSmaPair(3, 3));
        ExactSmaPair sma = new ExactSmaPair(1, 2);
        assertThrows(IllegalArgumentException.class, () -> sma.add(0));
        assertThrows(IllegalArgumentException.class, () -> sma.add(-5));
    }

    private static void checkAgainstReference(ExactSmaPair sma, Iterable<Long> heldOldestFirst, int fast, int slow) {
        List<Long> held = new ArrayList<>();
        heldOldestFirst.forEach(held::add);
        BigInteger slowSum = BigInteger.ZERO;
        BigInteger fastSum = BigInteger.ZERO;
        Iterator<Long> it = held.iterator();
        for (int i = 0; it.hasNext(); i++) {
            BigInteger close = BigInteger.valueOf(it.next());
            slowSum = slowSum.add(close);
            if (i >= held.size() - fast) {
                fastSum = fastSum.add(close);
            }
        }
        assertEquals(held.size(), sma.held());
        assertEquals(slowSum, UInt128.toBigInteger(sma.slowSumHi, sma.slowSumLo));
        assertEquals(fastSum, UInt128.toBigInteger(sma.fastSumHi, sma.fastSumLo));
        assertEquals(held.size() >= fast, sma.isFastDefined());
        assertEquals(held.size() == slow, sma.isSlowDefined());
        if (sma.isFastDefined()) {
            UInt128Test.assertNearest(fastSum, BigInteger.valueOf(fast).multiply(SCALE), sma.fastMeanAsDouble());
        }
        if (sma.isSlowDefined()) {
            UInt128Test.assertNearest(slowSum, BigInteger.valueOf(slow).multiply(SCALE), sma.slowMeanAsDouble());
            int expected = fastSum.multiply(BigInteger.valueOf(slow)).compareTo(slowSum.multiply(BigInteger.valueOf(fast)));
            assertEquals(expected, sma.compareFastToSlow());
        }
        // The ring's contents, oldest first, are exactly the held closes.
        long[] ringOldestFirst = new long[sma.held()];
        for (int k = 0; k < sma.held(); k++) {
            int index = Math.floorMod(sma.next - sma.held() + k, sma.ring.length);
            ringOldestFirst[k] = sma.ring[index];
        }
        assertArrayEquals(held.stream().mapToLong(Long::longValue).toArray(), ringOldestFirst);
    }
}
