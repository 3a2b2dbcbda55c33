package io.quantsignals.core.db;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN (FORMAT binary)}): a header,
 * per row a 16-bit field count and per field a 32-bit length (-1 for NULL) and the value in network
 * byte order, and a trailer. Binary avoids formatting and parsing timestamps and doubles as text,
 * and carries doubles bit for bit.
 *
 * <p>Usage: {@link #begin()} (or {@link #reset()}), per row {@link #row(int)} followed by exactly
 * that many fields, then either {@link #end()} to append the trailer, or send {@link #bytes()} up
 * to {@link #length()} followed by {@link #TRAILER} (what the Flink job's COPY sink does, so a batch
 * that failed to be written stays appendable and re-sendable). A long COPY can be streamed in
 * pieces: send what is written so far and {@link #clearSent()}. Used by the job's COPY sink and
 * by {@code ops-cli prices import}; no Flink or JDBC imports. Not thread-safe.
 */
public final class PgBinary {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Header: the signature, 32-bit flags, 32-bit header extension length. */
    private static final int HEADER_LENGTH = SIGNATURE.length + 8;
    /** The file trailer: a 16-bit field count of -1. */
    public static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};
    /** Milliseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_MILLIS = 946_684_800_000L;

    private byte[] buf;
    private int len;
    private int rows;
    /** Whether bytes of this payload were sent and cleared ({@link #clearSent()}): it no longer starts with the header. */
    private boolean streamed;
    private String lastUuidText;
    private long lastUuidMsb;
    private long lastUuidLsb;

    /** An empty payload (header written) with a 1 MiB buffer that grows as needed. */
    public PgBinary() {
        this(1 << 20);
    }

    public PgBinary(int initialCapacity) {
        buf = new byte[Math.max(initialCapacity, 64)];
        begin();
    }

    /** Starts a new COPY payload: drops every row, writes the header. */
    public void begin() {
        len = 0;
        rows = 0;
        streamed = false;
        put(SIGNATURE, 0, SIGNATURE.length);
        int4(0); // flags
        int4(0); // header extension length
    }

    /** Same as {@link #begin()}: empties the payload for the next batch, keeping the buffer. */
    public void reset() {
        begin();
    }

    /**
     * Empties the buffer once its bytes have been sent, to stream a long COPY in pieces of bounded
     * size: the rows already sent still count, and the header is not written again.
     */
    public void clearSent() {
        len = 0;
        streamed = true;
    }

    /** Starts a row of {@code fields} fields. */
    public void row(int fields) {
        int2(fields);
        rows++;
    }

    /** Rows started since {@link #begin()}. */
    public int rows() {
        return rows;
    }

    /** Ends the payload (appends the trailer); returns its length (bytes in {@link #bytes()}). */
    public int end() {
        int2(-1);
        return len;
    }

    /** The buffer; valid up to {@link #length()}. */
    public byte[] bytes() {
        return buf;
    }

    public int length() {
        return len;
    }

    public void nul() {
        int4(-1);
    }

    public void int2Field(int v) {
        int4(2);
        int2(v);
    }

    public void int4Field(int v) {
        int4(4);
        int4(v);
    }

    public void int8Field(long v) {
        int4(8);
        int8(v);
    }

    public void float8Field(double v) {
        int4(8);
        int8(Double.doubleToRawLongBits(v));
    }

    public void float8OrNull(Double v) {
        if (v == null) {
            nul();
        } else {
            float8Field(v);
        }
    }

    /** A {@code timestamptz} (or {@code timestamp}) from epoch milliseconds. */
    public void timestampMillisField(long epochMillis) {
        int4(8);
        int8((epochMillis - PG_EPOCH_MILLIS) * 1000L);
    }

    public void textField(String s) {
        textField(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code text} already encoded as UTF-8 (callers that repeat a value encode it once). */
    public void textField(byte[] utf8) {
        int4(utf8.length);
        put(utf8, 0, utf8.length);
    }

    /** A {@code uuid} from its text form (the last one parsed is cached: rows of one run repeat it). */
    public void uuidField(String text) {
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

    /**
     * Copies this payload's rows (not its trailer; call before {@link #end()}) into {@code target},
     * after a {@link #begin()} of it, each with one more field at the end: an {@code int4} holding
     * the row's 0-based position. The merge path stages rows this way so that the last row of a
     * key in the batch can win.
     */
    public void copyNumberedTo(PgBinary target) {
        if (streamed) {
            throw new IllegalStateException("a payload streamed in pieces cannot be numbered: its first rows were sent");
        }
        target.begin();
        int pos = HEADER_LENGTH;
        for (int r = 0; r < rows; r++) {
            int fields = readInt2(pos);
            int start = pos + 2;
            int end = start;
            for (int f = 0; f < fields; f++) {
                int fieldLength = readInt4(end);
                end += 4 + Math.max(fieldLength, 0);
            }
            if (end > len) {
                throw new IllegalStateException("row " + r + " of the COPY payload is truncated");
            }
            target.row(fields + 1);
            target.put(buf, start, end - start);
            target.int4Field(r);
            pos = end;
        }
        if (pos != len) {
            throw new IllegalStateException("the COPY payload has " + (len - pos) + " bytes after its last row");
        }
    }

    private int readInt2(int at) {
        return (short) (((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF));
    }

    private int readInt4(int at) {
        return ((buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8)
                | (buf[at + 3] & 0xFF);
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
