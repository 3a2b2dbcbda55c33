package io.quantsignals.core.strategy;

import java.math.BigInteger;

/**
 * Unsigned 128-bit integer helpers over (high, low) pairs of {@code long}s.
 *
 * <p>Why 128 bits: an SMA's running sum adds up to {@code window} scaled prices, each up to 2⁶³.
 * A long would overflow after two large prices; 128 bits hold the sum of 2³¹ (any int window) of
 * them, and the exact SMA comparison multiplies such a sum by a window size, which needs up to
 * 192 bits — computed here word by word rather than with {@link BigInteger}, because it runs on
 * every bar and must not allocate.
 *
 * <p>Values are passed as two longs ({@code hi}, {@code lo}) read as the unsigned number
 * {@code hi·2⁶⁴ + lo}; the SMA state stores them the same way, as plain POJO fields.
 */
public final class UInt128 {

    private static final BigInteger TWO_POW_64 = BigInteger.ONE.shiftLeft(64);

    private UInt128() {
    }

    /**
     * High 64 bits of the unsigned 128-bit product {@code a·b} (Java 18 has this as
     * {@code Math.unsignedMultiplyHigh}; Java 17 only has the signed variant, corrected here).
     */
    public static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * Compares {@code a·m} with {@code b·n} exactly, where {@code a = (aHi, aLo)} and
     * {@code b = (bHi, bLo)} are unsigned 128-bit values and {@code m}, {@code n} are unsigned 64-bit
     * values. The products (up to 192 bits) are formed in three words each, without allocation.
     *
     * @return negative, zero or positive as {@code a·m} is less than, equal to or greater than {@code b·n}
     */
    public static int compareProducts(long aHi, long aLo, long m, long bHi, long bLo, long n) {
        // a·m = aHi·m·2^64 + aLo·m; each partial product is 128 bits (high word via unsignedMultiplyHigh).
        long a0 = aLo * m;
        long aCarry = unsignedMultiplyHigh(aLo, m);
        long aMid = aHi * m;
        long a1 = aMid + aCarry;
        long a2 = unsignedMultiplyHigh(aHi, m) + (Long.compareUnsigned(a1, aMid) < 0 ? 1 : 0);

        long b0 = bLo * n;
        long bCarry = unsignedMultiplyHigh(bLo, n);
        long bMid = bHi * n;
        long b1 = bMid + bCarry;
        long b2 = unsignedMultiplyHigh(bHi, n) + (Long.compareUnsigned(b1, bMid) < 0 ? 1 : 0);

        if (a2 != b2) {
            return Long.compareUnsigned(a2, b2);
        }
        if (a1 != b1) {
            return Long.compareUnsigned(a1, b1);
        }
        return Long.compareUnsigned(a0, b0);
    }

    /** The unsigned value {@code hi·2⁶⁴ + lo} as a BigInteger (for slow paths and tests). */
    public static BigInteger toBigInteger(long hi, long lo) {
        BigInteger high = new BigInteger(Long.toUnsignedString(hi));
        BigInteger low = new BigInteger(Long.toUnsignedString(lo));
        return high.multiply(TWO_POW_64).add(low);
    }

    /**
     * The nearest double (ties to even) to {@code (hi, lo) / divisor}, for an unsigned 128-bit
     * dividend and a positive divisor. Exact: no intermediate rounding, so it is the correctly
     * rounded mean the SPEC stores in {@code sma_fast}/{@code sma_slow}.
     *
     * <p>Used only when the fast path (both operands exact doubles, one IEEE division) does not
     * apply, so it may allocate.
     */
    public static double nearestDoubleOfQuotient(long hi, long lo, long divisor) {
        if (divisor <= 0) {
            throw new IllegalArgumentException("divisor must be positive: " + divisor);
        }
        return nearestDouble(toBigInteger(hi, lo), BigInteger.valueOf(divisor));
    }

    /**
     * The nearest double (ties to even) to {@code numerator / denominator}, both non-negative,
     * denominator positive, for results in the normal double range.
     *
     * <p>How: scale so that the integer quotient has at least 55 significant bits (53 for the
     * mantissa, one guard bit, one or more sticky bits), fold a non-zero remainder into the lowest
     * (sticky) bit, and let {@link BigInteger#doubleValue()} — which rounds half-even — do the one
     * and only rounding; the final power-of-two scaling is exact.
     */
    static double nearestDouble(BigInteger numerator, BigInteger denominator) {
        if (numerator.signum() == 0) {
            return 0.0;
        }
        int shift = 55 + denominator.bitLength() - numerator.bitLength();
        BigInteger n = shift > 0 ? numerator.shiftLeft(shift) : numerator;
        BigInteger d = shift < 0 ? denominator.shiftLeft(-shift) : denominator;
        BigInteger[] quotientAndRemainder = n.divideAndRemainder(d);
        BigInteger quotient = quotientAndRemainder[0];
        if (quotientAndRemainder[1].signum() != 0) {
            quotient = quotient.setBit(0);
        }
        return Math.scalb(quotient.doubleValue(), -shift);
    }
}
