package io.quantsignals.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations on the command line and in messages. Accepted: a whole number and a unit ({@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}; any case, blanks allowed before the unit) or
 * ISO-8601 ({@code PT10S}).
 */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** The duration the text stands for (zero, or with ISO-8601 negative, included); empty if it is none. */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        try {
            Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
            return Optional.of(Duration.parse(t.toUpperCase(Locale.ROOT)));
        } catch (RuntimeException e) {
            // too large a number, not ISO-8601
            return Optional.empty();
        }
    }

    /** Short human form: 850ms, 42s, 5m12s, 3h04m, 2d05h. Negative durations (clock skew) show as 0s. */
    public static String format(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1_000) {
            return ms + "ms";
        }
        long s = ms / 1_000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3_600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : String.format(Locale.ROOT, "%02ds", s % 60));
        }
        if (s < 86_400) {
            return (s / 3_600) + "h" + String.format(Locale.ROOT, "%02dm", (s % 3_600) / 60);
        }
        return (s / 86_400) + "d" + String.format(Locale.ROOT, "%02dh", (s % 86_400) / 3_600);
    }

    /** The picocli converter for a duration option that may be zero (the Flink job's options). */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration like 500ms, 10s, 5m or 1h"));
        }
    }

    /** The picocli converter for a duration option that must be positive (ops-cli health's limits). */
    public static final class PositiveConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (use e.g. 500ms, 60s, 5m, 1h)"));
            if (d.isZero() || d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
            }
            return d;
        }
    }
}
