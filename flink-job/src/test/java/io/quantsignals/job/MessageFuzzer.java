package io.quantsignals.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded generator of hostile Kafka messages, made by mutating valid ticks and replay markers the
 * way real producers and real accidents do: random bytes, truncation, a field removed or retyped,
 * control characters (NUL included), unicode, huge and tiny numbers, far-future and far-past times,
 * megabyte values, null keys and values, markers without symbol or run, byte flips, duplicate keys,
 * deep nesting, invalid UTF-8.
 *
 * <p>It knows nothing of what the job accepts: whether a message is valid is for the test's oracle
 * to decide. Symbols of the mutants come from a pool that runs do not trade ({@code FZ...}, unicode,
 * hostile text), so a mutant that is a valid tick lands in price_ticks without changing any run.
 */
final class MessageFuzzer {

    /** One message: key and value may be null (Kafka allows both). */
    record Message(byte[] key, byte[] value, String kind) {
    }

    private static final String[] SYMBOLS = {"FZ1", "FZ-2", "fz.3", "ÄÖÜ€", "株式7203", "\uD83D\uDCB0", "A B",
            "x".repeat(64), "x".repeat(65), " FZ", "FZ ", "", "\\u0000FZ", "FZ\\u0000", "\\u001b[31mFZ", "\\ud800",
            "\\udc00FZ", "FZ\\t", "\\u2028", "null", "\\\"", "Z\\u0085"};

    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "0.00000001", "0.000000001", "1e-9", "1e308", "1e309",
            "-1e309", "1e400", "123456789012345678901234567890", "92233720368547758070", "9223372036854775807",
            "-9223372036854775808", "3.4028235E38", "0x10", "1.", ".5", "01", "1e", "NaN", "Infinity", "-Infinity",
            "800.01", "800.010000000000001", "4.9E-324", "2.2250738585072014E-308", "9999999999.99999999"};

    private static final String[] TIMES = {"0", "-1", "1", "253402300799999", "253402300800000", "9223372036854775807",
            "\"2099-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999Z\"", "\"1970-01-01T00:00:00Z\"", "\"1969-12-31T23:59:59Z\"",
            "\"0001-01-01T00:00:00Z\"", "\"+10000-01-01T00:00:00Z\"", "\"2024-06-01T12:00:00\"", "\"2024-06-01 12:00:00Z\"",
            "\"2024-06-01T12:00:00+25:00\"", "\"2024-02-30T00:00:00Z\"", "\"\"", "\"yesterday\"", "1.5", "1e12", "\"1717243200000\"",
            "946684800000", "4102444800000", "1000000000000000"};

    private static final String[] JUNK_VALUES = {"null", "true", "false", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\"", "\"text\"",
            "0", "-1", "1e999", "\"\\u0000\""};

    private static final String[] FIELDS = {"symbol", "price", "ts", "volume", "replay_run_id", "replay_sweep_id", "replayed",
            "replay_end", "replay_reset"};

    private final Random random;
    private final long baseTs;
    private final long now;
    /** Megabyte messages are few: each costs a megabyte of topic. */
    private int megabytesLeft = 6;

    /** {@code baseTs}: around when the valid ticks are; {@code now}: the wall clock the far-future mutants are measured from. */
    MessageFuzzer(long seed, long baseTs, long now) {
        this.random = new Random(seed);
        this.baseTs = baseTs;
        this.now = now;
    }

    Message next() {
        int kind = random.nextInt(100);
        if (kind < 8) {
            return randomBytes();
        }
        if (kind < 14) {
            return withValue(truncate(template()), "truncated");
        }
        if (kind < 24) {
            return fieldsMessage(removeField(templateFields()), "field removed");
        }
        if (kind < 38) {
            return fieldsMessage(retypeField(templateFields()), "field retyped");
        }
        if (kind < 50) {
            Map<String, String> fields = templateFields();
            fields.put("symbol", quoted(pick(SYMBOLS)));
            return fieldsMessage(fields, "hostile symbol");
        }
        if (kind < 60) {
            Map<String, String> fields = templateFields();
            fields.put(random.nextBoolean() ? "price" : "volume", pick(NUMBERS));
            return fieldsMessage(fields, "odd number");
        }
        if (kind < 70) {
            Map<String, String> fields = templateFields();
            fields.put("ts", random.nextInt(3) == 0 ? String.valueOf(now + 86_400_000L * (1 + random.nextInt(30_000)))
                    : pick(TIMES));
            return fieldsMessage(fields, "odd time");
        }
        if (kind < 78) {
            return fieldsMessage(marker(), "replay marker");
        }
        if (kind < 86) {
            return withValue(flipBytes(template()), "bytes flipped");
        }
        if (kind < 90) {
            return withValue(controlCharacters(template()), "control characters");
        }
        if (kind < 93) {
            return withValue(structural(), "structure");
        }
        if (kind < 96) {
            return withValue(invalidUtf8(template()), "invalid UTF-8");
        }
        if (kind < 98) {
            return new Message(random.nextBoolean() ? null : bytes("FZ1"), null, "null value");
        }
        if (megabytesLeft > 0) {
            megabytesLeft--;
            return withValue(huge(), "megabyte");
        }
        return randomBytes();
    }

    /** The fields of a valid tick of a fuzz symbol, ts near the valid ticks, in a random order of insertion. */
    private Map<String, String> templateFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("symbol", quoted("FZ" + random.nextInt(5)));
        fields.put("price", random.nextInt(100_000) + "." + random.nextInt(100));
        fields.put("ts", random.nextBoolean() ? String.valueOf(baseTs - random.nextInt(1_000_000))
                : quoted(java.time.Instant.ofEpochMilli(baseTs - random.nextInt(1_000_000)).toString()));
        if (random.nextBoolean()) {
            fields.put("volume", String.valueOf(random.nextInt(1000) / 10.0));
        }
        if (random.nextInt(10) == 0) {
            fields.put("replayed", "true");
        }
        if (random.nextInt(10) == 0) {
            fields.put("replay_run_id", quoted(UUID.randomUUID().toString()));
        }
        if (random.nextInt(10) == 0) {
            fields.put("replay_sweep_id", quoted(UUID.randomUUID().toString()));
        }
        return fields;
    }

    private String template() {
        return json(templateFields());
    }

    /** The replay tool's markers, whole or with parts missing. */
    private Map<String, String> marker() {
        Map<String, String> fields = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            fields.put("symbol", quoted("FZ" + random.nextInt(5)));
        }
        fields.put("ts", String.valueOf(random.nextBoolean() ? baseTs - random.nextInt(10_000_000) : pickTime()));
        if (random.nextBoolean()) {
            fields.put(random.nextInt(3) == 0 ? "replay_sweep_id" : "replay_run_id",
                    random.nextInt(5) == 0 ? quoted("not-a-uuid") : quoted(UUID.randomUUID().toString()));
        }
        fields.put(random.nextBoolean() ? "replay_end" : "replay_reset", random.nextInt(4) == 0 ? "\"yes\"" : "true");
        return fields;
    }

    private String pickTime() {
        String t = pick(TIMES);
        return t.startsWith("\"") ? "0" : t;
    }

    private Map<String, String> removeField(Map<String, String> fields) {
        List<String> keys = new ArrayList<>(fields.keySet());
        fields.remove(keys.get(random.nextInt(keys.size())));
        return fields;
    }

    private Map<String, String> retypeField(Map<String, String> fields) {
        String field = pick(FIELDS);
        fields.put(field, random.nextInt(3) == 0 && fields.containsKey(field) ? quoted(fields.get(field).replace("\"", ""))
                : pick(JUNK_VALUES));
        return fields;
    }

    private String truncate(String json) {
        return json.substring(0, random.nextInt(json.length()));
    }

    private byte[] flipBytes(String json) {
        byte[] b = bytes(json);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }

    private String controlCharacters(String json) {
        StringBuilder sb = new StringBuilder(json);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            char c = random.nextInt(3) == 0 ? '\0' : (char) random.nextInt(0x20);
            sb.insert(random.nextInt(sb.length() + 1), c);
        }
        return sb.toString();
    }

    private byte[] invalidUtf8(String json) {
        byte[] b = bytes(json);
        byte[] out = new byte[b.length + 2];
        int at = random.nextInt(b.length);
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) (0x80 + random.nextInt(0x40)); // a continuation byte without a lead, or an overlong lead
        out[at + 1] = random.nextBoolean() ? (byte) 0xC0 : (byte) 0xFF;
        System.arraycopy(b, at, out, at + 2, b.length - at);
        return out;
    }

    private String structural() {
        return switch (random.nextInt(8)) {
            case 0 -> "[".repeat(5_000) + "]".repeat(5_000);
            case 1 -> "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_000);
            case 2 -> template() + template();
            case 3 -> template() + " trailing";
            case 4 -> "{\"symbol\":\"FZ1\",\"symbol\":\"FZ2\",\"price\":1,\"ts\":" + (baseTs - 5) + "}";
            case 5 -> "[" + template() + "]";
            case 6 -> "\"" + template().replace("\"", "\\\"") + "\"";
            default -> "  \n\t ";
        };
    }

    private byte[] huge() {
        int size = 1_000_000;
        if (random.nextBoolean()) {
            byte[] b = new byte[size];
            random.nextBytes(b);
            return b;
        }
        // Valid JSON, but with a megabyte field: a tick that is well-formed apart from its size.
        String head = "{\"symbol\":\"FZ1\",\"price\":1,\"ts\":" + (baseTs - 7) + ",\"note\":\"";
        return bytes(head + "x".repeat(size - head.length() - 2) + "\"}");
    }

    private Message randomBytes() {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        return new Message(random.nextBoolean() ? null : b.length > 0 ? new byte[] {b[0]} : null, b, "random bytes");
    }

    private Message fieldsMessage(Map<String, String> fields, String kind) {
        return withValue(json(fields), kind);
    }

    private Message withValue(String value, String kind) {
        return withValue(bytes(value), kind);
    }

    private Message withValue(byte[] value, String kind) {
        return new Message(random.nextInt(10) == 0 ? null : bytes("FZ" + random.nextInt(5)), value, kind);
    }

    private static String json(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return sb.append('}').toString();
    }

    /** A JSON string literal around text that is already escaped where it needs to be. */
    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
