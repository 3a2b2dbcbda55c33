package io.quantsignals.ops;

import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.ops.prices.PriceCsvReader;
import io.quantsignals.ops.prices.PriceImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ops-cli prices import} against a real PostgreSQL server. */
class PricesImportTest {

    private static PostgresServer postgres;

    @TempDir
    Path dir;

    private CliRunner cli;

    @BeforeAll
    static void startDatabase() {
        postgres = PostgresServer.shared();
    }

    @BeforeEach
    void cleanDatabase() {
        cli = CliRunner.againstEmptyDatabase(postgres);
    }

    record Stored(long tsMillis, String symbol, double price, Double volume, String source, long ingestSeq) {
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private CliRunner.Result importFile(Path file) {
        return cli.run("prices", "import", "--file", file.toString());
    }

    private static double exact(String price) {
        return ScaledPrice.toDouble(ScaledPrice.parse(price));
    }

    @Test
    void importsEveryRowExactlyInFileOrder() throws Exception {
        Path file = file("btc history.csv", """
                ts,symbol,price,volume
                2013-11-25T00:00:00Z,BTCUSD,800.01,0.1
                1385337600000,BTCUSD,800.02,
                2013-11-25T01:00:00.123999+01:00,ETHUSD,0.1,3e2
                2013-11-25T00:00:00Z,BTCUSD,799.99,2
                1385337660000,ETHUSD,123456789.123456789,
                2013-11-25T00:00:00Z,BTCUSD,0.00000001,0
                """);
        CliRunner.Result r = importFile(file);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        assertTrue(r.outLine().matches("imported 6 rows from btc history\\.csv in [0-9.]+ s \\([0-9]+ rows/s\\), 2 symbols,"
                + " 2013-11-25T00:00:00Z to 2013-11-25T00:01:00Z"), r.out());
        assertEquals(1, r.out().lines().count());

        List<Stored> rows = stored("ORDER BY event_time, ingest_seq");
        String source = "import:btc history.csv";
        // Ties at 00:00:00Z keep file order: lines 2, 3, 5, 7.
        assertEquals(List.of(
                new Stored(1_385_337_600_000L, "BTCUSD", 800.01, 0.1, source, rows.get(0).ingestSeq()),
                new Stored(1_385_337_600_000L, "BTCUSD", 800.02, null, source, rows.get(1).ingestSeq()),
                new Stored(1_385_337_600_000L, "BTCUSD", 799.99, 2.0, source, rows.get(2).ingestSeq()),
                new Stored(1_385_337_600_000L, "BTCUSD", 0.00000001, 0.0, source, rows.get(3).ingestSeq()),
                new Stored(1_385_337_600_123L, "ETHUSD", 0.1, 300.0, source, rows.get(4).ingestSeq()),
                new Stored(1_385_337_660_000L, "ETHUSD", 123456789.12345679, null, source, rows.get(5).ingestSeq())), rows);
        for (int i = 1; i < 4; i++) {
            assertTrue(rows.get(i).ingestSeq() > rows.get(i - 1).ingestSeq(), "ties keep file order");
        }
        assertEquals(exact("123456789.123456789"), rows.get(5).price(), "the job's double for the tick, bit for bit");
        assertEquals(exact("800.01"), rows.get(0).price());

        // ingest_seq follows file order over the whole file, whatever the times.
        List<Stored> inSeqOrder = stored("ORDER BY ingest_seq");
        assertEquals(List.of(800.01, 800.02, 0.1, 799.99, 123456789.12345679, 0.00000001),
                inSeqOrder.stream().map(Stored::price).toList());
    }

    @Test
    void threeColumnFilesStoreNoVolumeAndASecondImportContinuesTheSequence() throws Exception {
        Path first = file("a.csv", "TS,Symbol,Price\r\n0,A,1\r\n253402300799999,A,2\r\n");
        assertEquals(0, importFile(first).exitCode());
        Path second = file("b.csv", "ts,symbol,price,volume\n0,A,3,1\n");
        CliRunner.Result r = importFile(second);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.outLine().contains("1 symbol, 1970-01-01T00:00:00Z to 1970-01-01T00:00:00Z"), r.out());

