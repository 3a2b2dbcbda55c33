package io.quantsignals.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN (FORMAT binary)}): a header,
 * per row a 16-bit field count and per field a 32-bit length (-1 for NULL) and the value in network
 * byte order, and a trailer. Binary avoids formatting and parsing timestamps and doubles as text,
 * and carries doubles bit for bit.
 */
final class PgBinary {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_MILLIS = 946_684_800_000L;

    private byte[] buf = new byte[1 << 20];
    private int len;
    private int rows;
    private String lastUuidText;
    private long lastUuidMsb;
    private long lastUuidLsb;

    /** Starts a new COPY payload. */
    void begin() {
        len = 0;
        rows = 0;
        put(SIGNATURE, 0, SIGNATURE.length);
        int4(0); // flags
        int4(0); // header extension length
    }

    void row(int fields) {
        int2(fields);
        rows++;
    }

    int rows() {
        return rows;
    }

    /** Ends the payload; returns its length (bytes in {@link #bytes()}). */
    int end() {
        int2(-1);
        return len;
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    void nul() {
        int4(-1);
    }

    void int2Field(int v) {
        int4(2);
        int2(v);
    }

    void int8Field(long v) {
        int4(8);
        int8(v);
    }

    void float8Field(double v) {
        int4(8);
        int8(Double.doubleToRawLongBits(v));
    }

    void float8OrNull(Double v) {
        if (v == null) {
            nul();
        } else {
            float8Field(v);
        }
    }

    /** A {@code timestamptz} (or {@code timestamp}) from epoch milliseconds. */
    void timestampMillisField(long epochMillis) {
        int4(8);
        int8((epochMillis - PG_EPOCH_MILLIS) * 1000L);
    }

    void textField(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int4(b.length);
        put(b, 0, b.length);
    }

    /** A {@code uuid} from its text form (the last one parsed is cached: rows of one run repeat it). */
    void uuidField(String text) {
        if (!text.equals(lastUuidText)) {
            UUID u = UUID.fromString(text);
            lastUuidText = text;
            lastUuidMsb = u.getMostSignificantBits();
            lastUuidLsb = u.getLeastSignificantBits();
        }
        int4(16);
        int8(lastUuidMsb);
        int8(lastUuidLsb);
    }

    private void int2(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int4(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int8(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
