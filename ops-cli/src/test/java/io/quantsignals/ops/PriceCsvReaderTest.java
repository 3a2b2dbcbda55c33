package io.quantsignals.ops;

import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.TickParser;
import io.quantsignals.ops.prices.PriceCsvReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CSV rules of {@code prices import}, without a database. */
class PriceCsvReaderTest {

    @TempDir
    Path dir;

    record Parsed(long line, long ts, String symbol, long price, double volume) {
    }

    private static PriceCsvReader reader(String content) {
        return reader(content.getBytes(StandardCharsets.UTF_8));
    }

    private static PriceCsvReader reader(byte[] content) {
        return new PriceCsvReader(new ByteArrayInputStream(content), "t.csv", content.length);
    }

    private static List<Parsed> readAll(String content) {
        List<Parsed> rows = new ArrayList<>();
        try (PriceCsvReader r = reader(content)) {
            PriceCsvReader.Row row = new PriceCsvReader.Row();
            while (r.next(row)) {
                rows.add(new Parsed(row.lineNumber, row.tsMillis, row.symbol, row.priceScaled, row.volume));
            }
        }
        return rows;
    }

    private static String errorOf(String content) {
        return assertThrows(InvalidInputException.class, () -> readAll(content)).getMessage();
    }

    @Test
    void parsesEveryTimeFormVolumesPresentAndAbsent() {
        List<Parsed> rows = readAll("""
                ts,symbol,price,volume
                2013-11-25T00:00:00Z,BTCUSD,800.01,0.1
                1385337600123,BTCUSD,800.02,
                2013-11-25T01:00:00.123999+01:00,ETH-USD,0.000000015,3e2
                2013-11-25T00:00:00.5Z , "BTC,USD" , 12 , 0
                """);
        assertEquals(List.of(
                new Parsed(2, 1_385_337_600_000L, "BTCUSD", 80_001_000_000L, 0.1),
                new Parsed(3, 1_385_337_600_123L, "BTCUSD", 80_002_000_000L, Double.NaN),
                new Parsed(4, 1_385_337_600_123L, "ETH-USD", 2L, 300.0), // 1.5e-8 rounds half-even to 2e-8
                new Parsed(5, 1_385_337_600_500L, "BTC,USD", 1_200_000_000L, 0.0)), rows);
        assertEquals(800.01, ScaledPrice.toDouble(rows.get(0).price()));
    }

    @Test
    void headerIsCaseAndSpaceInsensitiveVolumeOptionalBomCrlfAndBlankLines() {
        List<Parsed> rows = readAll("\uFEFF TS , Symbol,PRICE\r\n\r\n0,A,1\r\n   \r\n253402300799999,B,2.5\r\n\n");
        assertEquals(List.of(new Parsed(3, 0, "A", 100_000_000L, Double.NaN),
                new Parsed(5, 253_402_300_799_999L, "B", 250_000_000L, Double.NaN)), rows);

        assertEquals(List.of(new Parsed(2, 5, "A", 100_000_000L, Double.NaN)), readAll("ts,symbol,price\n5,A,1"),
                "last line without a newline");
        assertEquals(List.of(), readAll("ts,symbol,price,volume\n"), "a header alone is an empty import");
        assertEquals(List.of(new Parsed(2, 5, "a\"b", 100_000_000L, 1.0)), readAll("ts,symbol,price,volume\n\"5\",\"a\"\"b\",\"1\",\"1\"\n"));
        assertEquals(List.of(new Parsed(2, 5, "Zürich", 100_000_000L, Double.NaN)), readAll("ts,symbol,price\n5,Zürich,1\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "too few columns     | 5,A                              | line 3: expected 4 columns (ts,symbol,price,volume), got 2",
            "too many columns    | 5,A,1,2,3                        | line 3: expected 4 columns (ts,symbol,price,volume), got 5",
            "bad price           | 5,A,abc,1                        | line 3: price is not a decimal number: 'abc'",
            "empty price         | 5,A,,1                           | line 3: price is empty",
            "zero price          | 5,A,0,1                          | line 3: price must be positive",
            "negative price      | 5,A,-2.5,1                       | line 3: price must be positive",
            "rounds to zero      | 5,A,0.000000004,1                | line 3: price must be positive",
            "NaN price           | 5,A,NaN,1                        | line 3: price must be a finite number, got 'NaN'",
            "Infinity price      | 5,A,Infinity,1                   | line 3: price must be a finite number",
            "huge price          | 5,A,1e300,1                      | line 3: price is too large",
            "bad volume          | 5,A,1,lots                       | line 3: volume is not a number: 'lots'",
            "java-only volume    | 5,A,1,1.5d                       | line 3: volume is not a number",
            "negative volume     | 5,A,1,-1                         | line 3: volume must be >= 0, got '-1'",
            "NaN volume          | 5,A,1,NaN                        | line 3: volume must be a finite number, got 'NaN'",
            "Infinity volume     | 5,A,1,-Infinity                  | line 3: volume must be a finite number",
            "overflowing volume  | 5,A,1,1e999                      | line 3: volume must be a finite number",
            "bad time            | yesterday,A,1,1                  | line 3: ts 'yesterday' is neither ISO-8601 with a zone nor integral epoch milliseconds",
            "time without zone   | 2024-06-01T12:00:00,A,1,1        | line 3: ts '2024-06-01T12:00:00' is neither",
            "fractional epoch    | 1.5,A,1,1                        | line 3: ts '1.5' is neither",
            "negative epoch      | -1,A,1,1                         | line 3: ts -1 is out of range",
            "time before 1970    | 1969-12-31T23:59:59Z,A,1,1       | line 3: ts 1969-12-31T23:59:59Z is out of range",
            "time after 9999     | 253402300800000,A,1,1            | line 3: ts 253402300800000 is out of range",
            "epoch overflow      | 99999999999999999999,A,1,1       | line 3: ts 99999999999999999999 is out of range",
            "empty time          | ,A,1,1                           | line 3: ts is empty",
            "empty symbol        | 5, ,1,1                          | line 3: symbol is empty",
            "long symbol         | 5,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,1,1 | line 3: symbol is longer than 64 characters",
            "unterminated quote  | 5,\"A,1,1                        | line 3: unterminated quoted field",
            "text after quote    | 5,\"A\"B,1,1                     | line 3: unexpected text after a closing quote",
    })
    void badLinesNameTheirLineAndReason(String name, String badLine, String expected) {
        String message = errorOf("ts,symbol,price,volume\n5,OK,1,1\n" + badLine + "\n6,OK,1,1\n");
        assertTrue(message.startsWith(expected), name + ": " + message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void controlCharactersInvalidUtf8AndHugeLinesAreRejectedOnTheirLine() {
        assertEquals("line 2: symbol contains the control character U+0000", errorOf("ts,symbol,price\n5,A\u0000B,1\n"));
        byte[] latin1 = "ts,symbol,price\n5,A,1\n5,Z\u00fcrich,1\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("line 3: not valid UTF-8",
                assertThrows(InvalidInputException.class, () -> drain(reader(latin1))).getMessage());
        String huge = "ts,symbol,price\n5,A,1\n" + "x".repeat(100_000) + "\n";
        assertEquals("line 3: longer than 8192 bytes", errorOf(huge));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ts,symbol", "ts,symbol,price,volume,extra", "time,symbol,price", "symbol,ts,price",
            "ts;symbol;price", "", "\"ts,symbol,price\""})
    void badHeadersNameTheFile(String header) {
        String message = assertThrows(InvalidInputException.class, () -> reader(header + "\n5,A,1\n")).getMessage();
        assertTrue(message.startsWith("file t.csv: the header must be ts,symbol,price[,volume], got '"), message);
    }

    @Test
    void emptyAndMissingFilesNameTheFile() throws Exception {
        assertEquals("file t.csv is empty: expected the header ts,symbol,price[,volume]",
                assertThrows(InvalidInputException.class, () -> reader("")).getMessage());
        Path missing = dir.resolve("missing.csv");
        assertEquals("file " + missing + " does not exist",
                assertThrows(InvalidInputException.class, () -> PriceCsvReader.open(missing)).getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () -> PriceCsvReader.open(dir)).getMessage()
                .contains("is a directory"));
        Path file = Files.writeString(dir.resolve("ok.csv"), "ts,symbol,price,volume\n5,A,1,2\n");
        try (PriceCsvReader r = PriceCsvReader.open(file)) {
            assertTrue(r.hasVolumeColumn());
            assertEquals(Files.size(file), r.totalBytes());
            assertEquals(1, drain(r));
            assertEquals(Files.size(file), r.bytesRead());
        }
    }

