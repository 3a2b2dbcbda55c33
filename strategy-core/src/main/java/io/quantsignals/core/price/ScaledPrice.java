package io.quantsignals.core.price;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Prices as {@code long}s counting units of 10⁻⁸ (SPEC §5 "Exactness").
 *
 * <p>Why: the SPEC takes every price as its nearest multiple of 10⁻⁸, an exact decimal, and
 * defines the SMAs as exact decimal means. Holding prices as scaled integers lets the moving
 * averages be running integer sums (exact, O(1) per bar, independent of summation order), and
 * makes "800.01" the integer 80001000000 rather than the binary fraction 800.00999999999999...
 *
 * <p>Conversions:
 * <ul>
 *   <li>{@link #parse(CharSequence)}: decimal text (as it appears in the Kafka JSON or a CSV) to
 *       the nearest multiple of 10⁻⁸, rounding half-even on the 9th and later decimals. This is the
 *       preferred input path: it sees the digits the producer actually wrote.</li>
 *   <li>{@link #fromDouble(double)}: for callers that only have a {@code double}; it goes through
 *       {@link Double#toString(double)}, the short decimal that identifies the double, so 800.01
 *       becomes 80001000000 and not the rounding of the binary value.</li>
 *   <li>{@link #toDouble(long)}: the nearest IEEE double to {@code scaled / 10⁸}, which is the
 *       SPEC's {@code c_t}.</li>
 * </ul>
 *
 * <p>Valid prices are positive: {@code parse} and {@code fromDouble} reject non-finite values,
 * values that are zero or negative after rounding, and values whose scaled form does not fit in
 * a {@code long} (prices above 92,233,720,368.54775807, the largest that fits), with an
 * {@link IllegalArgumentException} whose message says which rule was broken (the job writes it
 * to {@code rejected_ticks}).
 */
public final class ScaledPrice {

    /** Number of decimals kept. */
    public static final int DECIMALS = 8;

    /** 10⁸: one price unit in scaled form. */
    public static final long SCALE = 100_000_000L;

    /** 2⁵³: every long below it converts to a double exactly. */
    private static final long TWO_POW_53 = 1L << 53;

    /** Largest integer part whose scaled form (times 10⁸) still fits in a long. */
    private static final long MAX_INTEGER_PART = Long.MAX_VALUE / SCALE; // 92233720368

    /** Powers of ten used to pad a short fraction to 8 digits. */
    private static final long[] POW10 = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L
    };

    private ScaledPrice() {
    }

    /**
     * Parses a decimal price to its nearest multiple of 10⁻⁸ (half-even), exactly.
     *
     * <p>Plain decimals ({@code 800.01}, {@code +12}, {@code .5}, surrounding whitespace allowed)
     * take an allocation-free fast path, since that is what ticks carry; anything else (exponent
     * notation such as {@code 8.0001E2}) falls back to {@link BigDecimal}, which is exact too.
     *
     * @throws IllegalArgumentException if the text is not a finite decimal number, rounds to zero
     *     or less, or is too large for the scaled form
     */
    public static long parse(CharSequence decimalText) {
        if (decimalText == null) {
            throw new IllegalArgumentException("price is missing");
        }
        int start = 0;
        int end = decimalText.length();
        while (start < end && decimalText.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && decimalText.charAt(end - 1) <= ' ') {
            end--;
        }
        if (start == end) {
            throw new IllegalArgumentException("price is empty");
        }

        int i = start;
        boolean negative = false;
        char first = decimalText.charAt(i);
        if (first == '+' || first == '-') {
            negative = first == '-';
            i++;
        }

        // Integer part. Once it cannot fit, stop accumulating (no long overflow) but keep scanning:
        // "123456789012345e-10" is still a valid price, which only the slow path can tell.
        long integerPart = 0;
        boolean integerPartTooLarge = false;
        int digits = 0;
        while (i < end && isDigit(decimalText.charAt(i))) {
            if (!integerPartTooLarge) {
                integerPart = integerPart * 10 + (decimalText.charAt(i) - '0');
                integerPartTooLarge = integerPart > MAX_INTEGER_PART;
            }
            digits++;
            i++;
        }

        // Fraction: the first 8 digits are kept; the 9th decides the rounding and any non-zero
        // digit after it breaks a tie (half-even needs to know "exactly half" from "more than half").
        long fraction = 0;
        int fractionDigits = 0;
        int roundingDigit = 0;
        boolean nonZeroAfterRoundingDigit = false;
        if (i < end && decimalText.charAt(i) == '.') {
            i++;
            while (i < end && isDigit(decimalText.charAt(i))) {
                int d = decimalText.charAt(i) - '0';
                if (fractionDigits < DECIMALS) {
                    fraction = fraction * 10 + d;
                } else if (fractionDigits == DECIMALS) {
                    roundingDigit = d;
                } else if (d != 0) {
                    nonZeroAfterRoundingDigit = true;
                }
                fractionDigits++;
                digits++;
                i++;
            }
        }

        if (i != end || digits == 0) {
            // Not a plain decimal: exponent notation, NaN, Infinity or garbage.
            return parseSlowPath(decimalText, start, end);
        }
        if (integerPartTooLarge) {
            throw negative ? notPositive(decimalText, start, end) : tooLarge(decimalText, start, end);
        }

        if (fractionDigits < DECIMALS) {
            fraction *= POW10[DECIMALS - fractionDigits];
        }
        // integerPart <= MAX_INTEGER_PART, so this product fits (92233720368 * 10^8 < 2^63).
        long magnitude = integerPart * SCALE + fraction;
        if (magnitude < 0) {
            throw tooLarge(decimalText, start, end); // overflowed past Long.MAX_VALUE
        }
        boolean roundUp = roundingDigit > 5
                || (roundingDigit == 5 && (nonZeroAfterRoundingDigit || (magnitude & 1L) == 1L));
        if (roundUp) {
            if (magnitude == Long.MAX_VALUE) {
                throw tooLarge(decimalText, start, end);
            }
            magnitude++;
        }
        if (negative || magnitude == 0) {
            throw notPositive(decimalText, start, end);
        }
        return magnitude;
    }

    /** Exact fallback for exponent notation; also turns NaN/Infinity into a clear rejection. */
    private static long parseSlowPath(CharSequence text, int start, int end) {
        String s = text.subSequence(start, end).toString();
        String unsigned = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        if (unsigned.equalsIgnoreCase("NaN") || unsigned.equalsIgnoreCase("Infinity")
                || unsigned.equalsIgnoreCase("Inf")) {
            throw new IllegalArgumentException("price must be a finite number, got '" + abbreviate(s) + "'");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("price is not a decimal number: '" + abbreviate(s) + "'");
        }
        if (value.signum() <= 0) {
            throw notPositive(text, start, end);
        }
        // Guards before setScale, which would otherwise build a gigantic power of ten for inputs
        // like 1e999999999 or 1e-999999999. |value| < 10^(precision - scale).
        long magnitudeExponent = (long) value.precision() - value.scale();
        if (magnitudeExponent > 19) {
            throw tooLarge(text, start, end); // >= 10^19 > Long.MAX_VALUE / 10^8
        }
        if (magnitudeExponent <= -9) {
            throw notPositive(text, start, end); // < 10^-9, so it rounds to 0
        }
        BigInteger scaled = value.setScale(DECIMALS, RoundingMode.HALF_EVEN).unscaledValue();
        if (scaled.bitLength() > 63) {
            throw tooLarge(text, start, end);
        }
        long result = scaled.longValue();
        if (result <= 0) {
            throw notPositive(text, start, end);
        }
        return result;
    }

    /**
     * The scaled form of a price only known as a double (via its shortest decimal text).
     *
     * <p>Prefer {@link #parse(CharSequence)} on the original text where there is one. Note that
     * Java 17's {@code Double.toString} occasionally prints more digits than the shortest form
     * (JDK-4511638, fixed in Java 19); the extra digits are far below 10⁻⁸ for any realistic price,
     * so the rounded result is the same.
     *
     * @throws IllegalArgumentException for NaN, infinities, and values rejected by {@code parse}
     */
    public static long fromDouble(double price) {
        if (!Double.isFinite(price)) {
            throw new IllegalArgumentException("price must be a finite number, got " + price);
        }
        if (price <= 0) {
            throw new IllegalArgumentException("price must be positive, got " + price);
        }
        return parse(Double.toString(price));
    }

    /**
     * The nearest IEEE double to {@code scaled / 10⁸} (correctly rounded, ties to even).
     *
     * <p>Fast path: below 2⁵³ both operands are exact doubles, and one IEEE division is correctly
     * rounded by definition. Beyond that {@link BigDecimal#doubleValue()} rounds the exact decimal
     * correctly (slow, but only prices above 90 million units get there).
     */
    public static double toDouble(long scaled) {
        if (scaled > -TWO_POW_53 && scaled < TWO_POW_53) {
            return (double) scaled / (double) SCALE;
        }
        return BigDecimal.valueOf(scaled, DECIMALS).doubleValue();
    }

    /** The exact decimal value of a scaled price, for display and tests. */
    public static BigDecimal toBigDecimal(long scaled) {
        return BigDecimal.valueOf(scaled, DECIMALS);
    }

    /**
     * A computed price-like double (a fill price, an SMA) as the nearest multiple of 10⁻⁸, half-even.
     *
     * <p>Why: {@code c × (1 + slippage)} and the SMA means are doubles off the price grid
     * ({@code 65410.52949899999}); shown as they are they print float noise. Like
     * {@link #fromDouble} this starts from {@link Double#toString}, but it accepts zero, negative
     * values and any magnitude, since it only displays (a fill price can be 0 at 10,000 bps slippage).
     *
     * @throws IllegalArgumentException for NaN and infinities
     */
    public static BigDecimal onGrid(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return new BigDecimal(Double.toString(value)).setScale(DECIMALS, RoundingMode.HALF_EVEN);
    }

    /** {@link #onGrid} as the nearest double, e.g. 65410.52949899999 → 65410.529499. */
    public static double roundToGrid(double value) {
        return onGrid(value).doubleValue();
    }

    /** {@link #onGrid} as plain text without trailing zeros: 65410.52949899999 → "65410.529499", 800.0 → "800". */
    public static String gridText(double value) {
        BigDecimal rounded = onGrid(value);
        return rounded.signum() == 0 ? "0" : rounded.stripTrailingZeros().toPlainString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException tooLarge(CharSequence text, int start, int end) {
        return new IllegalArgumentException("price is too large (the limit is 92233720368.54775807): '"
                + abbreviate(text.subSequence(start, end).toString()) + "'");
    }

    private static IllegalArgumentException notPositive(CharSequence text, int start, int end) {
        return new IllegalArgumentException("price must be positive after rounding to 8 decimals, got '"
                + abbreviate(text.subSequence(start, end).toString()) + "'");
    }

    /** Keeps rejection messages short when the input is a megabyte of digits. */
    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
