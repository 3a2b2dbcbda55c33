package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ops-cli kill-switch ...} against real files and a real PostgreSQL. */
class KillSwitchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOWN_URL = "jdbc:postgresql://127.0.0.1:1/quant";
    private static PostgresServer postgres;

    @TempDir
    Path tmp;

    /** Exists (as a deployment's folder would); a missing folder is refused unless engage is given --create-dir. */
    private Path folder;
    private CliRunner cli;

    @BeforeAll
    static void startDatabase() {
        postgres = PostgresServer.shared();
    }

    @BeforeEach
    void setUp() throws IOException {
        postgres.truncateAll();
        folder = Files.createDirectories(tmp.resolve("kill-switch"));
        cli = new CliRunner(Map.of("DATABASE_URL", postgres.jdbcUrl(), "DATABASE_USER", PostgresServer.USER,
                "KILL_SWITCH_DIR", folder.toString()));
    }

    @Test
    void globalEngageWritesCompleteJsonAtomically() throws Exception {
        Instant before = Instant.now().minusMillis(1);
        CliRunner.Result r = cli.run("kill-switch", "engage", "--reason", "exchange outage", "--created-by", "alice");
        Instant after = Instant.now();
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("engaged kill switch for all runs"), r.out());
        assertEquals(List.of("KILL_SWITCH"), names(folder), "no temporary file is left behind");

        JsonNode content = JSON.readTree(Files.readString(folder.resolve("KILL_SWITCH")));
        assertEquals(3, content.size(), content.toString());
        assertEquals("exchange outage", content.get("reason").textValue());
        assertEquals("alice", content.get("created_by").textValue());
        Instant createdAt = Instant.parse(content.get("created_at").textValue());
        assertTrue(!createdAt.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)) && !createdAt.isAfter(after),
                createdAt + " not in [" + before + ", " + after + "]");
        assertTrue(content.get("created_at").textValue().endsWith("Z"), "UTC");
    }

    @Test
    void createdByDefaultsToTheOsUser() throws Exception {
        assertEquals(0, cli.run("kill-switch", "engage", "--reason", "r").exitCode());
        JsonNode content = JSON.readTree(Files.readString(folder.resolve("KILL_SWITCH")));
        assertEquals(System.getProperty("user.name"), content.get("created_by").textValue());
    }

    @Test
    void engagingTwiceKeepsTheFirstFileUntouched() throws Exception {
        assertEquals(0, cli.run("kill-switch", "engage", "--reason", "first", "--created-by", "alice").exitCode());
        Path file = folder.resolve("KILL_SWITCH");
        byte[] bytes = Files.readAllBytes(file);
        FileTime modified = Files.getLastModifiedTime(file);
        Thread.sleep(20);

        CliRunner.Result again = cli.run("kill-switch", "engage", "--reason", "second", "--created-by", "bob");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("already engaged by alice since "), again.out());
        assertTrue(again.out().contains("first") && again.out().contains("left unchanged"), again.out());
        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertEquals(modified, Files.getLastModifiedTime(file), "the engagement time (mtime) is the job's key");
        assertEquals(List.of("KILL_SWITCH"), names(folder));
    }

    @Test
    void concurrentEngagesLeaveExactlyOneCompleteFile() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CliRunner.Result>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String who = "op" + i;
            Callable<CliRunner.Result> engage = () -> {
                start.await();
                return cli.run("kill-switch", "engage", "--reason", "race", "--created-by", who);
            };
            results.add(pool.submit(engage));
        }
        start.countDown();
        String winner = null;
        int created = 0;
        for (Future<CliRunner.Result> f : results) {
            CliRunner.Result r = f.get();
            assertEquals(0, r.exitCode(), r.err());
            if (r.out().startsWith("engaged")) {
                created++;
            } else {
                assertTrue(r.out().contains("already engaged"), r.out());
            }
        }
        pool.shutdown();
        assertEquals(1, created, "exactly one engage wrote the file");
        assertEquals(List.of("KILL_SWITCH"), names(folder));
        JsonNode content = JSON.readTree(Files.readString(folder.resolve("KILL_SWITCH")));
        assertTrue(content.get("created_by").textValue().startsWith("op"), content.toString());
    }

    @Test
    void perRunEngageStatusAcknowledgementAndRelease() throws Exception {
        String run = createRun();
        CliRunner.Result engaged = cli.run("kill-switch", "engage", "--run-id", run, "--reason", "bad fills", "--created-by", "carol");
        assertEquals(0, engaged.exitCode(), engaged.err());
        assertTrue(engaged.out().contains("engaged kill switch for run " + run), engaged.out());
        Path file = folder.resolve("KILL_SWITCH." + run);
        assertTrue(Files.exists(file));
        assertEquals(List.of("KILL_SWITCH." + run), names(folder));

        CliRunner.Result status = cli.run("kill-switch", "status");
        assertEquals(0, status.exitCode(), status.err());
        String row = line(status.out(), run);
        assertTrue(row.contains("carol") && row.contains("bad fills") && row.contains(" no "), status.out());

        // An ENGAGED row of an earlier engagement of the same scope does not acknowledge this file.
        Instant modified = Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis());
        insertEvent(modified.minusSeconds(60), UUID.fromString(run), "ENGAGED", "FILE");
        insertEvent(modified, null, "ENGAGED", "FILE"); // the global scope's, not this run's
        assertTrue(line(cli.run("kill-switch", "status").out(), run).contains(" no "));

        insertEvent(modified, UUID.fromString(run), "ENGAGED", "FILE");
        assertTrue(line(cli.run("kill-switch", "status").out(), run).contains(" yes "));
        JsonNode json = JSON.readTree(cli.run("kill-switch", "status", "--json").out());
        JsonNode entry = json.get("engaged").get(0);
        assertEquals(run, entry.get("scope").textValue());
        assertEquals(run, entry.get("strategy_run_id").textValue());
        assertEquals("bad fills", entry.get("reason").textValue());
        assertEquals("carol", entry.get("created_by").textValue());
        assertTrue(entry.get("acknowledged").booleanValue());
        assertEquals(modified.toString(), entry.get("file_modified_at").textValue());

        CliRunner.Result released = cli.run("kill-switch", "release", "--run-id", run);
        assertEquals(0, released.exitCode(), released.err());
        assertTrue(released.out().contains("released kill switch for run " + run), released.out());
        assertFalse(Files.exists(file));
        CliRunner.Result again = cli.run("kill-switch", "release", "--run-id", run);
        assertEquals(0, again.exitCode());
        assertTrue(again.out().contains("not engaged"), again.out());
        assertTrue(cli.run("kill-switch", "status").out().contains("no kill switch engaged"));
    }

    @Test
    void globalStatusAcknowledgementAndRelease() throws Exception {
        assertEquals(0, cli.run("kill-switch", "engage", "--reason", "stop all", "--created-by", "dave").exitCode());
        Path file = folder.resolve("KILL_SWITCH");
        String row = line(cli.run("kill-switch", "status").out(), "ALL");
        assertTrue(row.contains("dave") && row.contains("stop all") && row.contains(" no "), row);

        insertEvent(Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis()), null, "ENGAGED", "FILE");
        assertTrue(line(cli.run("kill-switch", "status").out(), "ALL").contains(" yes "));

        CliRunner.Result released = cli.run("kill-switch", "release");
        assertEquals(0, released.exitCode(), released.err());
        assertTrue(released.out().contains("released kill switch for all runs"), released.out());
        assertEquals(List.of(), names(folder));
        CliRunner.Result again = cli.run("kill-switch", "release");
        assertEquals(0, again.exitCode());
        assertTrue(again.out().contains("kill switch for all runs is not engaged"), again.out());
    }

    @Test
    void releasingOneScopeSaysWhatStillStopsTrading() throws Exception {
        String run = createRun();
        assertEquals(0, cli.run("kill-switch", "engage", "--reason", "all").exitCode());
        assertEquals(0, cli.run("kill-switch", "engage", "--run-id", run, "--reason", "one").exitCode());
        CliRunner.Result r = cli.run("kill-switch", "release", "--run-id", run);
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("still engaged: kill switch for all runs"), r.out());
        assertEquals(List.of("KILL_SWITCH"), names(folder));
    }

    @Test
    void unknownOrInvalidRunIdIsExit2AndWritesNothing() throws Exception {
        String unknown = UUID.randomUUID().toString();
        assertInvalid(cli.run("kill-switch", "engage", "--run-id", unknown, "--reason", "x"), "unknown run id " + unknown);
        assertInvalid(cli.run("kill-switch", "engage", "--run-id", "not-a-uuid", "--reason", "x"), "'not-a-uuid' is not a run id");
        assertInvalid(cli.run("kill-switch", "engage", "--run-id", "1-2-3-4-5", "--reason", "x"), "is not a run id");
        assertInvalid(cli.run("kill-switch", "engage", "--reason", " "), "--reason must not be blank");
        assertInvalid(cli.run("kill-switch", "engage"), "--reason");
        assertInvalid(cli.run("kill-switch", "release", "--run-id", "nope"), "'nope' is not a run id");
        assertInvalid(cli.run("kill-switch", "frobnicate"), "frobnicate");
        assertFalse(Files.exists(folder) && names(folder).size() > 0, "nothing written");
    }

    @Test
    void aMissingFolderIsRefusedUnlessEngageIsAskedToCreateIt() throws Exception {
        // KILL_SWITCH_DIR misspelt: the job watches another folder, so "engaged" would be a lie.
        Path misspelt = tmp.resolve("kill-swich");
        CliRunner wrong = cli.withEnv("KILL_SWITCH_DIR", misspelt.toString());
        String run = createRun();
        for (List<String> engage : List.of(List.of("kill-switch", "engage", "--reason", "stop"),
                List.of("kill-switch", "engage", "--run-id", run, "--reason", "stop"))) {
            CliRunner.Result r = wrong.run(engage.toArray(String[]::new));
            assertInvalid(r, "kill-switch folder " + misspelt + " does not exist");
            assertTrue(r.err().contains("--create-dir"), "the way out is named: " + r.err());
        }
        assertFalse(Files.exists(misspelt), "nothing created");

        CliRunner.Result release = wrong.run("kill-switch", "release");
        assertInvalid(release, "kill-switch folder " + misspelt + " does not exist");
        assertInvalid(wrong.run("kill-switch", "release", "--run-id", run), misspelt + " does not exist");
        assertInvalid(wrong.run("kill-switch", "status"), "kill-switch folder " + misspelt + " does not exist");
        assertInvalid(wrong.run("kill-switch", "status", "--json"), "kill-switch folder " + misspelt + " does not exist");
        assertFalse(Files.exists(misspelt), "nothing created");

        // A file where the folder should be is no folder either.
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertInvalid(cli.withEnv("KILL_SWITCH_DIR", file.toString()).run("kill-switch", "engage", "--reason", "x",
                "--create-dir"), file + " is not a folder");
        assertInvalid(cli.withEnv("KILL_SWITCH_DIR", file.toString()).run("kill-switch", "status"), file + " is not a folder");

        // Asked to: the folder (and its parents) are created, and the switch engaged.
        Path fresh = tmp.resolve("new/kill-switch");
        CliRunner created = cli.withEnv("KILL_SWITCH_DIR", fresh.toString());
        CliRunner.Result r = created.run("kill-switch", "engage", "--reason", "first", "--create-dir");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("created the kill-switch folder " + fresh), r.out());
        assertEquals(List.of("KILL_SWITCH"), names(fresh));
        // On an existing folder --create-dir changes nothing.
        CliRunner.Result again = created.run("kill-switch", "engage", "--run-id", run, "--reason", "x", "--create-dir");
        assertEquals(0, again.exitCode(), again.err());
        assertFalse(again.out().contains("created the kill-switch folder"), again.out());
        assertTrue(cli.run("kill-switch", "engage", "--help").out().contains("--create-dir"));
    }

    @Test
    void globalEngageWorksWhileTheDatabaseIsDown() throws Exception {
        CliRunner down = cli.withEnv("DATABASE_URL", DOWN_URL);
        CliRunner.Result r = down.run("kill-switch", "engage", "--reason", "db is down, stop everything");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.exists(folder.resolve("KILL_SWITCH")));

        CliRunner.Result status = down.run("kill-switch", "status");
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(line(status.out(), "ALL").contains(" unknown "), status.out());
        assertTrue(status.out().contains("acknowledgement unknown: cannot connect to database"), status.out());
        JsonNode json = JSON.readTree(down.run("kill-switch", "status", "--json").out());
        assertTrue(json.get("engaged").get(0).get("acknowledged").isNull());
        assertTrue(json.get("acknowledgement_error").textValue().contains("cannot connect"));

        // A run's switch needs the run checked: exit 1, nothing written, and the way out named.
        String run = UUID.randomUUID().toString();
        CliRunner.Result perRun = down.run("kill-switch", "engage", "--run-id", run, "--reason", "x");
        assertEquals(1, perRun.exitCode());
        assertEquals(1, perRun.err().strip().lines().count(), perRun.err());
        assertTrue(perRun.err().contains("nothing engaged") && perRun.err().contains("global switch needs no database"),
                perRun.err());
        assertFalse(Files.exists(folder.resolve("KILL_SWITCH." + run)));

        assertEquals(0, down.run("kill-switch", "release").exitCode(), "release needs no database either");
        assertFalse(Files.exists(folder.resolve("KILL_SWITCH")));

        // Nor does creating the folder.
        Path fresh = tmp.resolve("fresh");
        CliRunner.Result created = down.withEnv("KILL_SWITCH_DIR", fresh.toString())
                .run("kill-switch", "engage", "--reason", "x", "--create-dir");
        assertEquals(0, created.exitCode(), created.err());
        assertTrue(Files.exists(fresh.resolve("KILL_SWITCH")));
    }

    @Test
    void unreadableFilesAreEngagedAndOtherNamesIgnored() throws Exception {
        Files.createDirectories(folder);
        UUID run = UUID.randomUUID();
        Files.writeString(folder.resolve("KILL_SWITCH"), "");
        Files.writeString(folder.resolve("KILL_SWITCH." + run), "{not json");
        Files.writeString(folder.resolve(".KILL_SWITCH.half-written-zq.tmp"), "{\"reason\":\"half-writ");
        Files.writeString(folder.resolve("KILL_SWITCH.myrun"), "{}");
        Files.writeString(folder.resolve("README"), "x");

        CliRunner.Result status = cli.run("kill-switch", "status");
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(line(status.out(), "ALL").contains("(unreadable file)"), status.out());
        assertTrue(line(status.out(), run.toString()).contains("(unreadable file)"), status.out());
        // A name no temp folder or UUID can contain (digits could: the output prints the folder's path).
        assertFalse(status.out().contains("half-written-zq"), "dot files are temporary files, not switches");
        assertTrue(status.out().contains("ignored by the job: " + folder.resolve("KILL_SWITCH.myrun")), status.out());

        JsonNode json = JSON.readTree(cli.run("kill-switch", "status", "--json").out());
        assertEquals(2, json.get("engaged").size());
        assertEquals("ALL", json.get("engaged").get(0).get("scope").textValue());
        assertFalse(json.get("engaged").get(0).get("readable").booleanValue());
        assertNull(json.get("engaged").get(0).get("created_at").textValue());
        assertEquals("KILL_SWITCH.myrun", json.get("ignored_files").get(0).textValue());

        // An unreadable switch is still a switch: engaging again keeps it, releasing removes it.
        assertTrue(cli.run("kill-switch", "engage", "--reason", "x").out().contains("already engaged"));
        assertEquals("", Files.readString(folder.resolve("KILL_SWITCH")));
        assertEquals(0, cli.run("kill-switch", "release").exitCode());
        assertFalse(Files.exists(folder.resolve("KILL_SWITCH")));
    }

    @Test
    void textFromSwitchFilesIsShownWithControlCharactersEscaped() throws Exception {
        // Anyone who can write the folder writes these files: their text must not drive the terminal.
        Files.writeString(folder.resolve("KILL_SWITCH"),
                "{\"reason\":\"\\u001b[2Jwiped\",\"created_by\":\"eve\\u009b31m\"}");
        Files.writeString(folder.resolve("KILL_SWITCH.\u001b[8mhidden"), "");
        String visible = "\\u001b[2Jwiped";
        for (List<String> command : List.of(List.of("kill-switch", "status"), List.of("kill-switch", "engage", "--reason", "x"),
                List.of("kill-switch", "status", "--json"))) {
            CliRunner.Result r = cli.run(command.toArray(String[]::new));
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            RunsCommandTest.assertNoControlCharacters(r.out());
            assertTrue(r.out().contains(command.contains("--json") ? "\\u001B[2Jwiped" : visible), command + ": " + r.out());
        }
        assertTrue(cli.run("kill-switch", "status").out().contains("KILL_SWITCH.\\u001b[8mhidden"));
        JsonNode json = JSON.readTree(cli.run("kill-switch", "status", "--json").out());
        assertEquals("eve\u009b31m", json.get("engaged").get(0).get("created_by").textValue());
        CliRunner.Result released = cli.run("kill-switch", "release");
        assertEquals(0, released.exitCode(), released.err());
        RunsCommandTest.assertNoControlCharacters(released.out());
        assertTrue(released.out().contains("eve\\u009b31m"), released.out());
    }

    @Test
    void sinceComesFromTheFileAndFallsBackToItsModificationTime() throws Exception {
        Files.createDirectories(folder);
        Path file = folder.resolve("KILL_SWITCH");
        Files.writeString(file, "{\"reason\":\"hand made\"}");
        Instant modified = Instant.parse("2024-06-01T12:00:00.123Z");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        String row = line(cli.run("kill-switch", "status").out(), "ALL");
        assertTrue(row.contains(modified.toString()) && row.contains("hand made") && row.contains(" - "), row);
    }

    @Test
    void everyKillSwitchCommandHasHelp() {
        for (List<String> command : List.of(List.of("kill-switch"), List.of("kill-switch", "engage"),
                List.of("kill-switch", "release"), List.of("kill-switch", "status"))) {
            String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
            CliRunner.Result r = cli.withEnv("DATABASE_PASSWORD", "s3cret-pw").run(args);
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
            assertFalse(r.out().contains("s3cret-pw"));
        }
        assertTrue(cli.run("kill-switch", "engage", "--help").out().contains(folder.toString()),
                "--kill-switch-dir shows the KILL_SWITCH_DIR value");
    }

    @Test
    void optionBeatsTheEnvironmentForTheFolder() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        assertEquals(0, cli.run("kill-switch", "engage", "--reason", "x", "--kill-switch-dir", other.toString()).exitCode());
        assertTrue(Files.exists(other.resolve("KILL_SWITCH")));
        assertFalse(Files.exists(folder.resolve("KILL_SWITCH")));
    }

    private String createRun() throws IOException {
        Path params = Files.writeString(tmp.resolve("p.json"), "{\"sma_fast_window\": 5, \"sma_slow_window\": 20}");
        CliRunner.Result r = cli.run("runs", "create", "sma_cross", "--param-file", params.toString(),
                "--run-type", "PAPER", "--created-by", "alice");
        assertEquals(0, r.exitCode(), r.err());
        return r.outLine();
    }

    private static void insertEvent(Instant at, UUID run, String action, String source) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO kill_switch_events (event_time, strategy_run_id, action, source, reason) VALUES (?, ?, ?, ?, 'test')")) {
            insert.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setObject(2, run);
            insert.setString(3, action);
            insert.setString(4, source);
            insert.executeUpdate();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String line(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + containing + "' in:\n" + text)) + " ";
    }

    private static void assertInvalid(CliRunner.Result r, String expected) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }
}
