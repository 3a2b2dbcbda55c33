package io.quantsignals.replay;

import picocli.CommandLine;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** picocli converters whose failures read well on one line (and become exit code 2). */
final class Converters {

    private Converters() {
    }

    /** ISO-8601 with {@code Z} (or an explicit offset, converted to UTC), e.g. {@code 2024-06-01T12:00:00Z}. */
    static final class IsoInstant implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String t = value.strip();
            try {
                return t.endsWith("Z") || t.endsWith("z")
                        ? Instant.parse(t.substring(0, t.length() - 1) + "Z")
                        : OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not an ISO-8601 UTC time such as 2024-06-01T12:00:00Z");
            }
        }
    }
}
