package io.quantsignals.core.strategy;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 128-bit arithmetic, checked against BigInteger on random and extreme inputs. */
class UInt128Test {

    private static final BigInteger TWO_POW_64 = BigInteger.ONE.shiftLeft(64);

    /** Edge values for a 64-bit word, read unsigned. */
    private static final long[] EXTREMES = {
        0L, 1L, 2L, 3L, 100_000_000L, Integer.MAX_VALUE, 0xFFFF_FFFFL, 1L << 32, (1L << 53) - 1, 1L << 53,
        Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -2L, -1L
    };

    @Test
    void unsignedMultiplyHighMatchesBigInteger() {
        SplittableRandom random = new SplittableRandom(1);
        for (long a : EXTREMES) {
            for (long b : EXTREMES) {
                checkMultiplyHigh(a, b);
            }
        }
        for (int i = 0; i < 100_000; i++) {
            checkMultiplyHigh(random.nextLong(), random.nextLong());
        }
    }

    private static void checkMultiplyHigh(long a, long b) {
        BigInteger product = unsigned(a).multiply(unsigned(b));
        assertEquals(product.shiftRight(64).longValue(), UInt128.unsignedMultiplyHigh(a, b), a + " * " + b);
    }

    @Test
    void compareProductsMatchesBigIntegerOnExtremes() {
        for (long aHi : EXTREMES) {
            for (long aLo : EXTREMES) {
                for (long m : EXTREMES) {
                    // b·n chosen both far from and equal to a·m.
                    checkCompare(aHi, aLo, m, aHi, aLo, m);
                    checkCompare(aHi, aLo, m, aLo, aHi, m);
                    checkCompare(aHi, aLo, m, m, aLo, aHi);
                    checkCompare(aHi, aLo, m, aHi, aLo ^ 1, m);
                }
            }
        }
    }

    @Test
    void compareProductsMatchesBigIntegerOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            long aHi = random.nextLong();
            long aLo = random.nextLong();
            long m = random.nextLong();
            if (i % 3 == 0) {
                // Products that are equal: a·m = b·n with a = x·n and b = x·m.
                long x = random.nextLong(1, 1L << 40);
                long n = random.nextLong(1, 1L << 20);
                m = random.nextLong(1, 1L << 20);
                BigInteger a = BigInteger.valueOf(x).multiply(BigInteger.valueOf(n));
                BigInteger b = BigInteger.valueOf(x).multiply(BigInteger.valueOf(m));
                checkCompare(hi(a), lo(a), m, hi(b), lo(b), n);
                continue;
            }
            checkCompare(aHi, aLo, m, random.nextLong(), random.nextLong(), random.nextLong());
            // Nearly equal: same a, multiplier off by one.
            checkCompare(aHi, aLo, m, aHi, aLo, m + 1);
        }
    }

    private static void checkCompare(long aHi, long aLo, long m, long bHi, long bLo, long n) {
        BigInteger left = UInt128.toBigInteger(aHi, aLo).multiply(unsigned(m));
        BigInteger right = UInt128.toBigInteger(bHi, bLo).multiply(unsigned(n));
        assertEquals(Integer.signum(left.compareTo(right)),
                Integer.signum(UInt128.compareProducts(aHi, aLo, m, bHi, bLo, n)),
                () -> left + " vs " + right);
    }

    @Test
    void toBigIntegerReadsBothWordsUnsigned() {
        assertEquals(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE), UInt128.toBigInteger(-1L, -1L));
        assertEquals(TWO_POW_64, UInt128.toBigInteger(1L, 0L));
        assertEquals(unsigned(Long.MIN_VALUE), UInt128.toBigInteger(0L, Long.MIN_VALUE));
    }

    @Test
    void nearestDoubleOfQuotientIsCorrectlyRounded() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50_000; i++) {
            long hi = random.nextLong(0, 1L << 31);
            long lo = random.nextLong();
            long divisor = random.nextLong(1, Long.MAX_VALUE);
            double result = UInt128.nearestDoubleOfQuotient(hi, lo, divisor);
            assertNearest(UInt128.toBigInteger(hi, lo), BigInteger.valueOf(divisor), result);
        }
        // Exact halves between two doubles must go to the even one: (2^53 + 1) / 1 lies exactly
        // between 2^53 and 2^53 + 2.
        assertEquals(0x1p53, UInt128.nearestDoubleOfQuotient(0, (1L << 53) + 1, 1));
        assertEquals(0x1p53 + 4, UInt128.nearestDoubleOfQuotient(0, (1L << 53) + 3, 1));
        // ...and a hair above a half goes up.
        assertEquals(0x1p53 + 2, UInt128.nearestDoubleOfQuotient(0, (1L << 54) + 3, 2));
    }

    /** Asserts that no double is closer to num/den than {@code d}, and that a tie went to an even mantissa. */
    static void assertNearest(BigInteger num, BigInteger den, double d) {
        // |num/den − x| · den = |num − x·den|, computed exactly (a double is an exact BigDecimal).
        BigDecimal numerator = new BigDecimal(num);
        BigDecimal denominator = new BigDecimal(den);
        BigDecimal distance = numerator.subtract(new BigDecimal(d).multiply(denominator)).abs();
        BigDecimal distanceBelow = numerator.subtract(new BigDecimal(Math.nextDown(d)).multiply(denominator)).abs();
        BigDecimal distanceAbove = numerator.subtract(new BigDecimal(Math.nextUp(d)).multiply(denominator)).abs();
        assertTrue(distance.compareTo(distanceBelow) <= 0 && distance.compareTo(distanceAbove) <= 0,
                () -> d + " is not the nearest double to " + num + "/" + den);
        if (distance.compareTo(distanceBelow) == 0 || distance.compareTo(distanceAbove) == 0) {
            assertEquals(0, Double.doubleToRawLongBits(d) & 1, () -> "tie not to even for " + num + "/" + den);
        }
    }

    static BigInteger unsigned(long x) {
        return new BigInteger(Long.toUnsignedString(x));
    }

    private static long hi(BigInteger x) {
        return x.shiftRight(64).longValue();
    }

    private static long lo(BigInteger x) {
        return x.longValue();
    }
}
