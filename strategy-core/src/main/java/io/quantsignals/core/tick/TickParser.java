package io.quantsignals.core.tick;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.quantsignals.core.price.ScaledPrice;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Parses and validates one Kafka tick message (SPEC §3).
 *
 * <p>Uses Jackson's streaming parser rather than data binding: parsing dominates the job's CPU
 * profile (bench/README.md, finding 2: ~47 % of the source task), and the streaming parser is about
 * twice as fast. It also hands us the literal digits of the price, which {@link ScaledPrice#parse}
 * turns into the exact decimal the producer wrote. Unknown fields are ignored so producers can add
 * fields without breaking the job.
 */
public final class TickParser {

    /** 9999-12-31T23:59:59.999Z: the last instant ISO-8601 with four-digit years can write. */
    private static final long MAX_TS_MILLIS = 253_402_300_799_999L;

    private static final JsonFactory JSON = JsonFactory.builder()
            // NaN and Infinity are then read as numbers, so they are rejected as INVALID_PRICE
            // (what they are) rather than as NOT_JSON.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** A message that was not accepted: the reason code and a short human-readable detail. */
    public record Rejection(RejectReason reason, String detail) {
        /** The {@code rejected_ticks.reason} text. */
        public String text() {
            return reason + ": " + detail;
        }
    }

    /** Thrown inside the parser to leave early; never escapes {@link #parse}. */
    private static final class Rejected extends Exception {
        final Rejection rejection;

        Rejected(RejectReason reason, String detail) {
            super(null, null, false, false);
            this.rejection = new Rejection(reason, detail);
        }
    }

    private TickParser() {
    }

    /**
     * Parses {@code json} into {@code into} (whose fields are all overwritten).
     *
     * @return null when the tick is valid, otherwise why it is not
     */
    public static Rejection parse(byte[] json, Tick into) {
        if (json == null || json.length == 0) {
            return new Rejection(RejectReason.NOT_JSON, "empty message");
        }
        try (JsonParser p = JSON.createParser(json)) {
            readObject(p, into);
            return null;
        } catch (Rejected r) {
            return r.rejection;
        } catch (IOException e) {
            return new Rejection(RejectReason.NOT_JSON, firstLine(e.getMessage()));
        }
    }

    private static void readObject(JsonParser p, Tick t) throws IOException, Rejected {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new Rejected(RejectReason.NOT_JSON, "not a JSON object");
        }
        t.symbol = null;
        t.volume = Double.NaN;
        t.replayRunId = null;
        t.replaySweepId = null;
        t.replayed = false;
        t.replayEnd = false;
        t.replayReset = false;
        boolean hasPrice = false;
        boolean hasTs = false;
        String fieldName;
        while ((fieldName = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (fieldName) {
                case "symbol" -> t.symbol = readSymbol(p, value);
                case "price" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        t.priceScaled = readPrice(p, value);
                        hasPrice = true;
                    }
                }
                case "ts" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        t.tsMillis = readTimestamp(p, value);
                        hasTs = true;
                    }
                }
                case "volume" -> t.volume = readVolume(p, value);
                case "replay_run_id" -> t.replayRunId = readRunId(p, value, fieldName);
                case "replay_sweep_id" -> t.replaySweepId = readRunId(p, value, fieldName);
                case "replayed" -> t.replayed = readFlag(fieldName, value);
                case "replay_end" -> t.replayEnd = readFlag(fieldName, value);
                case "replay_reset" -> t.replayReset = readFlag(fieldName, value);
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new Rejected(RejectReason.NOT_JSON, "trailing data after the JSON object");
        }
        if (!hasTs) {
            throw new Rejected(RejectReason.MISSING_FIELD, "ts is missing");
        }
        if (t.replayRunId != null && t.replaySweepId != null) {
            throw new Rejected(RejectReason.INVALID_RUN_ID, "replay_run_id and replay_sweep_id exclude each other");
        }
        if (t.replayEnd || t.replayReset) {
            // Replay markers carry no price; one for a run or a sweep names the symbol it concerns.
            if (t.replayReset && !t.isForReplayRuns()) {
                throw new Rejected(RejectReason.MISSING_FIELD, "replay_run_id is missing in a replay_reset marker");
            }
            if (t.isForReplayRuns() && t.symbol == null) {
                throw new Rejected(RejectReason.MISSING_FIELD, "symbol is missing in a replay marker for a run");
            }
            t.priceScaled = 0;
            return;
        }
        if (t.symbol == null) {
            throw new Rejected(RejectReason.MISSING_FIELD, "symbol is missing");
        }
        if (!hasPrice) {
            throw new Rejected(RejectReason.MISSING_FIELD, "price is missing");
        }
    }

    private static String readSymbol(JsonParser p, JsonToken value) throws IOException, Rejected {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new Rejected(RejectReason.INVALID_SYMBOL, "symbol must be a string");
        }
        String symbol = p.getText();
        String problem = Symbols.problem(symbol);
        if (problem != null) {
            throw new Rejected(RejectReason.INVALID_SYMBOL, problem);
        }
        return symbol;
    }

    private static long readPrice(JsonParser p, JsonToken value) throws IOException, Rejected {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new Rejected(RejectReason.INVALID_PRICE, "price must be a JSON number");
        }
        String text = p.getText();
        try {
            return ScaledPrice.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Rejected(RejectReason.INVALID_PRICE, "price " + text + ": " + e.getMessage());
        }
    }

    private static long readTimestamp(JsonParser p, JsonToken value) throws IOException, Rejected {
        try {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
                    throw outOfRange(p.getText());
                }
                return checkRange(p.getLongValue(), p.getText());
            }
            if (value == JsonToken.VALUE_STRING) {
                String text = p.getText();
                return checkRange(parseIsoMillis(text), text);
            }
        } catch (IllegalArgumentException e) {
            throw new Rejected(RejectReason.INVALID_TIMESTAMP, e.getMessage());
        }
        throw new Rejected(RejectReason.INVALID_TIMESTAMP,
                "ts must be ISO-8601 UTC text or integral epoch milliseconds");
    }

    /**
     * A tick time written as text, by the rules of the Kafka message's {@code ts} (SPEC §3): ISO-8601
     * with {@code Z} or an explicit offset (digits finer than a millisecond are truncated), or
     * integral epoch milliseconds; either way from 1970-01-01T00:00:00Z to the end of year 9999. For
     * readers of ticks in text form, such as {@code ops-cli prices import}.
     *
     * @return epoch milliseconds
     * @throws IllegalArgumentException with a one-line message naming the rule the text breaks
     */
    public static long parseTimestamp(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("ts is empty");
        }
        if (isInteger(text)) {
            long millis;
            try {
                millis = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw outOfRange(text); // more digits than a long holds
            }
            return checkRange(millis, text);
        }
        long millis;
        try {
            millis = parseIsoMillis(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ts '" + abbreviate(text)
                    + "' is neither ISO-8601 with a zone nor integral epoch milliseconds");
        }
        return checkRange(millis, text);
    }

    /** An optional minus sign and at least one digit. */
    private static boolean isInteger(String text) {
        int i = text.charAt(0) == '-' ? 1 : 0;
        if (i == text.length()) {
            return false;
        }
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static long checkRange(long millis, String text) {
        if (millis < 0 || millis > MAX_TS_MILLIS) {
            throw outOfRange(text);
        }
        return millis;
    }

    private static IllegalArgumentException outOfRange(String text) {
        return new IllegalArgumentException("ts " + abbreviate(text)
                + " is out of range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z)");
    }

    /**
     * ISO-8601 with {@code Z} or an explicit offset; digits finer than a millisecond are truncated.
     * The one implementation of the ISO form, for the Kafka message and {@link #parseTimestamp}.
     */
    private static long parseIsoMillis(String text) {
        try {
            Instant instant = text.endsWith("Z") || text.endsWith("z")
                    ? Instant.parse(text)
                    : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return instant.toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("ts '" + abbreviate(text) + "' is not ISO-8601 with a zone");
        }
    }

    private static double readVolume(JsonParser p, JsonToken value) throws IOException, Rejected {
        if (value == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new Rejected(RejectReason.INVALID_VOLUME, "volume must be a JSON number");
        }
        double volume = p.getDoubleValue();
        if (!Double.isFinite(volume) || volume < 0) {
            throw new Rejected(RejectReason.INVALID_VOLUME, "volume " + p.getText() + " must be finite and >= 0");
        }
        return volume;
    }

    /**
     * A replay flag: true, false or null (= false). Anything else is rejected rather than read as
     * false: {@code "replayed":"yes"} taken for a live tick would store replayed history twice.
     */
    private static boolean readFlag(String field, JsonToken value) throws Rejected {
        if (value == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (value == JsonToken.VALUE_FALSE || value == JsonToken.VALUE_NULL) {
            return false;
        }
        throw new Rejected(RejectReason.INVALID_FLAG, field + " must be true or false");
    }

    private static String readRunId(JsonParser p, JsonToken value, String fieldName) throws IOException, Rejected {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
        try {
            if (text != null && UUID.fromString(text).toString().equalsIgnoreCase(text)) {
                return text.toLowerCase();
            }
        } catch (IllegalArgumentException e) {
            // fall through to the rejection below
        }
        throw new Rejected(RejectReason.INVALID_RUN_ID, fieldName + " must be a UUID");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