        List<Stored> rows = stored("ORDER BY ingest_seq");
        assertEquals(3, rows.size());
        assertEquals(List.of("import:a.csv", "import:a.csv", "import:b.csv"), rows.stream().map(Stored::source).toList());
        assertEquals(List.of(1.0, 2.0, 3.0), rows.stream().map(Stored::price).toList());
        assertEquals(null, rows.get(0).volume());
        assertEquals(253_402_300_799_999L, rows.get(1).tsMillis());
        assertEquals(1.0, rows.get(2).volume());
    }

    @Test
    void headerOnlyImportsNothingAndSucceeds() throws Exception {
        CliRunner.Result r = importFile(file("empty.csv", "ts,symbol,price\n"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.outLine().startsWith("imported 0 rows from empty.csv"), r.out());
        assertEquals(0, count());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "wrong column count | 5,A,1                 | line 4: expected 4 columns",
            "bad number         | 5,A,8OO.01,1          | line 4: price is not a decimal number",
            "bad volume         | 5,A,1,x               | line 4: volume is not a number",
            "negative volume    | 5,A,1,-0.5            | line 4: volume must be >= 0",
            "bad time           | 2024-13-01T00:00Z,A,1,1 | line 4: ts '2024-13-01T00:00Z' is neither",
            "zero price         | 5,A,0,1               | line 4: price must be positive",
            "negative price     | 5,A,-1,1              | line 4: price must be positive",
            "NaN price          | 5,A,NaN,1             | line 4: price must be a finite number",
            "Infinity price     | 5,A,Infinity,1        | line 4: price must be a finite number",
            "empty symbol       | 5,,1,1                | line 4: symbol is empty",
    })
    void aBadLineExits2WithItsNumberAndImportsNothing(String name, String badLine, String expected) throws Exception {
        assertEquals(0, importFile(file("before.csv", "ts,symbol,price\n1,OLD,1\n")).exitCode());
        Path bad = file("bad.csv", "ts,symbol,price,volume\n1,A,1,1\n2,A,2,\n" + badLine + "\n6,A,1,1\n");
        assertInvalid(importFile(bad), "ops-cli: " + expected);
        assertEquals(1, count(), "only the earlier import's row");
    }

    /** Several COPY chunks are written before the bad last line: the rollback must take them all back. */
    @Test
    void aBadLastLineAfterThousandsOfGoodOnesImportsNothing() throws Exception {
        int good = 6_000;
        Path file = dir.resolve("long.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("ts,symbol,price,volume\n");
            for (int i = 0; i < good; i++) {
                w.write((1_700_000_000_000L + i) + ",SYM" + (i % 5) + "," + (100 + i % 50) + ".5,1\n");
            }
            w.write("1700000009999,SYM1,-3,1\n");
        }
        CliRunner.Result r = importFile(file);
        assertInvalid(r, "ops-cli: line " + (good + 2) + ": price must be positive");
        assertEquals(0, count());

        // The same file without its last line imports fully.
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(lines.size() - 1);
        Path fixed = Files.write(dir.resolve("fixed.csv"), lines);
        CliRunner.Result ok = importFile(fixed);
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals(good, count());
        assertEquals(5, scalar("SELECT count(DISTINCT symbol) FROM price_ticks"));
    }

