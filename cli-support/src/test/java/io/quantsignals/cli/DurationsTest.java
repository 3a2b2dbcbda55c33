package io.quantsignals.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @Test
    void everyUnitAndIsoAreAccepted() {
        assertEquals(Duration.ofMillis(500), parse("500ms"));
        assertEquals(Duration.ofSeconds(10), parse("10s"));
        assertEquals(Duration.ofMinutes(5), parse("5m"));
        assertEquals(Duration.ofHours(1), parse("1h"));
        assertEquals(Duration.ofDays(2), parse("2d"));
        assertEquals(Duration.ofSeconds(90), parse(" 90S "));
        assertEquals(Duration.ofSeconds(10), parse("10 s"));
        assertEquals(Duration.ofSeconds(10), parse("PT10S"));
        assertEquals(Duration.ofMinutes(90), parse("pt1h30m"));
        assertEquals(Duration.ZERO, parse("0s"));
    }

    @Test
    void anythingElseIsNoDuration() {
        for (String text : List.of("", "soon", "5x", "-5s", "1.5s", "s", "99999999999999999999s", "P")) {
            assertEquals(Optional.empty(), Durations.parse(text), text);
        }
        assertEquals(Optional.empty(), Durations.parse(null));
    }

    @Test
    void theJobConverterTakesZeroAndNamesTheSyntax() {
        Durations.Converter c = new Durations.Converter();
        assertEquals(Duration.ZERO, c.convert("0s"));
        assertEquals(Duration.ofMillis(200), c.convert("200ms"));
        assertEquals("'soon' is not a duration like 500ms, 10s, 5m or 1h",
                assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("soon")).getMessage());
    }

    @Test
    void thePositiveConverterRefusesZeroAndNegative() {
        Durations.PositiveConverter c = new Durations.PositiveConverter();
        assertEquals(Duration.ofDays(1), c.convert("1d"));
        assertEquals("'5x' is not a duration (use e.g. 500ms, 60s, 5m, 1h)",
                assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("5x")).getMessage());
        assertEquals("'0s' is not a positive duration",
                assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("0s")).getMessage());
        assertTrue(assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("PT-5S")).getMessage()
                .contains("not a positive duration"));
    }

    @Test
    void formatIsShort() {
        assertEquals("850ms", Durations.format(Duration.ofMillis(850)));
        assertEquals("42s", Durations.format(Duration.ofSeconds(42)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("5m12s", Durations.format(Duration.ofSeconds(312)));
        assertEquals("3h04m", Durations.format(Duration.ofMinutes(184)));
        assertEquals("2d05h", Durations.format(Duration.ofHours(53)));
        assertEquals("0ms", Durations.format(Duration.ofSeconds(-3)));
    }

    private static Duration parse(String text) {
        return Durations.parse(text).orElseThrow(() -> new AssertionError(text));
    }
}
