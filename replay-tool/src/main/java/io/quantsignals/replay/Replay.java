package io.quantsignals.replay;

import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.Messages;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One replay, after every check passed: stream the window, pace, publish, then the end markers.
 *
 * <p>End markers (the contract with the job, SPEC §7 "the last bar is not left open"), sent only
 * after every tick is acknowledged and carrying {@code ts} = {@code --end-ts}:
 * <ul>
 *   <li>with a run id, one per symbol that was published, keyed by the symbol (so it lands in the
 *       same partition, after that symbol's ticks);</li>
 *   <li>without, one to every partition of the topic (no key), since the job's watermark is per
 *       partition and ticks of other symbols may share it.</li>
 * </ul>
 * An interrupted replay sends no end markers: its last bars stay open, as they would for a feed
 * that paused. With a run id, each symbol's first tick is preceded by a reset marker
 * ({@code "replay_reset":true}, same key): the job evaluates every replay of a run from a fresh
 * state, so a run replayed again with {@code --reset} does not continue from the previous replay.
 */
final class Replay {

    private final Connection db;
    private final TickPublisher publisher;
    private final Instant start;
    private final Instant end;
    private final Speedup speedup;
    private final List<String> symbols;
    private final boolean symbolsFromRun;
    private final ReplayTarget target;
    private final boolean terminal;
    private final BooleanSupplier stop;
    private final PrintWriter out;
    private final PrintWriter err;

    Replay(Connection db, TickPublisher publisher, Instant start, Instant end, Speedup speedup, List<String> symbols,
           boolean symbolsFromRun, ReplayTarget target, boolean terminal, BooleanSupplier stop, PrintWriter out,
           PrintWriter err) {
        this.db = db;
        this.publisher = publisher;
        this.start = start;
        this.end = end;
        this.speedup = speedup;
        this.symbols = symbols;
        this.symbolsFromRun = symbolsFromRun;
        this.target = target;
        this.terminal = terminal;
        this.stop = stop;
        this.out = out;
        this.err = err;
    }

    int run() throws SQLException {
        TickMessages messages = new TickMessages(target);
        Pacer pacer = new Pacer(speedup);
        Set<String> published = new LinkedHashSet<>();
        Map<String, byte[]> keys = new HashMap<>();
        long count = 0;
        long firstTs = 0;
        long total;
        long t0;
        Progress progress;
        try (TickReader reader = new TickReader(db, start, end, symbols)) {
            TickReader.Summary summary = reader.summary();
            total = summary.count();
            err.println("replay-tool: " + header(summary));
            progress = new Progress(err, terminal, total, summary.last(), pacer);
            t0 = System.nanoTime();
            progress.start();
            try (TickPrefetcher ticks = new TickPrefetcher(reader)) {
                TickPrefetcher.Chunk chunk;
                while ((chunk = ticks.next(stop)) != null) {
                    for (int i = 0; i < chunk.size && !stop.getAsBoolean(); i++) {
                        long ts = chunk.tsMillis[i];
                        pacer.awaitDue(ts, stop);
                        if (stop.getAsBoolean()) {
                            break;
                        }
                        String symbol = chunk.symbol[i];
                        byte[] key = keys.get(symbol);
                        if (key == null) {
                            key = symbol.getBytes(StandardCharsets.UTF_8);
                            keys.put(symbol, key);
                            published.add(symbol);
                            if (target != null) {
                                // Same key, so it reaches the job before the symbol's first tick.
                                publisher.send(key, messages.targetResetMarker(symbol, ts));
                            }
                        }
                        publisher.send(key, messages.tick(symbol, ts, chunk.price[i], chunk.hasVolume[i],
                                chunk.volume[i]));
                        if (count == 0) {
                            firstTs = ts;
                        }
                        count++;
                        progress.ticked(count, ts);
                    }
                }
            } finally {
                progress.close();
            }
        }

        if (stop.getAsBoolean()) {
            return interrupted(count, total, progress.reached());
        }

        // Every tick acknowledged before the markers: a marker must never overtake a tick.
        publisher.flush();
        long endMillis = end.toEpochMilli();
        int markers;
        if (target != null) {
            for (String symbol : published) {
                publisher.send(keys.get(symbol), messages.targetEndMarker(symbol, endMillis));
            }
            markers = published.size();
        } else {
            byte[] marker = TickMessages.partitionEndMarker(endMillis);
            for (int p = 0; p < publisher.partitions(); p++) {
                publisher.sendToPartition(p, marker);
            }
            markers = publisher.partitions();
        }
        publisher.flush();
        double seconds = (System.nanoTime() - t0) / 1e9;

        String markerText = markers + " end marker" + (markers == 1 ? "" : "s") + " at " + end
                + (target != null ? " (one per symbol)" : " (one per partition)");
        if (count == 0) {
            out.println("0 ticks found in [" + start + ", " + end + ")" + symbolText()
                    + "; sent " + markerText + " to topic '" + publisher.topic() + "'; all acknowledged");
        } else {
            out.println(String.format(Locale.ROOT, "replayed %d ticks of %d symbol%s (event time %s to %s) to topic '%s'"
                            + "%s in %.3f s (%.0f ticks/s); sent %s; all acknowledged",
                    count, published.size(), published.size() == 1 ? "" : "s", Instant.ofEpochMilli(firstTs), progress.reached(),
                    publisher.topic(), target == null ? "" : " for " + target.describe(), seconds, count / Math.max(seconds, 1e-9),
                    markerText));
        }
        return ExitCodes.OK;
    }

    /** Ctrl-C: flush what was sent (so it is not lost or half-sent) and say how far the replay got. */
    private int interrupted(long count, long total, Instant reached) {
        String where = String.format(Locale.ROOT, "sent %,d of %,d ticks", count, total)
                + (reached == null ? "" : ", event time reached " + reached);
        try {
            publisher.flush();
            err.println("replay-tool: interrupted: " + where + " (all acknowledged); no end markers sent");
        } catch (RuntimeException e) {
            err.println("replay-tool: interrupted: " + where + "; not all acknowledged: "
                    + Messages.oneLine(Messages.describe(e)));
        }
        return ReplayTool.EXIT_INTERRUPTED;
    }

    private String header(TickReader.Summary summary) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%,d ticks in [%s, %s)", summary.count(), start, end));
        sb.append(symbolText());
        if (summary.count() > 0) {
            sb.append(", event time ").append(summary.first()).append(" to ").append(summary.last());
        }
        sb.append(" -> topic '").append(publisher.topic()).append("' (").append(publisher.partitions())
                .append(publisher.partitions() == 1 ? " partition" : " partitions").append(") on ")
                .append(publisher.bootstrap());
        sb.append(target == null ? ", marked replayed" : ", for " + target.describe());
        sb.append(", speedup ").append(speedup);
        if (!speedup.isMax() && summary.count() > 0) {
            long eventMillis = summary.last().toEpochMilli() - summary.first().toEpochMilli();
            sb.append(" (about ").append(Progress.duration((long) Math.ceil(eventMillis / speedup.factor() / 1000)))
                    .append(')');
        }
        return sb.toString();
    }

    private String symbolText() {
        if (symbols == null) {
            return " (all symbols)";
        }
        return " (symbols " + String.join(",", symbols) + (symbolsFromRun ? ", from the run's parameters)" : ")");
    }
}
