package io.quantsignals.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main command, start to finish, time-bounded: its summary and its report. */
class DemoTest {

    @TempDir
    Path dataDir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void demoReplaysTheSampleAndWritesSummaryAndReport() throws Exception {
        int postgres = freePort();
        int kafka = freePort();
        int web = freePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuantSignals.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo",
                "--data-dir", dataDir.toString(), "--postgres-port", String.valueOf(postgres),
                "--kafka-port", String.valueOf(kafka), "--web-port", String.valueOf(web));
        String printed = out.toString();
        assertEquals(0, code, printed + "\n" + err);

        // 12 hours of one-minute bars for 3 symbols: every bar, the last one included.
        assertTrue(printed.contains("all 2160 bars evaluated"), printed);
        for (String symbol : new String[] {"BTCUSD", "ETHUSD", "SOLUSD"}) {
            Matcher row = Pattern.compile("(?m)^" + symbol + "\\s+720\\s+[+-]\\d+\\.\\d\\d%\\s+-?\\d+\\.\\d\\d%\\s+\\d+\\s+\\d+\\.\\d{4}$")
                    .matcher(printed);
            assertTrue(row.find(), "summary row for " + symbol + " in:\n" + printed);
        }
        Matcher report = Pattern.compile("(?m)^report: (\\S+)$").matcher(printed);
        assertTrue(report.find(), printed);
        Path html = Path.of(report.group(1));
        assertTrue(Files.size(html) > 10_000, "a real report");
        String content = Files.readString(html);
        Matcher run = Pattern.compile("created REPLAY run (\\S+)").matcher(printed);
        assertTrue(run.find());
        assertTrue(content.contains(run.group(1)) && content.contains("SOLUSD"), "the report is about the demo run");
        assertTrue(!content.contains("src=\"http") && !content.contains("href=\"http"), "self-contained");

        // Everything it started is stopped: its ports are free again.
        for (int port : new int[] {postgres, kafka, web}) {
            try (ServerSocket s = new ServerSocket(port)) {
                assertTrue(s.isBound());
            }
        }
    }
}