    @Test
    void timestampHelperFollowsTheTickRules() {
        assertEquals(1_385_337_600_000L, TickParser.parseTimestamp("2013-11-25T00:00:00Z"));
        assertEquals(1_385_337_600_123L, TickParser.parseTimestamp("2013-11-25T00:00:00.123999999Z"));
        assertEquals(1_385_337_600_000L, TickParser.parseTimestamp("2013-11-24T19:00:00-05:00"));
        assertEquals(0L, TickParser.parseTimestamp("0"));
        assertEquals(253_402_300_799_999L, TickParser.parseTimestamp("9999-12-31T23:59:59.999999Z"));
        for (String bad : new String[] {"", "+5", "5 ", "1e3", "2013-11-25", "2013-11-25 00:00:00Z", "10000-01-01T00:00:00Z"}) {
            assertThrows(IllegalArgumentException.class, () -> TickParser.parseTimestamp(bad), bad);
        }
    }

    /** Millions of rows from a generated stream (never in memory whole): constant memory, and fast. */
    @Test
    void streamsAMillionRows() {
        int rows = 1_000_000;
        InputStream generated = new InputStream() {
            private final byte[] header = "ts,symbol,price,volume\n".getBytes(StandardCharsets.US_ASCII);
            private byte[] current = header;
            private int pos;
            private int produced;

            @Override
            public int read() {
                if (pos == current.length) {
                    if (produced == rows) {
                        return -1;
                    }
                    current = (1_700_000_000_000L + produced + ",SYM" + (produced % 7) + "," + (100 + produced % 1000)
                            + ".25," + (produced % 3 == 0 ? "" : "1.5") + "\n").getBytes(StandardCharsets.US_ASCII);
                    produced++;
                    pos = 0;
                }
                return current[pos++] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = 0;
                while (n < len) {
                    int c = read();
                    if (c < 0) {
                        return n == 0 ? -1 : n;
                    }
                    b[off + n++] = (byte) c;
                }
                return n;
            }
        };
        try (PriceCsvReader r = new PriceCsvReader(generated, "generated", -1)) {
            PriceCsvReader.Row row = new PriceCsvReader.Row();
            long count = 0;
            long lastTs = -1;
            while (r.next(row)) {
                assertTrue(row.tsMillis > lastTs);
                lastTs = row.tsMillis;
                count++;
            }
            assertEquals(rows, count);
            assertEquals(rows + 1, row.lineNumber);
        }
    }

    private static long drain(PriceCsvReader r) {
        PriceCsvReader.Row row = new PriceCsvReader.Row();
        long n = 0;
        while (r.next(row)) {
            n++;
        }
        return n;
    }
}
