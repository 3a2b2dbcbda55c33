package io.quantsignals.ops.health;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line ({@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d}) and in messages. */
final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {
    }

    /** A positive duration; anything else is an {@link IllegalArgumentException} with a message for the user. */
    static Duration parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 500ms, 60s, 5m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return d;
    }

    /** Short human form: 850ms, 42s, 5m12s, 3h04m, 2d05h. Negative durations (clock skew) show as 0s. */
    static String format(Duration d) {
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

    /** The picocli converter for duration options. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
