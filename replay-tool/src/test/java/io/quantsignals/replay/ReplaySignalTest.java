package io.quantsignals.replay;

import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.TickTopics;
import io.quantsignals.replay.Fixtures.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C on the real program: a separate JVM running {@link ReplayTool#main} gets SIGINT, flushes,
 * prints how far it got and exits 130.
 */
class ReplaySignalTest {

    static final Instant START = Instant.parse("2024-06-01T12:00:00Z");

    private static PostgresServer postgres;
    private static KafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServer.shared();
        kafka = KafkaBroker.shared();
    }

    @Test
    void sigintStopsCleanlyWithExitCode130() throws Exception {
        postgres.truncateAll();
        String topic = TickTopics.newTopic(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            rows.add(new Row(START.plusMillis(i * 100L), "A", 1 + i, null)); // 60 s of event time
        }
        Fixtures.insertTicks(postgres, rows);

        Path err = dir.resolve("err.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ReplayTool.class.getName(), "--start-ts", START.toString(),
                "--end-ts", START.plusSeconds(3600).toString(), "--speedup", "1")
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(err.toFile());
        pb.environment().put("DATABASE_URL", postgres.jdbcUrl());
        pb.environment().put("DATABASE_USER", PostgresServer.USER);
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        pb.environment().put("PRICES_TOPIC", topic);
        Process process = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(err).contains("ticks in [")) {
                assertTrue(process.isAlive(), () -> "exited early: " + read(err));
                assertTrue(System.nanoTime() < deadline, () -> "no header after 30 s: " + read(err));
                Thread.sleep(50);
            }
            Thread.sleep(2_500); // at least one plain progress line (every 2 s)

            signal(process, "INT");
            boolean exited = process.waitFor(5, TimeUnit.SECONDS);
            int expectedCode = 130;
            if (!exited) {
                // A JVM started with SIGINT ignored (a background job of a non-interactive shell, as CI
                // runners start builds) keeps ignoring it. SIGTERM runs the same shutdown hook.
                System.out.println("SIGINT is ignored in this environment; checking the same path with SIGTERM");
                signal(process, "TERM");
                exited = process.waitFor(30, TimeUnit.SECONDS);
                expectedCode = 143;
            }
            assertTrue(exited, () -> "still running: " + read(err));
            String stderr = read(err);
            assertEquals(expectedCode, process.exitValue(), stderr);
            assertTrue(stderr.contains("replay: "), "progress lines: " + stderr);
            Matcher m = Pattern.compile("interrupted: sent (\\d+) of 600 ticks, event time reached (\\S+) "
                    + "\\(all acknowledged\\); no end markers sent").matcher(stderr);
            assertTrue(m.find(), stderr);
            int sent = Integer.parseInt(m.group(1));
            assertTrue(sent >= 20 && sent < 600, "sent " + sent);
            assertEquals(sent, Fixtures.size(kafka, topic), "every tick reported sent is in the topic, no marker");
        } finally {
            process.destroyForcibly();
        }
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "<" + e + ">";
        }
    }

}
