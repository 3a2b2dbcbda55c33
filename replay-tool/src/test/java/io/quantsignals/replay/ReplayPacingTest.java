package io.quantsignals.replay;

import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.TickTopics;
import io.quantsignals.replay.Fixtures.Rec;
import io.quantsignals.replay.Fixtures.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing: W seconds of event time at speedup k take W/k seconds within 1% + 0.5 s, measured on the
 * records' Kafka timestamps (the producer stamps each record when the tool sends it).
 */
class ReplayPacingTest {

    static final Instant START = Instant.parse("2024-06-01T12:00:00Z");

    private static PostgresServer postgres;
    private static KafkaBroker kafka;
    private ReplayRunner replay;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServer.shared();
        kafka = KafkaBroker.shared();
    }

    @BeforeEach
    void clean() {
        postgres.truncateAll();
        replay = new ReplayRunner(Map.of("DATABASE_URL", postgres.jdbcUrl(), "DATABASE_USER", PostgresServer.USER,
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
    }

    /** Replays ticks at the given event-time offsets; returns the send offsets (ms) of the ticks. */
    private List<Rec> replayOffsets(long[] offsets, String speedup, long expectedWallMillis) throws Exception {
        String topic = TickTopics.newTopic(1);
        List<Row> rows = new ArrayList<>();
        for (long o : offsets) {
            rows.add(new Row(START.plusMillis(o), "A", 100, null));
        }
        Fixtures.insertTicks(postgres, rows);

        ReplayRunner.Result r = replay.withEnv("PRICES_TOPIC", topic).run("--start-ts", START.toString(),
                "--end-ts", START.plusSeconds(3600).toString(), "--speedup", speedup);

        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.millis() >= expectedWallMillis, "took " + r.millis() + " ms");
        List<Rec> records = Fixtures.readAll(kafka, topic);
        assertEquals(offsets.length + 1, records.size());
        return records.subList(0, offsets.length);
    }

    private static void assertPaced(List<Rec> ticks, long[] offsets, double speedup) {
        long first = ticks.get(0).timestamp();
        long window = Math.round((offsets[offsets.length - 1] - offsets[0]) / speedup);
        long tolerance = Math.round(window * 0.01) + 500;
        long took = ticks.get(ticks.size() - 1).timestamp() - first;
        assertTrue(Math.abs(took - window) <= tolerance, "took " + took + " ms for a " + window + " ms schedule");
        // And no drift along the way: every tick near its absolute due time.
        long worst = 0;
        for (int i = 0; i < ticks.size(); i++) {
            long due = Math.round((offsets[i] - offsets[0]) / speedup);
            long actual = ticks.get(i).timestamp() - first;
            assertTrue(actual >= due - 2, "tick " + i + " early: " + actual + " < " + due);
            worst = Math.max(worst, actual - due);
        }
        assertTrue(worst <= tolerance, "worst lateness " + worst + " ms");
        System.out.printf("pacing: schedule %d ms, took %d ms, worst tick lateness %d ms%n", window, took, worst);
    }

    @Test
    void fourSecondsOfEventTimeAtSpeedupTwoTakeTwoSeconds() throws Exception {
        // 401 ticks at irregular gaps (0..20 ms), 4 s of event time.
        long[] offsets = new long[401];
        for (int i = 1; i < offsets.length; i++) {
            offsets[i] = offsets[i - 1] + (i % 3 == 0 ? 0 : i % 3 == 1 ? 8 : 12);
        }
        offsets[offsets.length - 1] = 4_000;
        assertPaced(replayOffsets(offsets, "2", 2_000), offsets, 2);
    }

    @Test
    void aFractionalSpeedupSlowsDown() throws Exception {
        long[] offsets = {0, 250, 500, 750, 1_000};
        assertPaced(replayOffsets(offsets, "0.5", 2_000), offsets, 0.5);
    }

    @Test
    void maxDoesNotPace() throws Exception {
        // 20,000 ticks over 5.5 hours of event time: paced at 1000x it would take 20 s.
        String topic = TickTopics.newTopic(2);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(new Row(START.plusMillis(i * 1_000L), "S" + (i % 5), 100 + i % 17, 1.0));
        }
        Fixtures.insertTicks(postgres, rows);

        ReplayRunner.Result r = replay.withEnv("PRICES_TOPIC", topic).run("--start-ts", START.toString(),
                "--end-ts", START.plusSeconds(86_400).toString(), "--speedup", "max");

        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.millis() < 10_000, r.millis() + " ms");
        assertEquals(20_002, Fixtures.size(kafka, topic));
        System.out.println("max: 20,000 ticks in " + r.millis() + " ms: " + r.out().strip());
    }
}