    @Test
    void badFilesExit2NamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.csv");
        assertInvalid(importFile(missing), "ops-cli: file " + missing + " does not exist");
        Path empty = file("empty.csv", "");
        assertInvalid(importFile(empty), "ops-cli: file " + empty + " is empty");
        Path header = file("header.csv", "time,symbol,price\n5,A,1\n");
        assertInvalid(importFile(header), "ops-cli: file " + header + ": the header must be ts,symbol,price[,volume],"
                + " got 'time,symbol,price'");
        assertInvalid(cli.run("prices", "import"), "ops-cli: Missing required option: '--file=F.csv'");
        assertInvalid(cli.run("prices", "frobnicate"), "ops-cli: Unmatched argument at index 1: 'frobnicate'");
        assertEquals(0, count());
    }

    @Test
    void unreachableDatabaseExits1ButBadInputIsStill2() throws Exception {
        CliRunner broken = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant");
        CliRunner.Result r = broken.run("prices", "import", "--file", file("ok.csv", "ts,symbol,price\n5,A,1\n").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("ops-cli: cannot connect to database jdbc:postgresql://127.0.0.1:1/quant"), r.err());
        assertEquals("", r.out());
        assertEquals(2, broken.run("prices", "import", "--file", dir.resolve("nope.csv").toString()).exitCode());
    }

    @Test
    void helpWorks() {
        for (String[] args : new String[][] {{"prices", "--help"}, {"prices", "import", "--help"}, {"--help"}}) {
            CliRunner.Result r = cli.withEnv("DATABASE_PASSWORD", "s3cret-pw").run(args);
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
            assertTrue(r.out().contains(args.length == 1 ? "prices" : "import"), r.out());
            assertTrue(!r.out().contains("s3cret-pw"), "password leaked");
        }
        assertTrue(cli.run("prices", "import", "--help").out().contains("--file=F.csv"));
    }

    /**
     * 200,000 rows: all stored, the throughput printed, and the heap that stays live during the
     * import bounded (about 8 MB of CSV would be several times that as objects if it were held).
     */
    @Test
    void largeFileStreamsInBoundedMemory() throws Exception {
        int rows = 200_000;
        Path file = dir.resolve("large.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("ts,symbol,price,volume\n");
            for (int i = 0; i < rows; i++) {
                w.write((1_700_000_000_000L + i * 250L) + ",SYMBOL" + (i % 20) + "," + (1000 + (i % 997)) + "."
                        + (i % 100) + "," + (i % 4 == 0 ? "" : Integer.toString(i % 10_000)) + "\n");
            }
        }
        long size = Files.size(file);

        // Through the CLI: count and throughput.
        CliRunner.Result r = importFile(file);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(rows, count());
        Matcher m = Pattern.compile("imported (\\d+) rows .* in ([0-9.]+) s \\((\\d+) rows/s\\), 20 symbols").matcher(r.outLine());
        assertTrue(m.find(), r.out());
        System.out.printf("prices import of %,d rows (%,d bytes) via the CLI: %s%n", rows, size, r.outLine());

        // Through the importer with a progress hook: the live heap midway is about what it was before.
        postgres.truncateAll();
        long before = liveHeap();
        long[] during = {-1};
        PriceImporter.Result result;
        try (Connection c = postgres.connect(); PriceCsvReader reader = PriceCsvReader.open(file)) {
            result = PriceImporter.importAll(c, reader, "import:large.csv", (n, bytes) -> {
                if (during[0] < 0 && n >= rows * 3 / 4) {
                    during[0] = liveHeap();
                }
            });
        }
        assertEquals(rows, result.rows());
        assertEquals(size, result.bytesRead());
        assertEquals(rows, count());
        long grown = during[0] - before;
        System.out.printf("prices import of %,d rows via the importer: %.0f rows/s; live heap %,d bytes before,"
                + " %,d bytes at 3/4 (grown %,d)%n", rows, result.rowsPerSecond(), before, during[0], grown);
        assertTrue(grown < 4L * 1024 * 1024, "live heap grew by " + grown + " bytes during the import");
    }

    private static long liveHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void assertInvalid(CliRunner.Result r, String expectedStart) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith(expectedStart), "expected '" + expectedStart + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    private static List<Stored> stored(String orderBy) throws SQLException {
        List<Stored> rows = new ArrayList<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM event_time) * 1000)::bigint, symbol, price,"
                     + " volume, source, ingest_seq FROM price_ticks " + orderBy)) {
            while (rs.next()) {
                double volume = rs.getDouble(4);
                Double nullableVolume = rs.wasNull() ? null : volume;
                rows.add(new Stored(rs.getLong(1), rs.getString(2), rs.getDouble(3), nullableVolume,
                        rs.getString(5), rs.getLong(6)));
            }
        }
        return rows;
    }

    private static long count() throws SQLException {
        return scalar("SELECT count(*) FROM price_ticks");
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
