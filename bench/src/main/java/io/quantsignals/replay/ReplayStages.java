package io.quantsignals.replay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    /**
     * The tool's database side before it read through binary COPY, for comparison in the same run:
     * the same transaction, count and rows through a JDBC cursor of 10,000 rows, with the event time
     * computed by the server ({@code round(extract(epoch ...) * 1000)}), decoded from text.
     */
    public static long readWithCursor(Connection db, Instant start, Instant end) throws SQLException {
        db.setAutoCommit(false);
        db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        db.setReadOnly(true);
        long rows = 0;
        long checksum = 0;
        try {
            OffsetDateTime from = OffsetDateTime.ofInstant(start, ZoneOffset.UTC);
            OffsetDateTime to = OffsetDateTime.ofInstant(end, ZoneOffset.UTC);
            long total;
            try (PreparedStatement s = db.prepareStatement(
                    "SELECT count(*), min(event_time), max(event_time) FROM price_ticks WHERE event_time >= ? AND event_time < ?")) {
                s.setObject(1, from);
                s.setObject(2, to);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            try (PreparedStatement q = db.prepareStatement(
                    "SELECT round(extract(epoch FROM date_trunc('milliseconds', event_time)) * 1000)::bigint, symbol, price, volume"
                            + " FROM price_ticks WHERE event_time >= ? AND event_time < ? ORDER BY event_time, ingest_seq")) {
                q.setFetchSize(10_000);
                q.setObject(1, from);
                q.setObject(2, to);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long ts = rs.getLong(1);
                        String symbol = rs.getString(2);
                        double price = rs.getDouble(3);
                        double volume = rs.getDouble(4);
                        checksum += ts + symbol.length() + (long) price + (rs.wasNull() ? 0 : (long) volume);
                        rows++;
                    }
                }
            }
            if (rows != total) {
                throw new IllegalStateException("read " + rows + " rows, the count said " + total + " (" + checksum + ")");
            }
        } finally {
            db.rollback();
        }
        return rows;
    }

    /** Publishes the ticks for {@code runId} as {@code Replay} does at {@code --speedup max}; returns the records sent. */
    public static long publish(String bootstrap, String topic, Ticks ticks, UUID runId, long endMillis) {
        return publish(bootstrap, topic, ticks, runId, endMillis, Map.of());
    }

    /** The same for every run of a sweep. */
    public static long publishForSweep(String bootstrap, String topic, Ticks ticks, UUID sweepId, long endMillis) {
        return publish(bootstrap, topic, ticks, ReplayTarget.sweep(sweepId), endMillis, Map.of());
    }

    /** The same with the tool's producer settings replaced or added. */
    public static long publish(String bootstrap, String topic, Ticks ticks, UUID runId, long endMillis,
                               Map<String, String> producerOverrides) {
        return publish(bootstrap, topic, ticks, ReplayTarget.run(runId), endMillis, producerOverrides);
    }

    private static long publish(String bootstrap, String topic, Ticks ticks, ReplayTarget target, long endMillis,
                                Map<String, String> producerOverrides) {
        TickMessages messages = new TickMessages(target);
        Map<String, byte[]> keys = new HashMap<>();
        try (TickPublisher publisher = TickPublisher.connect(bootstrap, topic, producerOverrides)) {
            for (TickPrefetcher.Chunk chunk : ticks.chunks) {
                for (int i = 0; i < chunk.size; i++) {
                    String symbol = chunk.symbol[i];
                    byte[] key = keys.get(symbol);
                    if (key == null) {
                        key = symbol.getBytes(StandardCharsets.UTF_8);
                        keys.put(symbol, key);
                        publisher.send(key, messages.targetResetMarker(symbol, chunk.tsMillis[i]));
                    }
                    publisher.send(key, messages.tick(symbol, chunk.tsMillis[i], chunk.price[i], chunk.hasVolume[i],
                            chunk.volume[i]));
                }
            }
            publisher.flush();
            for (Map.Entry<String, byte[]> e : keys.entrySet()) {
                publisher.send(e.getValue(), messages.targetEndMarker(e.getKey(), endMillis));
            }
            publisher.flush();
            return publisher.sent();
        }
    }
}
