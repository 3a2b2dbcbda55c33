package io.quantsignals.local;

import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's main command, start to finish, time-bounded: its summary and its report; then the
 * same command again on the same data folder, which must neither import the sample twice nor hang,
 * and must print the same summary for a fresh run.
 */
class DemoTest {

    private static final String SAMPLE_SOURCE = "import:demo-prices.csv";

    @TempDir
    Path dataDir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Demo(int code, String out, String err) {
    }

    private Demo demo(int postgres, int kafka, int web, int metrics) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuantSignals.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo",
                "--data-dir", dataDir.toString(), "--postgres-port", String.valueOf(postgres),
                "--kafka-port", String.valueOf(kafka), "--web-port", String.valueOf(web), "--metrics-port", String.valueOf(metrics));
        return new Demo(code, out.toString(), err.toString());
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void demoReplaysTheSampleAndARerunOnTheSameFolderRepeatsItWithoutImportingAgain() throws Exception {
        int postgres = freePort();
        int kafka = freePort();
        int web = freePort();
        int metrics = freePort();
        long t0 = System.nanoTime();
        Demo first = demo(postgres, kafka, web, metrics);
        long t1 = System.nanoTime();
        String printed = first.out();
        assertEquals(0, first.code(), printed + "\n" + first.err());

        // 12 hours of one-minute bars for 3 symbols: every bar, the last one included.
        assertTrue(printed.contains("all 2160 bars evaluated"), printed);
        List<String> summary = summaryRows(printed);
        Matcher report = Pattern.compile("(?m)^report: (\\S+)$").matcher(printed);
        assertTrue(report.find(), printed);
        Path html = Path.of(report.group(1));
        assertTrue(Files.size(html) > 10_000, "a real report");
        String content = Files.readString(html);
        String firstRun = runId(printed);
        assertTrue(content.contains(firstRun) && content.contains("SOLUSD"), "the report is about the demo run");
        assertTrue(!content.contains("src=\"http") && !content.contains("href=\"http"), "self-contained");
        assertPortsFree(postgres, kafka, web, metrics);

        // Again on the same folder: the job resumes the first demo's checkpoint, the sample is in
        // price_ticks already. The replay tool's count says what the window holds: the sample once.
        Demo second = demo(postgres, kafka, web, metrics);
        long t2 = System.nanoTime();
        assertEquals(0, second.code(), second.out() + "\n" + second.err());
        assertTrue(second.err().contains("replay-tool: 45,650 ticks in"), "the sample once, not twice:\n" + second.err());
        assertTrue(second.out().contains("the sample's 45650 ticks are in price_ticks already"), second.out());
        String secondRun = runId(second.out());
        assertNotEquals(firstRun, secondRun, "a fresh run");
        assertEquals(summary, summaryRows(second.out()), "the same sample, the same parameters: the same summary");
        // Flink's and Kafka's warnings went to the log file, not to the console.
        assertTrue(Files.exists(dataDir.resolve("quant-signals.log")));
        for (Demo d : List.of(first, second)) {
            assertTrue(d.out().contains("ended REPLAY run " + runId(d.out())), d.out());
            assertTrue(!d.err().contains("\tat ") && !d.out().contains("\tat "), "no stack trace:\n" + d.out() + d.err());
        }
        assertPortsFree(postgres, kafka, web, metrics);

        // What the folder holds: each tick of the sample once, and both demo runs ended (so the
        // job released their state).
        try (PostgresServer db = PostgresServer.start(postgres, dataDir.resolve("postgres"));
             Connection c = db.connect(); Statement s = c.createStatement()) {
            assertEquals(45_650, scalar(s, "SELECT count(*) FROM price_ticks WHERE source = '" + SAMPLE_SOURCE + "'"));
            assertEquals(2, scalar(s, "SELECT count(*) FROM strategy_runs WHERE ended_at IS NOT NULL AND strategy_run_id IN ('"
                    + firstRun + "', '" + secondRun + "')"));
        }
        System.out.printf("demo: first run %d ms, second run on the same folder %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(t1 - t0), TimeUnit.NANOSECONDS.toMillis(t2 - t1));
    }

    /** The summary table's rows, one per symbol, each of the 720 bars of the window. */
    private static List<String> summaryRows(String printed) {
        List<String> rows = new java.util.ArrayList<>();
        for (String symbol : new String[] {"BTCUSD", "ETHUSD", "SOLUSD"}) {
            Matcher row = Pattern.compile("(?m)^" + symbol + "\\s+720\\s+[+-]\\d+\\.\\d\\d%\\s+-?\\d+\\.\\d\\d%\\s+\\d+\\s+\\d+\\.\\d{4}$")
                    .matcher(printed);
            assertTrue(row.find(), "summary row for " + symbol + " in:\n" + printed);
            rows.add(row.group());
        }
        return rows;
    }

    private static String runId(String printed) {
        Matcher run = Pattern.compile("created REPLAY run (\\S+)").matcher(printed);
        assertTrue(run.find(), printed);
        return run.group(1);
    }

    private static long scalar(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Everything a demo started is stopped: its ports are free again. */
    private static void assertPortsFree(int... ports) throws Exception {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port)) {
                assertTrue(s.isBound());
            }
        }
    }
}
