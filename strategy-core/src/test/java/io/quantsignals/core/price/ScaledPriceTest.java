package io.quantsignals.core.price;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaledPriceTest {

    @Test
    void parsesPlainDecimalsExactly() {
        assertEquals(80_001_000_000L, ScaledPrice.parse("800.01"));
        assertEquals(100_000_000L, ScaledPrice.parse("1"));
        assertEquals(50_000_000L, ScaledPrice.parse(".5"));
        assertEquals(1_200_000_000L, ScaledPrice.parse("12."));
        assertEquals(1_200_000_000L, ScaledPrice.parse("+12"));
        assertEquals(1L, ScaledPrice.parse("0.00000001"));
        assertEquals(12_345_678_912_345_678L, ScaledPrice.parse("123456789.12345678"));
        assertEquals(80_001_000_000L, ScaledPrice.parse("  800.0100 \t"));
        assertEquals(80_001_000_000L, ScaledPrice.parse("000800.01"));
    }

    @Test
    void roundsHalfEvenOnTheNinthDecimal() {
        assertEquals(123_456_789L, ScaledPrice.parse("1.234567894999"));   // below half: down
        assertEquals(123_456_790L, ScaledPrice.parse("1.234567895"));      // half, 9 is odd: up to even
        assertEquals(123_456_788L, ScaledPrice.parse("1.2345678850"));     // half, 8 is even: stays
        assertEquals(123_456_789L, ScaledPrice.parse("1.2345678850001"));  // more than half: up
        assertEquals(2L, ScaledPrice.parse("0.000000015"));                // 1.5 -> 2
        assertEquals(2L, ScaledPrice.parse("0.000000025"));                // 2.5 -> 2
        assertEquals(3L, ScaledPrice.parse("0.0000000251"));               // 2.51 -> 3
        assertEquals(100_000_000L, ScaledPrice.parse("0.999999999"));      // carries into the integer part
    }

    @Test
    void parsesExponentNotationThroughTheExactFallback() {
        assertEquals(80_001_000_000L, ScaledPrice.parse("8.0001E2"));
        assertEquals(1L, ScaledPrice.parse("1e-8"));
        assertEquals(2L, ScaledPrice.parse("2.5e-8"));                   // half-even there too
        assertEquals(1_000_000_000_000_000L, ScaledPrice.parse("1.0E7"));
        assertEquals(12_345_678_901_234L, ScaledPrice.parse("123456789012340e-9"));
    }

    @Test
    void rejectsInvalidValuesWithAClearMessage() {
        assertMessage("NaN", "finite");
        assertMessage("Infinity", "finite");
        assertMessage("-Infinity", "finite");
        assertMessage("0", "positive");
        assertMessage("0.000000004", "positive");    // rounds to 0
        assertMessage("0.000000005", "positive");    // half to even: 0
        assertMessage("-1", "positive");
        assertMessage("-0.0", "positive");
        assertMessage("1e-999999999", "positive");
        assertMessage("abc", "not a decimal");
        assertMessage("1.2.3", "not a decimal");
        assertMessage("", "empty");
        assertMessage("   ", "empty");
        assertMessage("92233720368.54775808", "too large");
        assertMessage("92233720368.547758075", "too large"); // half, 7 is odd: rounds up past the limit
        assertMessage("100000000000", "too large");
        assertMessage("1e999999999", "too large");
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.parse(null));
    }

    @Test
    void acceptsTheLargestRepresentablePrice() {
        assertEquals(Long.MAX_VALUE, ScaledPrice.parse("92233720368.54775807"));
        assertEquals(Long.MAX_VALUE, ScaledPrice.parse("92233720368.547758074")); // rounds down
        assertEquals(Long.MAX_VALUE, ScaledPrice.parse("9.223372036854775807e10"));
    }

    @Test
    void fromDoubleUsesTheShortestDecimal() {
        // 800.01 as a double is 800.0099999999999909..., but it means 800.01.
        assertEquals(80_001_000_000L, ScaledPrice.fromDouble(800.01));
        assertEquals(30_000_000L, ScaledPrice.fromDouble(0.1 + 0.2)); // 0.30000000000000004
        assertEquals(1_000_000_000_000_000L, ScaledPrice.fromDouble(1e7));
        assertEquals(1L, ScaledPrice.fromDouble(1e-8));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(0.0));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(-5.0));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(1e-10));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.fromDouble(1e12));
    }

    @Test
    void toDoubleIsTheNearestDouble() {
        assertEquals(800.01, ScaledPrice.toDouble(80_001_000_000L));
        assertEquals(1e-8, ScaledPrice.toDouble(1L));
        assertEquals(973.13, ScaledPrice.toDouble(97_313_000_000L));
        // Beyond 2^53 the slow path: compare with the JDK's correctly rounded decimal conversion.
        assertEquals(Double.parseDouble("92233720368.54775807"), ScaledPrice.toDouble(Long.MAX_VALUE));
        assertEquals(Double.parseDouble("90071992.54740993"), ScaledPrice.toDouble((1L << 53) + 1));
        assertEquals(new BigDecimal("12345678912.34567891").doubleValue(),
                ScaledPrice.toDouble(1_234_567_891_234_567_891L));
    }

    @Test
    void parseThenToDoubleEqualsParsingTheDecimalDirectly() {
        // Both are correctly rounded conversions of the same exact decimal, so they must agree.
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long integerPart = random.nextLong(0, i % 2 == 0 ? 100_000 : 92_233_720_368L);
            long fraction = random.nextLong(0, 100_000_000L);
            if (integerPart == 0 && fraction == 0) {
                continue;
            }
            String text = integerPart + "." + String.format("%08d", fraction);
            long scaled = ScaledPrice.parse(text);
            assertEquals(integerPart * 100_000_000L + fraction, scaled, text);
            assertEquals(Double.parseDouble(text), ScaledPrice.toDouble(scaled), text);
            assertEquals(scaled, ScaledPrice.parse(ScaledPrice.toBigDecimal(scaled).toPlainString()), text);
        }
    }

    @Test
    void fastPathAgreesWithBigDecimalRounding() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder().append(random.nextInt(0, 100_000)).append('.');
            int decimals = random.nextInt(0, 14);
            for (int d = 0; d < decimals; d++) {
                // Many 5s and 0s, so that exact halves are common.
                int pick = random.nextInt(4);
                text.append(pick == 0 ? '5' : pick == 1 ? '0' : (char) ('0' + random.nextInt(10)));
            }
            BigDecimal exact = new BigDecimal(text.toString()).setScale(8, java.math.RoundingMode.HALF_EVEN);
            if (exact.signum() == 0) {
                continue;
            }
            assertEquals(exact.unscaledValue().longValueExact(), ScaledPrice.parse(text), text.toString());
        }
    }

    @Test
    void computedPricesPrintOnTheGridWithoutFloatNoise() {
        // A buy's fill price as the job computes it (SPEC §5 step 9): 65397.4425 × (1 + 1/10⁴) is
        // 65403.98224424999 in double arithmetic and 65403.98224425 on the 10⁻⁸ grid.
        double fill = 65397.4425 * (1.0 + ((1 * 1.0) / 10000.0));
        assertEquals("65403.98224424999", Double.toString(fill));
        assertEquals("65403.98224425", ScaledPrice.gridText(fill));
        assertEquals("65410.529499", ScaledPrice.gridText(65410.52949899999), "the figure of issue 12");
        assertEquals(65410.529499, ScaledPrice.roundToGrid(65410.52949899999));
        assertEquals(new BigDecimal("65410.52949900"), ScaledPrice.onGrid(65410.52949899999));
        assertEquals("800", ScaledPrice.gridText(800.0));
        assertEquals("0.00000001", ScaledPrice.gridText(1e-8), "no exponent");
        assertEquals("0.00000002", ScaledPrice.gridText(1.5e-8), "half-even: 1.5 units -> 2");
        assertEquals("0.00000002", ScaledPrice.gridText(2.5e-8), "half-even: 2.5 units -> 2");
        assertEquals("0", ScaledPrice.gridText(4e-9), "below half a unit");
        assertEquals("0", ScaledPrice.gridText(0.0), "a fill price at 10,000 bps slippage");
        assertEquals("-1.5", ScaledPrice.gridText(-1.5), "display only: any sign");
        assertEquals("123456789012.5", ScaledPrice.gridText(123456789012.5), "beyond the largest price");
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.gridText(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ScaledPrice.roundToGrid(Double.POSITIVE_INFINITY));
    }

    private static void assertMessage(String text, String expectedFragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScaledPrice.parse(text),
                "'" + text + "' should be rejected");
        assertTrue(e.getMessage().contains(expectedFragment),
                "message for '" + text + "' should contain '" + expectedFragment + "': " + e.getMessage());
    }
}
