package io.quantsignals.replay;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.StrategyRows;
import io.quantsignals.fixtures.TickTopics;
import io.quantsignals.replay.Fixtures.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refused commands (exit 2) publish and delete nothing; unreachable servers are exit 1 with one line. */
class ReplayValidationTest {

    static final String START = "2024-06-01T12:00:00Z";
    static final String END = "2024-06-01T14:00:00Z";

    private static PostgresServer postgres;
    private static KafkaBroker kafka;

    private ReplayRunner replay;
    private String topic;
    private UUID replayRun;
    private UUID paperRun;
    private UUID endedRun;
    private UUID usedRun;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServer.shared();
        kafka = KafkaBroker.shared();
    }

    @BeforeEach
    void setUp() throws Exception {
        postgres.truncateAll();
        topic = TickTopics.newTopic(2);
        replay = new ReplayRunner(Map.of(
                "DATABASE_URL", postgres.jdbcUrl(),
                "DATABASE_USER", PostgresServer.USER,
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "PRICES_TOPIC", topic));
        replayRun = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        paperRun = StrategyRows.createRun(RunType.PAPER, StrategyParams.of(2, 5));
        endedRun = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        Fixtures.endRun(postgres, endedRun);
        usedRun = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        Fixtures.addResults(postgres, usedRun, 3, 2);
        Fixtures.insertTicks(postgres, List.of(
                new Row(Instant.parse(START), "A", 1, null),
                new Row(Instant.parse(START).plusSeconds(60), "B", 2, 0.5)));
    }

    static Stream<Arguments> invalidCommands() {
        return Stream.of(
                Arguments.of("missing --start-ts", "--end-ts " + END + " --speedup max", "--start-ts"),
                Arguments.of("missing --end-ts", "--start-ts " + START + " --speedup max", "--end-ts"),
                Arguments.of("missing --speedup", "--start-ts " + START + " --end-ts " + END, "--speedup"),
                Arguments.of("unparseable start", "--start-ts yesterday --end-ts " + END + " --speedup max",
                        "'yesterday' is not an ISO-8601 UTC time"),
                Arguments.of("unparseable end", "--start-ts " + START + " --end-ts 2024-06-01T14:00 --speedup max",
                        "not an ISO-8601 UTC time"),
                Arguments.of("end equals start", "--start-ts " + START + " --end-ts " + START + " --speedup max",
                        "must be after --start-ts"),
                Arguments.of("end before start", "--start-ts " + END + " --end-ts " + START + " --speedup max",
                        "must be after --start-ts"),
                Arguments.of("speedup zero", "--start-ts " + START + " --end-ts " + END + " --speedup 0",
                        "must be greater than 0"),
                Arguments.of("speedup negative", "--start-ts " + START + " --end-ts " + END + " --speedup -2",
                        "must be greater than 0"),
                Arguments.of("speedup not a number", "--start-ts " + START + " --end-ts " + END + " --speedup fast",
                        "'fast' is not a number or 'max'"),
                Arguments.of("speedup NaN", "--start-ts " + START + " --end-ts " + END + " --speedup NaN",
                        "is not a number"),
                Arguments.of("speedup too large", "--start-ts " + START + " --end-ts " + END + " --speedup 1e999",
                        "use 'max'"),
                Arguments.of("run id not a UUID", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id 42", "'42' is not a run id"),
                Arguments.of("unknown run id", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id " + new UUID(1, 2), "unknown run id"),
                Arguments.of("a PAPER run", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id {paper}", "is a PAPER run"),
                Arguments.of("an ended run", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id {ended}", "has ended"),
                Arguments.of("an ended run with --reset", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id {ended} --reset", "has ended"),
                Arguments.of("--reset without --run-id", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --reset", "--reset needs --run-id or --sweep-id"),
                Arguments.of("a run with results, no --reset", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --run-id {used}", "add --reset"),
                Arguments.of("empty symbol", "--start-ts " + START + " --end-ts " + END + " --speedup max --symbols A,,B",
                        "empty entry"),
                Arguments.of("malformed bootstrap", "--start-ts " + START + " --end-ts " + END
                        + " --speedup max --kafka localhost", "invalid Kafka bootstrap server 'localhost'"),
                Arguments.of("unknown option", "--start-ts " + START + " --end-ts " + END + " --speedup max --fast",
                        "Unknown option"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCommands")
    void anInvalidCommandExitsTwoWithOneLineAndChangesNothing(String name, String args, String expected)
            throws Exception {
        String[] argv = Arrays.stream(args.split(" "))
                .map(a -> a.replace("{replay}", replayRun.toString()).replace("{paper}", paperRun.toString())
                        .replace("{ended}", endedRun.toString()).replace("{used}", usedRun.toString()))
                .toArray(String[]::new);

        ReplayRunner.Result r = replay.run(argv);

        assertEquals(2, r.exitCode(), name + ": " + r.err());
        assertEquals(1, r.errLines(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "'" + expected + "' in: " + r.err());
        assertTrue(r.err().startsWith("replay-tool: "), r.err());
        assertEquals("", r.out());
        assertEquals(0, Fixtures.size(kafka, topic), "nothing published");
        assertArrayEquals(new long[] {3, 2}, Fixtures.resultCounts(postgres, usedRun), "nothing deleted");
    }

    @Test
    void kafkaUnreachableIsExitOneWithinSecondsAndDeletesNothing() throws Exception {
        ReplayRunner.Result r = replay.withEnv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
                .run("--start-ts", START, "--end-ts", END, "--speedup", "max", "--run-id", usedRun.toString(), "--reset");

        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("cannot reach Kafka at 127.0.0.1:1"), r.err());
        assertTrue(r.millis() < 15_000, r.millis() + " ms");
        assertArrayEquals(new long[] {3, 2}, Fixtures.resultCounts(postgres, usedRun), "--reset did not run");
    }

    @Test
    void aMissingTopicIsExitOneWithinFifteenSeconds() {
        ReplayRunner.Result r = replay.withEnv("PRICES_TOPIC", "no-such-topic-" + UUID.randomUUID())
                .run("--start-ts", START, "--end-ts", END, "--speedup", "max");

        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("not found on Kafka"), r.err());
        assertTrue(r.millis() < 15_000, r.millis() + " ms");

        // For a run the replay topic would be made like the prices topic, which must exist.
        String missing = "no-such-topic-" + UUID.randomUUID();
        ReplayRunner.Result forRun = replay.withEnv("PRICES_TOPIC", missing)
                .run("--start-ts", START, "--end-ts", END, "--speedup", "max", "--run-id", replayRun.toString());
        assertEquals(1, forRun.exitCode(), forRun.err());
        assertEquals(1, forRun.errLines(), forRun.err());
        assertTrue(forRun.err().contains("topic '" + missing + "' not found on Kafka at " + kafka.bootstrapServers()
                + ": create it or set --prices-topic / PRICES_TOPIC (the replay topic '" + missing + "-replay' is made like it)"),
                forRun.err());
        assertTrue(forRun.millis() < 15_000, forRun.millis() + " ms");
    }

    @Test
    void databaseUnreachableIsExitOneWithoutPrintingThePassword() throws Exception {
        ReplayRunner.Result r = replay
                .withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant?password=hunter2")
                .withEnv("DATABASE_PASSWORD", "s3cret-env")
                .run("--start-ts", START, "--end-ts", END, "--speedup", "max", "--db-password", "s3cret-opt");

        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("cannot connect to database jdbc:postgresql://127.0.0.1:1/quant?password=***"),
                r.err());
        assertFalse(r.err().contains("hunter2") || r.err().contains("s3cret"), r.err());
        assertEquals(0, Fixtures.size(kafka, topic));
    }

    @Test
    void aMisspeltPasswordOptionIsRefusedWithoutEchoingThePassword() {
        // Whatever the misspelling, and with the value after = or as the next argument.
        for (List<String> typo : List.of(List.of("--db-pssword", "hunter4"), List.of("--db-pssword=hunter4"),
                List.of("--db-pasword", "hunter4"))) {
            List<String> args = new ArrayList<>(List.of("--start-ts", START, "--end-ts", END, "--speedup", "max"));
            args.addAll(typo);
            ReplayRunner.Result t = replay.run(args.toArray(String[]::new));
            assertEquals(2, t.exitCode(), t.err());
            assertFalse(t.err().contains("hunter4") || t.out().contains("hunter4"), t.err());
            assertTrue(t.err().startsWith("replay-tool: Unknown option: '" + typo.get(0).split("=")[0] + "' "), t.err());
        }

        ReplayRunner.Result r = replay.withEnv("DATABASE_PASSWORD", "s3cret-env").run("--start-ts", START, "--end-ts",
                END, "--speedup", "max", "--db-pasword=hunter2", "--db-passwd", "hunter3", "--bogus", "s3cret-env");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("Unknown options: '--db-pasword', '--db-passwd', '--bogus' and 2 other arguments"
                + " (values are not shown)"), r.err());
        assertFalse(r.err().contains("hunter") || r.err().contains("s3cret"), r.err());
        assertEquals(0, Fixtures.size(kafka, topic), "nothing published");
    }

    @Test
    void helpShowsTheSettingsButNeverThePassword() {
        ReplayRunner.Result r = replay.withEnv("DATABASE_PASSWORD", "s3cret-env").run("--help");

        assertEquals(0, r.exitCode(), r.err());
        for (String option : List.of("--start-ts", "--end-ts", "--speedup", "--symbols", "--run-id", "--reset",
                "--db-url", "--db-user", "--db-password", "--kafka", "--prices-topic")) {
            assertTrue(r.out().contains(option), option + " in " + r.out());
        }
        assertTrue(r.out().replaceAll("\\s+", "").contains(kafka.bootstrapServers()), "env values shown as defaults");
        assertFalse(r.out().contains("s3cret"), r.out());
    }

    @Test
    void validationRunsBeforeAnythingElseSoNothingIsPublishedForAnyBadArgument() {
        // Belt and braces for the parameterized cases: a bad argument next to a valid run and topic.
        List<String> args = new ArrayList<>(List.of("--start-ts", START, "--end-ts", END, "--speedup", "0",
                "--run-id", replayRun.toString()));
        ReplayRunner.Result r = replay.run(args.toArray(String[]::new));
        assertEquals(2, r.exitCode());
        assertEquals(0, Fixtures.size(kafka, topic));
    }
}
