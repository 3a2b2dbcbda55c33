package io.quantsignals.replay;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows how far a replay is, from a daemon thread: on a terminal one line rewritten in place
 * five times a second, otherwise a plain line every {@link #PLAIN_PERIOD_MILLIS} ms (logs, CI).
 * Both go to stderr, so stdout carries only the final summary.
 *
 * <p>The line: ticks sent of the total, percentage, event time reached, rate over the last
 * period, and the time left (paced: from the schedule to the last tick; {@code max}: from the
 * average rate so far).
 */
final class Progress implements AutoCloseable {

    static final long TERMINAL_PERIOD_MILLIS = 200;
    static final long PLAIN_PERIOD_MILLIS = 2_000;

    private final PrintWriter err;
    private final boolean terminal;
    private final long total;
    private final long lastTsMillis;
    private final Pacer pacer;
    private final long startNanos = System.nanoTime();
    private ScheduledExecutorService timer;

    /** Written by the replay thread only. */
    private volatile long sent;
    private volatile long tsMillis = Long.MIN_VALUE;

    private long previousSent;
    private long previousNanos = startNanos;
    private int previousWidth;

    Progress(PrintWriter err, boolean terminal, long total, Instant lastTs, Pacer pacer) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
        this.lastTsMillis = lastTs == null ? 0 : lastTs.toEpochMilli();
        this.pacer = pacer;
    }

    void start() {
        long period = terminal ? TERMINAL_PERIOD_MILLIS : PLAIN_PERIOD_MILLIS;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::print, period, period, TimeUnit.MILLISECONDS);
    }

    /** Called by the replay thread after each tick is handed to Kafka. */
    void ticked(long count, long eventTsMillis) {
        tsMillis = eventTsMillis;
        sent = count;
    }

    long sent() {
        return sent;
    }

    /** The event time of the last tick sent, or null before the first. */
    Instant reached() {
        long ts = tsMillis;
        return ts == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ts);
    }

    private synchronized void print() {
        long now = System.nanoTime();
        long count = sent;
        double seconds = (now - previousNanos) / 1e9;
        double rate = seconds > 0 ? (count - previousSent) / seconds : 0;
        previousSent = count;
        previousNanos = now;
        String line = line(count, rate, now);
        if (terminal) {
            int width = line.length();
            String pad = width < previousWidth ? " ".repeat(previousWidth - width) : "";
            previousWidth = width;
            err.print("\r" + line + pad);
            err.flush();
        } else {
            err.println(line);
        }
    }

    private String line(long count, double rate, long now) {
        Instant reached = reached();
        StringBuilder sb = new StringBuilder(120);
        sb.append(String.format(Locale.ROOT, "replay: %,d/%,d ticks (%.1f%%)", count, total,
                total == 0 ? 100.0 : 100.0 * count / total));
        sb.append(", event time ").append(reached == null ? "-" : reached.toString());
        sb.append(String.format(Locale.ROOT, ", %,.0f ticks/s", rate));
        sb.append(", ETA ").append(eta(count, now));
        return sb.toString();
    }

    private String eta(long count, long now) {
        if (count >= total) {
            return "0:00";
        }
        long nanos;
        if (pacer.paced()) {
            nanos = pacer.nanosUntil(lastTsMillis);
        } else {
            double elapsed = now - startNanos;
            if (count == 0 || elapsed <= 0) {
                return "?";
            }
            nanos = (long) (elapsed / count * (total - count));
        }
        return duration((nanos + 999_999_999L) / 1_000_000_000L);
    }

    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /** Stops the display; on a terminal prints the final state and ends the line. */
    @Override
    public synchronized void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        timer = null;
        if (terminal) {
            print();
            err.println();
            err.flush();
        }
    }
}
