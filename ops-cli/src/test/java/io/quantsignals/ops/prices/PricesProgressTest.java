package io.quantsignals.ops.prices;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The import's progress display: one rewritten line on a terminal, plain lines otherwise. */
class PricesProgressTest {

    @Test
    void describesRowsRateAndBytes() {
        assertEquals("1,500,000 rows  150,000 rows/s  50.0 MiB of 200.0 MiB (25%) read",
                ImportProgress.describe(1_500_000, 50L << 20, 10_000_000_000L, 200L << 20));
        assertEquals("10 rows  5 rows/s  0.0 MiB read", ImportProgress.describe(10, 100, 2_000_000_000L, -1));
    }

    @Test
    void plainOutputPrintsWholeLines() {
        StringWriter err = new StringWriter();
        ImportProgress progress = new ImportProgress(new PrintWriter(err), false, 1000, 0);
        progress.update(1024, 500);
        progress.update(2048, 1000);
        progress.finish();
        String[] lines = err.toString().split("\n");
        assertEquals(2, lines.length, err.toString());
        assertTrue(lines[0].startsWith("progress: 1,024 rows  "), lines[0]);
        assertTrue(lines[1].endsWith("of 0.0 MiB (100%) read"), lines[1]);
        assertTrue(!err.toString().contains("\r"));
    }

    @Test
    void terminalOutputRewritesOneLineAndClearsIt() {
        StringWriter err = new StringWriter();
        ImportProgress progress = new ImportProgress(new PrintWriter(err), true, -1, 0);
        progress.update(1_000_000, 500);
        progress.update(2, 1000);
        progress.finish();
        String text = err.toString();
        assertTrue(!text.contains("\n"), text);
        assertTrue(text.startsWith("\r1,000,000 rows"), text);
        assertTrue(text.endsWith("\r"), "the line is cleared for what follows");
        String[] frames = text.split("\r");
        assertTrue(frames[2].length() >= frames[1].length(), "a shorter line blanks out the longer one");
        assertEquals(frames[2].length(), frames[3].length());
        assertTrue(frames[3].isBlank());
    }

    @Test
    void nothingIsShownBeforeTheFirstInterval() {
        StringWriter err = new StringWriter();
        ImportProgress progress = new ImportProgress(new PrintWriter(err), false, 1000);
        progress.update(1024, 500);
        progress.finish();
        assertEquals("", err.toString());
    }
}
