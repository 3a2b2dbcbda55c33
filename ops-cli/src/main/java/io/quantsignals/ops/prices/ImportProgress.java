package io.quantsignals.ops.prices;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows an import's progress on stderr: on a terminal one line rewritten in place a few times a
 * second; otherwise (a log file, a pipe, a CI job) a plain line every few seconds, so logs stay
 * readable. Nothing is shown for an import that finishes before the first update is due.
 */
final class ImportProgress implements PriceImporter.Progress {

    static final long TERMINAL_INTERVAL_NANOS = 250_000_000L;
    static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final long totalBytes;
    private final long startNanos;
    private final long intervalNanos;
    private long nextNanos;
    private int shownWidth;

    ImportProgress(PrintWriter err, boolean terminal, long totalBytes) {
        this(err, terminal, totalBytes, terminal ? TERMINAL_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS);
    }

    ImportProgress(PrintWriter err, boolean terminal, long totalBytes, long intervalNanos) {
        this.err = err;
        this.terminal = terminal;
        this.totalBytes = totalBytes;
        this.startNanos = System.nanoTime();
        this.intervalNanos = intervalNanos;
        this.nextNanos = startNanos + intervalNanos;
    }

    @Override
    public void update(long rows, long bytesRead) {
        long now = System.nanoTime();
        if (now < nextNanos) {
            return;
        }
        nextNanos = now + intervalNanos;
        String text = describe(rows, bytesRead, now - startNanos, totalBytes);
        if (terminal) {
            // Pad to blank out the rest of a longer previous line.
            err.print("\r" + text + " ".repeat(Math.max(0, shownWidth - text.length())));
            shownWidth = Math.max(shownWidth, text.length()); // what is visible now, padding included
        } else {
            err.println("progress: " + text);
        }
        err.flush();
    }

    /** Clears the terminal line, so what follows (the summary or an error) starts on a clean line. */
    void finish() {
        if (terminal && shownWidth > 0) {
            err.print("\r" + " ".repeat(shownWidth) + "\r");
            err.flush();
            shownWidth = 0;
        }
    }

    static String describe(long rows, long bytesRead, long elapsedNanos, long totalBytes) {
        double seconds = elapsedNanos / 1e9;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%,d rows  %,.0f rows/s  %s", rows,
                seconds > 0 ? rows / seconds : 0.0, mebibytes(bytesRead)));
        if (totalBytes > 0) {
            s.append(" of ").append(mebibytes(totalBytes))
                    .append(String.format(Locale.ROOT, " (%.0f%%)", Math.min(100.0, 100.0 * bytesRead / totalBytes)));
        }
        s.append(" read");
        return s.toString();
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
