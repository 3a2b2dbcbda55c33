package io.quantsignals.core.db;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The byte layout of PostgreSQL's binary COPY format (the server's parsing is tested where rows are written). */
class PgBinaryTest {

    private static final int HEADER = 19;

    @Test
    void aPayloadIsHeaderRowsAndTrailer() {
        PgBinary out = new PgBinary();
        out.row(2);
        out.int8Field(0x0102030405060708L);
        out.nul();
        int length = out.end();
        byte[] bytes = Arrays.copyOf(out.bytes(), length);
        assertArrayEquals(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0},
                Arrays.copyOf(bytes, HEADER));
        assertArrayEquals(new byte[] {0, 2, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1},
                Arrays.copyOfRange(bytes, HEADER, length));
        assertEquals(1, out.rows());
    }

    @Test
    void aTimestampIsMicrosecondsSincePostgresEpoch() {
        PgBinary out = new PgBinary();
        out.timestampMillisField(946_684_800_001L); // 2000-01-01T00:00:00.001Z
        assertArrayEquals(new byte[] {0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8},
                Arrays.copyOfRange(out.bytes(), HEADER, out.length()));
    }

    @Test
    void aStreamedPayloadWritesItsHeaderOnceAndCannotBeNumbered() {
        PgBinary out = new PgBinary();
        out.row(1);
        out.int2Field(7);
        out.clearSent();
        assertEquals(0, out.length());
        out.row(1);
        out.int2Field(8);
        assertArrayEquals(new byte[] {0, 1, 0, 0, 0, 2, 0, 8}, Arrays.copyOf(out.bytes(), out.length()));
        assertEquals(2, out.rows());
        assertThrows(IllegalStateException.class, () -> out.copyNumberedTo(new PgBinary()));
    }

    @Test
    void numberingAppendsEachRowsPosition() {
        PgBinary out = new PgBinary();
        out.row(1);
        out.textField("a");
        out.row(1);
        out.nul();
        PgBinary numbered = new PgBinary();
        out.copyNumberedTo(numbered);
        assertArrayEquals(new byte[] {0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 4, 0, 0, 0, 0,
                        0, 2, -1, -1, -1, -1, 0, 0, 0, 4, 0, 0, 0, 1},
                Arrays.copyOfRange(numbered.bytes(), HEADER, numbered.length()));
        assertEquals(2, numbered.rows());
    }
}
