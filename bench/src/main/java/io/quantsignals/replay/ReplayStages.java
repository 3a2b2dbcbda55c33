package io.quantsignals.replay;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.nio.charset.StandardCharsets;

/**
 * The replay tool's two halves run alone, with the tool's own classes (this class sits in the
 * tool's package for their package-private API), for the stage breakdown of the REPLAY path
 * benchmark ({@code io.quantsignals.bench.ReplayPathBench}, bench/README.md):
 * <ul>
 *   <li>{@link #read}: the database side, {@link TickReader} through {@link TickPrefetcher} exactly as
 *       {@code Replay} drives them (count and window, then the rows), no Kafka;</li>
 *   <li>{@link #publish}: the Kafka side, {@link TickMessages} and {@link TickPublisher} over ticks
 *       already in memory, in {@code Replay}'s order (a reset marker before each symbol's first tick,
 *       every tick acknowledged, then one end marker per symbol), no database.</li>
 * </ul>
 */
public final class ReplayStages {

    private ReplayStages() {
    }

    /** Ticks in memory, as the prefetcher hands them over. */
    public static final class Ticks {
        final List<TickPrefetcher.Chunk> chunks = new ArrayList<>();
        long count;

        public long count() {
            return count;
        }
    }

    /** Reads {@code [start, end)} as the tool does; {@code keep}: keep the ticks (for {@link #publish}). */
    public static Ticks read(Connection db, Instant start, Instant end, boolean keep) throws SQLException {
        Ticks ticks = new Ticks();
        try (TickReader reader = new TickReader(db, start, end, null)) {
            long total = reader.summary().count();
            try (TickPrefetcher prefetcher = new TickPrefetcher(reader)) {
                TickPrefetcher.Chunk chunk;
                while ((chunk = prefetcher.next(() -> false)) != null) {
                    ticks.count += chunk.size;
                    if (keep) {
                        ticks.chunks.add(chunk);
                    }
                }
            }
            if (ticks.count != total) {
                throw new IllegalStateException("read " + ticks.count + " ticks, the count said " + total);
            }
        }
        return ticks;
    }

    /** Publishes the ticks for {@code runId} as {@code Replay} does at {@code --speedup max}; returns the records sent. */
    public static long publish(String bootstrap, String topic, Ticks ticks, UUID runId, long endMillis) {
        return publish(bootstrap, topic, ticks, runId, endMillis, Map.of());
    }

    /** The same with the tool's producer settings replaced or added. */
    public static long publish(String bootstrap, String topic, Ticks ticks, UUID runId, long endMillis,
                               Map<String, String> producerOverrides) {
        TickMessages messages = new TickMessages(runId);
        Map<String, byte[]> keys = new HashMap<>();
        try (TickPublisher publisher = TickPublisher.connect(bootstrap, topic, producerOverrides)) {
            for (TickPrefetcher.Chunk chunk : ticks.chunks) {
                for (int i = 0; i < chunk.size; i++) {
                    String symbol = chunk.symbol[i];
                    byte[] key = keys.get(symbol);
                    if (key == null) {
                        key = symbol.getBytes(StandardCharsets.UTF_8);
                        keys.put(symbol, key);
                        publisher.send(key, messages.runResetMarker(symbol, chunk.tsMillis[i]));
                    }
                    publisher.send(key, messages.tick(symbol, chunk.tsMillis[i], chunk.price[i], chunk.hasVolume[i],
                            chunk.volume[i]));
                }
            }
            publisher.flush();
            for (Map.Entry<String, byte[]> e : keys.entrySet()) {
                publisher.send(e.getValue(), messages.runEndMarker(e.getKey(), endMillis));
            }
            publisher.flush();
            return publisher.sent();
        }
    }
}
