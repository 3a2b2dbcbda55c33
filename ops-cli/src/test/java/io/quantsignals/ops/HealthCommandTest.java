package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ops-cli health} against a real PostgreSQL, a real kill-switch folder, and a stub of the
 * Flink REST API (a JDK HTTP server answering the documented JSON of Flink 2.x
 * {@code /jobs/overview} and {@code /jobs/:jobid/checkpoints}).
 */
class HealthCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB_ID = "8a4f0a7b3c2d1e0f9a8b7c6d5e4f3a2b";
    private static final String OTHER_JOB_ID = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
    private static PostgresServer postgres;

    @TempDir
    Path tmp;

    private Path killSwitchDir;
    private FakeFlink flink;
    private CliRunner cli;

    @BeforeAll
    static void startDatabase() {
        postgres = PostgresServer.shared();
    }

    @BeforeEach
    void setUp() throws IOException {
        postgres.truncateAll();
        killSwitchDir = Files.createDirectories(tmp.resolve("kill-switch"));
        flink = new FakeFlink();
        cli = new CliRunner(Map.of("DATABASE_URL", postgres.jdbcUrl(), "DATABASE_USER", PostgresServer.USER,
                "KILL_SWITCH_DIR", killSwitchDir.toString()));
    }

    @AfterEach
    void stopFlink() {
        flink.close();
    }

    // ------------------------------------------------------------------ OK

    @Test
    void healthySystemIsOk() throws Exception {
        String run = createRun("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"max_drawdown\": 0.2}", "PAPER");
        insertTick("BTCUSD", Instant.now().minusSeconds(2), "kafka:prices");
        insertTick("ETHUSD", Instant.now().minusSeconds(5), "kafka:prices");
        insertMetric(run, "BTCUSD", Instant.now().minusSeconds(70), -0.01);
        flink.runningJob(Instant.now().minusSeconds(3600), Instant.now().minusSeconds(20));

        CliRunner.Result r = health();
        assertEquals(0, r.exitCode(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("HEALTH OK - "), lines.get(0));
        assertTrue(lines.get(0).matches("HEALTH OK - \\d+ checks: 0 critical, 0 warning, 0 unknown, \\d+ ok"), lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.startsWith("OK "), line);
        }
        for (String check : List.of("database", "ticks", "metrics", "drawdown", "rejected-ticks", "kill-switch",
                "flink-job", "checkpoints")) {
            assertTrue(r.out().contains("OK " + check + ": "), check + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("RUNNING"), r.out());
        assertEquals("", r.err());
    }

    // ------------------------------------------------------------------ ticks

    @Test
    void staleTicksAreWarning() throws Exception {
        insertTick("BTCUSD", Instant.now().minus(Duration.ofMinutes(5)), "kafka:prices");
        insertTick("ETHUSD", Instant.now(), "kafka:prices");

        CliRunner.Result r = health("--flink-url", "none");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.out().startsWith("HEALTH WARNING - "), r.out());
        assertTrue(r.out().contains("WARNING ticks: BTCUSD: newest tick is 5m"), r.out());
        assertFalse(r.out().contains("ETHUSD"), "fresh symbols are not listed as problems");

        assertEquals(0, health("--flink-url", "none", "--max-tick-age", "10m").exitCode(), "within a longer limit");
    }

    @Test
    void noTicksIsWarningAndImportedHistoryIsNotJudged() throws Exception {
        CliRunner.Result empty = health("--flink-url", "none");
        assertEquals(1, empty.exitCode(), empty.out());
        assertTrue(empty.out().contains("WARNING ticks: no ticks"), empty.out());

        insertTick("BTCUSD", Instant.parse("2013-11-25T00:00:00Z"), "import:btc.csv");
        CliRunner.Result imported = health("--flink-url", "none");
        assertEquals(1, imported.exitCode(), imported.out());
        assertTrue(imported.out().contains("no ticks from the live feed (1 symbol with imported history only)"), imported.out());

        insertTick("BTCUSD", Instant.now(), "kafka:prices");
        assertEquals(0, health("--flink-url", "none").exitCode());
    }

    // ------------------------------------------------------------------ database

    @Test
    void unreachableDatabaseIsCriticalAndBeatsUnknown() {
        CliRunner down = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant?password=hunter2")
                .withEnv("DATABASE_PASSWORD", "s3cret");
        CliRunner.Result r = down.run("health", "--flink-url", "none");
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.out().startsWith("HEALTH CRITICAL - "), r.out());
        assertTrue(r.out().contains("CRITICAL database: cannot connect to database jdbc:postgresql://127.0.0.1:1/quant"), r.out());
        assertFalse(r.out().contains("hunter2") || r.out().contains("s3cret"), r.out());

        // The Flink REST API unreachable too (UNKNOWN): CRITICAL still wins.
        CliRunner.Result both = down.run("health", "--flink-url", "http://127.0.0.1:" + freePort());
        assertEquals(2, both.exitCode(), both.out());
        assertTrue(both.out().contains("UNKNOWN flink-job: "), both.out());
    }

    // ------------------------------------------------------------------ runs

    @Test
    void drawdownBeyondTheLimitIsCriticalAndNearItWarning() throws Exception {
        freshTick();
        String run = createRun("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"max_drawdown\": 0.1}", "LIVE");
        Instant now = Instant.now();
        // Only the latest row per symbol counts: BTCUSD recovered from -20% to -5%.
        insertMetric(run, "BTCUSD", now.minusSeconds(240), -0.20);
        insertMetric(run, "BTCUSD", now.minusSeconds(60), -0.05);
        insertMetric(run, "ETHUSD", now.minusSeconds(60), -0.12);

        CliRunner.Result beyond = health("--flink-url", "none");
        assertEquals(2, beyond.exitCode(), beyond.out());
        assertTrue(beyond.out().contains("CRITICAL drawdown: run " + run + ": drawdown beyond max_drawdown 10% on ETHUSD 12%"),
                beyond.out());
        assertFalse(beyond.out().contains("BTCUSD 20%"), beyond.out());

        insertMetric(run, "ETHUSD", now.minusSeconds(30), -0.085);
        CliRunner.Result near = health("--flink-url", "none");
        assertEquals(1, near.exitCode(), near.out());
        assertTrue(near.out().contains("WARNING drawdown: run " + run + ": drawdown within 80% of max_drawdown 10% on ETHUSD 8.50%"),
                near.out());

        insertMetric(run, "ETHUSD", now.minusSeconds(10), -0.02);
        CliRunner.Result fine = health("--flink-url", "none");
        assertEquals(0, fine.exitCode(), fine.out());
        assertTrue(fine.out().contains("OK drawdown: run " + run + ": worst drawdown 5% (BTCUSD), max_drawdown 10%"), fine.out());
    }

    @Test
    void staleOrMissingMetricRowsAreWarning() throws Exception {
        freshTick();
        String run = createRun("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"bar_interval_seconds\": 60}", "PAPER");
        CliRunner.Result fresh = health("--flink-url", "none");
        assertEquals(0, fresh.exitCode(), fresh.out());
        assertTrue(fresh.out().contains("no metric rows yet (created"), fresh.out());

        // Allowed age: 2 x 60s + 60s = 3m.
        insertMetric(run, "BTCUSD", Instant.now().minusSeconds(240), 0);
        CliRunner.Result stale = health("--flink-url", "none");
        assertEquals(1, stale.exitCode(), stale.out());
        assertTrue(stale.out().contains("WARNING metrics: run " + run + " (PAPER): newest metric row is 4m"), stale.out());
        assertEquals(0, health("--flink-url", "none", "--max-tick-age", "2m").exitCode(), "2 x 2m + 60s = 5m allows it");

        // REPLAY runs and ended runs are not monitored.
        String replay = createRun("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "REPLAY");
        insertMetric(replay, "BTCUSD", Instant.parse("2013-11-25T00:00:00Z"), -0.9);
        assertEquals(0, cli.run("runs", "update", run, "--end").exitCode());
        CliRunner.Result none = health("--flink-url", "none");
        assertEquals(0, none.exitCode(), none.out());
        assertTrue(none.out().contains("OK metrics: no active LIVE or PAPER run"), none.out());
    }

    @Test
    void riskHaltSinceTheLastParamsChangeIsWarning() throws Exception {
        freshTick();
        String run = createRun("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"max_drawdown\": 0.5}", "LIVE");
        insertMetric(run, "BTCUSD", Instant.now().minusSeconds(30), -0.01);
        Thread.sleep(5);
        insertEvent(Instant.now(), UUID.fromString(run), "ENGAGED", "RISK_LIMIT",
                "drawdown -0.52 breached max_drawdown 0.5 on BTCUSD");
        CliRunner.Result halted = health("--flink-url", "none");
        assertEquals(1, halted.exitCode(), halted.out());
        assertTrue(halted.out().contains("WARNING risk-halt: run " + run + ": halted by its risk limit"), halted.out());
        assertTrue(halted.out().contains("breached max_drawdown 0.5 on BTCUSD"), halted.out());

        Thread.sleep(5);
        Path params = Files.writeString(tmp.resolve("new.json"),
                "{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"max_drawdown\": 0.6}");
        assertEquals(0, cli.run("runs", "update", run, "--param-file", params.toString()).exitCode());
        CliRunner.Result lifted = health("--flink-url", "none");
        assertEquals(0, lifted.exitCode(), "an update lifts the halt:\n" + lifted.out());
    }

    // ------------------------------------------------------------------ kill switches

    @Test
    void killSwitchNotAcknowledgedAfter5sIsCriticalAndAcknowledgedIsWarning() throws Exception {
        freshTick();
        Path file = killSwitchDir.resolve("KILL_SWITCH");
        Files.writeString(file, "{\"reason\":\"maintenance\",\"created_by\":\"alice\",\"created_at\":\"2024-06-01T12:00:00Z\"}");

        CliRunner.Result waiting = health("--flink-url", "none");
        assertEquals(1, waiting.exitCode(), "just written: the job has a moment to see it\n" + waiting.out());
        assertTrue(waiting.out().contains("waiting for the job to acknowledge it"), waiting.out());

        Instant modified = Instant.now().minusSeconds(10).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        CliRunner.Result unacknowledged = health("--flink-url", "none");
        assertEquals(2, unacknowledged.exitCode(), unacknowledged.out());
        assertTrue(unacknowledged.out().contains("CRITICAL kill-switch: kill switch for all runs engaged since"
                + " 2024-06-01T12:00:00Z by alice (reason: maintenance) NOT acknowledged by the job after 10s"), unacknowledged.out());

        insertEvent(modified, null, "ENGAGED", "FILE", "maintenance (by alice)");
        CliRunner.Result acknowledged = health("--flink-url", "none");
        assertEquals(1, acknowledged.exitCode(), acknowledged.out());
        assertTrue(acknowledged.out().contains("WARNING kill-switch: trading stopped by kill switch for all runs"), acknowledged.out());

        // A run's switch is acknowledged by its own row only.
        UUID run = UUID.randomUUID();
        Path runFile = killSwitchDir.resolve("KILL_SWITCH." + run);
        Files.writeString(runFile, "");
        Files.setLastModifiedTime(runFile, FileTime.from(modified));
        CliRunner.Result perRun = health("--flink-url", "none");
        assertEquals(2, perRun.exitCode(), perRun.out());
        assertTrue(perRun.out().contains("kill switch for run " + run + " engaged since " + modified
                + " by - (reason: (unreadable file)) NOT acknowledged"), perRun.out());
    }

    @Test
    void textFromFilesAndRowsIsShownWithControlCharactersEscaped() throws Exception {
        freshTick();
        Files.writeString(killSwitchDir.resolve("KILL_SWITCH"),
                "{\"reason\":\"\\u001b]0;all fine\\u0007\",\"created_by\":\"eve\\u009b2J\"}");
        for (CliRunner.Result r : List.of(health("--flink-url", "none"), health("--flink-url", "none", "--json"))) {
            assertEquals(1, r.exitCode(), r.out());
            RunsCommandTest.assertNoControlCharacters(r.out());
        }
        assertTrue(health("--flink-url", "none").out().contains("by eve\\u009b2J (reason: \\u001b]0;all fine\\u0007)"));
    }

    // ------------------------------------------------------------------ Flink

    @Test
    void flinkRestUnreachableIsUnknownAndNoneSkipsIt() throws Exception {
        freshTick();
        CliRunner.Result r = health("--flink-url", "http://127.0.0.1:" + freePort());
        assertEquals(3, r.exitCode(), r.out());
        assertTrue(r.out().startsWith("HEALTH UNKNOWN - "), r.out());
        assertTrue(r.out().contains("UNKNOWN flink-job: cannot ask the Flink REST API: GET http://127.0.0.1:"), r.out());

        CliRunner.Result skipped = health("--flink-url", "none");
        assertEquals(0, skipped.exitCode(), skipped.out());
        assertFalse(skipped.out().contains("flink"), skipped.out());

        flink.respond("/jobs/overview", 500, "{\"errors\":[\"Internal server error.\"]}");
        CliRunner.Result error = health();
        assertEquals(3, error.exitCode(), error.out());
        assertTrue(error.out().contains("HTTP 500 Internal server error."), error.out());

        flink.respond("/jobs/overview", 200, "<html>not flink</html>");
        assertEquals(3, health().exitCode());
    }

    @Test
    void flinkUrlComesFromTheEnvironmentAndTheOptionBeatsIt() throws Exception {
        freshTick();
        flink.runningJob(Instant.now().minusSeconds(3600), Instant.now().minusSeconds(20));
        CliRunner fromEnv = cli.withEnv("FLINK_URL", flink.url());
        CliRunner.Result r = fromEnv.run("health");
        assertEquals(0, r.exitCode(), r.out());
        assertTrue(r.out().contains("OK flink-job: ") && r.out().contains("RUNNING"), r.out());

        String unreachable = "http://127.0.0.1:" + freePort();
        CliRunner.Result option = fromEnv.run("health", "--flink-url", unreachable);
        assertEquals(3, option.exitCode(), option.out());
        assertTrue(option.out().contains("UNKNOWN flink-job: cannot ask the Flink REST API: GET " + unreachable), option.out());

        CliRunner.Result skipped = cli.withEnv("FLINK_URL", "none").run("health");
        assertEquals(0, skipped.exitCode(), skipped.out());
        assertFalse(skipped.out().contains("flink"), skipped.out());

        CliRunner.Result help = fromEnv.run("health", "--help");
        // The help's columns may wrap the URL: compare without line breaks and indentation.
        String flat = help.out().replaceAll("\\s+", "");
        assertTrue(flat.contains("envFLINK_URL;default" + flink.url()), help.out());
    }

    @Test
    void flinkJobNotProcessingIsCriticalAndStartingUpIsWarning() throws Exception {
        freshTick();
        flink.respond("/jobs/overview", 200, overview("FAILED", "quant-signals", Instant.now().minusSeconds(600)));
        CliRunner.Result failed = health();
        assertEquals(2, failed.exitCode(), failed.out());
        assertTrue(failed.out().contains("CRITICAL flink-job: job 'quant-signals' (" + JOB_ID + ") is FAILED, not RUNNING"),
                failed.out());

        // A job restarting (in a loop or not) processes no ticks: as bad as a failed one.
        for (String state : List.of("RESTARTING", "FAILING", "CANCELLING", "CANCELED", "SUSPENDED", "FINISHED")) {
            flink.respond("/jobs/overview", 200, overview(state, "quant-signals", Instant.now().minusSeconds(600)));
            CliRunner.Result r = health();
            assertEquals(2, r.exitCode(), state + ": " + r.out());
            assertTrue(r.out().contains("CRITICAL flink-job: job 'quant-signals' (" + JOB_ID + ") is " + state
                    + ", not RUNNING"), r.out());
        }
        // Starting up: passed within seconds of a submission.
        for (String state : List.of("INITIALIZING", "CREATED", "RECONCILING")) {
            flink.respond("/jobs/overview", 200, overview(state, "quant-signals", Instant.now().minusSeconds(2)));
            CliRunner.Result r = health();
            assertEquals(1, r.exitCode(), state + ": " + r.out());
            assertTrue(r.out().contains("WARNING flink-job: job 'quant-signals' (" + JOB_ID + ") is " + state
                    + ", not RUNNING yet"), r.out());
        }

        flink.respond("/jobs/overview", 200, overview("RUNNING", "some-other-job", Instant.now().minusSeconds(600)));
        CliRunner.Result other = health();
        assertEquals(2, other.exitCode(), other.out());
        assertTrue(other.out().contains("CRITICAL flink-job: no quant-signals job on http://127.0.0.1:"), other.out());

        flink.respond("/jobs/overview", 200, "{\"jobs\":[]}");
        assertEquals(2, health().exitCode());
    }

    @Test
    void aRestartingJobNextToARunningOneIsCriticalAndAnOldFailedOneIsNot() throws Exception {
        freshTick();
        flink.runningJob(Instant.now().minusSeconds(3600), Instant.now().minusSeconds(20));
        String perRun = "quant-signals run " + UUID.randomUUID();
        flink.respond("/jobs/overview", 200, overview(
                job(JOB_ID, "RUNNING", "quant-signals", Instant.now().minusSeconds(3600)),
                job(OTHER_JOB_ID, "RESTARTING", perRun, Instant.now().minusSeconds(600))));
        flink.respond("/jobs/" + OTHER_JOB_ID + "/exceptions", 200, exceptions(Instant.now().minusSeconds(3)));
        CliRunner.Result r = health();
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.out().contains("CRITICAL flink-job: job '" + perRun + "' (" + OTHER_JOB_ID + ") is RESTARTING,"
                + " not RUNNING"), r.out());
        assertTrue(r.out().contains("java.lang.IllegalStateException: sink down"), "the latest failure is named: " + r.out());
        assertTrue(r.out().contains("OK flink-job: job 'quant-signals' (" + JOB_ID + ") RUNNING"), r.out());

        // A finished attempt of a job that is running again is history, not a problem.
        flink.respond("/jobs/overview", 200, overview(
                job(JOB_ID, "RUNNING", "quant-signals", Instant.now().minusSeconds(3600)),
                job(OTHER_JOB_ID, "FAILED", "quant-signals", Instant.now().minusSeconds(7200))));
        CliRunner.Result history = health();
        assertEquals(0, history.exitCode(), history.out());
    }

    @Test
    void aRunningJobThatKeepsFailingAndRestartingIsWarning() throws Exception {
        freshTick();
        flink.runningJob(Instant.now().minusSeconds(3600), Instant.now().minusSeconds(20));
        String path = "/jobs/" + JOB_ID + "/exceptions";
        Instant now = Instant.now();

        // One failure long ago, one recent: recovered, nothing to report.
        flink.respond(path, 200, exceptions(now.minusSeconds(60), now.minus(Duration.ofHours(2))));
        CliRunner.Result once = health();
        assertEquals(0, once.exitCode(), once.out());

        flink.respond(path, 200, exceptions(now.minusSeconds(30), now.minusSeconds(200), now.minusSeconds(400)));
        CliRunner.Result looping = health();
        assertEquals(1, looping.exitCode(), looping.out());
        assertTrue(looping.out().contains("WARNING flink-job: job 'quant-signals' (" + JOB_ID + ") RUNNING for 1h00m"
                + " but failed and restarted 3 times in the last 15m"), looping.out());
        assertTrue(looping.out().contains("java.lang.IllegalStateException: sink down"), looping.out());

        // A REST API without the exception history (older Flink, or refused): the check stays as it was.
        flink.respond(path, 404, "{\"errors\":[\"Not found\"]}");
        assertEquals(0, health().exitCode());
    }

    @Test
    void theSummaryLeadsWithTheWorstFindingAndFindingsAreWorstFirst() throws Exception {
        insertTick("BTCUSD", Instant.now().minus(Duration.ofMinutes(5)), "kafka:prices"); // WARNING ticks
        flink.respond("/jobs/overview", 200, overview("RESTARTING", "quant-signals", Instant.now().minusSeconds(600)));

        CliRunner.Result r = health();
        assertEquals(2, r.exitCode(), r.out());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("HEALTH CRITICAL - flink-job: job 'quant-signals' (" + JOB_ID
                + ") is RESTARTING, not RUNNING"), lines.get(0));
        assertTrue(lines.get(0).matches(".*\\(\\d+ checks: 1 critical, 1 warning, 0 unknown, \\d+ ok\\)$"), lines.get(0));
        assertEquals(List.of("CRITICAL", "WARNING"), lines.subList(1, 3).stream().map(l -> l.split(" ")[0]).toList(),
                r.out());
        for (String line : lines.subList(3, lines.size())) {
            assertTrue(line.startsWith("OK "), "OK findings last: " + r.out());
        }

        JsonNode json = JSON.readTree(health("--json").out());
        assertEquals("CRITICAL", json.get("status").textValue());
        assertEquals(lines.get(0), json.get("summary").textValue());
        List<String> statuses = new java.util.ArrayList<>();
        json.get("findings").forEach(f -> statuses.add(f.get("status").textValue()));
        assertEquals("CRITICAL", statuses.get(0), json.toString());
        assertEquals("WARNING", statuses.get(1), json.toString());
        assertTrue(statuses.subList(2, statuses.size()).stream().allMatch("OK"::equals), json.toString());
    }

    @Test
    void staleOrMissingCheckpointIsWarning() throws Exception {
        freshTick();
        flink.runningJob(Instant.now().minusSeconds(3600), Instant.now().minus(Duration.ofMinutes(10)));
        CliRunner.Result stale = health();
        assertEquals(1, stale.exitCode(), stale.out());
        assertTrue(stale.out().contains("WARNING checkpoints: job 'quant-signals' (" + JOB_ID
                + "): latest completed checkpoint #42 is 10m"), stale.out());
        assertEquals(0, health("--max-checkpoint-age", "15m").exitCode());

        // No checkpoint completed yet: fine for a job younger than the limit, a warning after it.
        flink.respond("/jobs/" + JOB_ID + "/checkpoints", 200, checkpoints(null));
        flink.respond("/jobs/overview", 200, overview("RUNNING", "quant-signals", Instant.now().minusSeconds(30)));
        assertEquals(0, health().exitCode());
        flink.respond("/jobs/overview", 200, overview("RUNNING", "quant-signals", Instant.now().minusSeconds(3600)));
        CliRunner.Result never = health();
        assertEquals(1, never.exitCode(), never.out());
        assertTrue(never.out().contains("no completed checkpoint in the 1h00m since it started"), never.out());

        // Flink's answer for a job without checkpointing.
        flink.respond("/jobs/" + JOB_ID + "/checkpoints", 404, "{\"errors\":[\"Checkpointing has not been enabled.\"]}");
        CliRunner.Result disabled = health();
        assertEquals(1, disabled.exitCode(), disabled.out());
        assertTrue(disabled.out().contains("Checkpointing has not been enabled."), disabled.out());
    }

    // ------------------------------------------------------------------ rejected ticks

    @Test
    void rejectedTickRateThresholds() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 95; i++) {
            insertTick("BTCUSD", now.minusMillis(i * 1000L), "kafka:prices");
        }
        insertTick("ETHUSD", now.minus(Duration.ofHours(2)), "import:eth.csv"); // outside the window, and imported
        insertRejected(3, now.minus(Duration.ofHours(1))); // outside the window
        insertRejected(5, now);                              // 5 / 100 = 5%: not above 5%

        CliRunner.Result ok = health("--flink-url", "none");
        assertEquals(0, ok.exitCode(), ok.out());
        assertTrue(ok.out().contains("OK rejected-ticks: 5.0% of ticks rejected in the last 15m (5 rejected, 95 stored)"), ok.out());

        insertRejected(2, now.minusSeconds(1)); // 7 / 102
        CliRunner.Result warning = health("--flink-url", "none");
        assertEquals(1, warning.exitCode(), warning.out());
        assertTrue(warning.out().contains("WARNING rejected-ticks: 6.9% of ticks rejected"), warning.out());

        insertRejected(100, now.minusSeconds(2)); // 107 / 202
        CliRunner.Result critical = health("--flink-url", "none");
        assertEquals(2, critical.exitCode(), critical.out());
        assertTrue(critical.out().contains("CRITICAL rejected-ticks: 53.0% of ticks rejected"), critical.out());
    }

    // ------------------------------------------------------------------ output and usage

    @Test
    void jsonHasTheSameStatusAndExitCode() throws Exception {
        insertTick("BTCUSD", Instant.now().minus(Duration.ofMinutes(5)), "kafka:prices");
        CliRunner.Result r = health("--flink-url", "none", "--json");
        assertEquals(1, r.exitCode(), r.out());
        JsonNode root = JSON.readTree(r.out());
        assertEquals("WARNING", root.get("status").textValue());
        assertTrue(root.get("findings").isArray() && root.get("findings").size() >= 4, r.out());
        boolean staleTick = false;
        for (JsonNode finding : root.get("findings")) {
            assertEquals(3, finding.size(), finding.toString());
            assertTrue(List.of("OK", "WARNING", "CRITICAL", "UNKNOWN").contains(finding.get("status").textValue()));
            assertFalse(finding.get("check").textValue().isBlank());
            staleTick |= finding.get("check").textValue().equals("ticks") && finding.get("status").textValue().equals("WARNING")
                    && finding.get("message").textValue().startsWith("BTCUSD: newest tick is 5m");
        }
        assertTrue(staleTick, r.out());
    }

    @Test
    void invalidUsageIsUnknownExit3WithOneLine() {
        for (List<String> args : List.of(List.of("--max-tick-age", "5x"), List.of("--max-tick-age", "0s"),
                List.of("--max-tick-age", "-5s"), List.of("--max-checkpoint-age", "soon"), List.of("--bogus"),
                List.of("--flink-url", "ftp://host"), List.of("--flink-url", "not a url"), List.of("extra-argument"),
                List.of("--max-tick-age"))) {
            String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("health"), args.stream())
                    .toArray(String[]::new);
            CliRunner.Result r = cli.run(argv);
            assertEquals(3, r.exitCode(), args + ": " + r.out() + r.err());
            assertEquals(1, r.out().strip().lines().count(), args + ": " + r.out());
            assertTrue(r.out().startsWith("HEALTH UNKNOWN - invalid usage: "), args + ": " + r.out());
            assertEquals("", r.err(), args.toString());
        }
        CliRunner.Result json = cli.run("health", "--json", "--max-tick-age", "5x");
        assertEquals(3, json.exitCode());
        assertEquals(1, json.out().strip().lines().count(), json.out());
        assertTrue(json.out().contains("\"status\":\"UNKNOWN\""), json.out());

        for (List<String> typo : List.of(List.of("--db-pasword=hunter2"), List.of("--db-pssword", "hunter2"))) {
            CliRunner.Result r = cli.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("health"), typo.stream())
                    .toArray(String[]::new));
            assertEquals(3, r.exitCode());
            assertTrue(!r.out().contains("hunter2") && !r.err().contains("hunter2"), "password not echoed: " + r.out());
            assertTrue(r.out().startsWith("HEALTH UNKNOWN - invalid usage: Unknown option: '" + typo.get(0).split("=")[0]
                    + "' "), r.out());
        }

        // Only health: every other command keeps exit 2 for invalid usage.
        assertEquals(2, cli.run("runs", "list", "--bogus").exitCode());
        assertEquals(2, cli.run("kill-switch", "status", "--bogus").exitCode());
    }

    @Test
    void durationsInEveryUnitAreAccepted() throws Exception {
        insertTick("BTCUSD", Instant.now(), "kafka:prices");
        for (String d : List.of("500ms", "60s", "5m", "1h", "1d", "90S")) {
            CliRunner.Result r = health("--flink-url", "none", "--max-tick-age", "1d", "--max-checkpoint-age", d);
            assertEquals(0, r.exitCode(), d + ": " + r.out());
        }
        CliRunner.Result tight = health("--flink-url", "none", "--max-tick-age", "1ms");
        assertTrue(tight.out().contains("max 1ms)"), tight.out());
    }

    @Test
    void helpShowsTheDefaultsAndNoPassword() {
        CliRunner.Result r = cli.withEnv("DATABASE_PASSWORD", "s3cret-pw").run("health", "--help");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("--max-tick-age") && r.out().contains("60s") && r.out().contains("http://localhost:8081"),
                r.out());
        assertTrue(r.out().contains("--kill-switch-dir"), r.out());
        assertFalse(r.out().contains("s3cret-pw"));
    }

    // ------------------------------------------------------------------ helpers

    /** {@code health} against the stub Flink unless the arguments name another --flink-url. */
    private CliRunner.Result health(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("health"));
        if (!List.of(args).contains("--flink-url")) {
            argv.addAll(List.of("--flink-url", flink.url()));
        }
        argv.addAll(List.of(args));
        return cli.run(argv.toArray(String[]::new));
    }

    private String createRun(String params, String runType) throws IOException {
        Path file = Files.writeString(tmp.resolve(UUID.randomUUID() + ".json"), params);
        CliRunner.Result r = cli.run("runs", "create", "sma_cross", "--param-file", file.toString(),
                "--run-type", runType, "--created-by", "alice");
        assertEquals(0, r.exitCode(), r.err());
        return r.outLine();
    }

    private static void freshTick() throws SQLException {
        insertTick("BTCUSD", Instant.now(), "kafka:prices");
    }

    private static void insertTick(String symbol, Instant at, String source) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO price_ticks (event_time, symbol, price, volume, source) VALUES (?, ?, 100.0, NULL, ?)")) {
            insert.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setString(2, symbol);
            insert.setString(3, source);
            insert.executeUpdate();
        }
    }

    private static void insertMetric(String run, String symbol, Instant at, double drawdown) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, sma_fast, sma_slow, position,"
                        + " gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)"
                        + " VALUES (?, ?, ?, 100.0, NULL, NULL, 0, 0, 0, 0, 0, 0, ?)")) {
            insert.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setObject(2, UUID.fromString(run));
            insert.setString(3, symbol);
            insert.setDouble(4, drawdown);
            insert.executeUpdate();
        }
    }

    private static void insertEvent(Instant at, UUID run, String action, String source, String reason) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO kill_switch_events (event_time, strategy_run_id, action, source, reason) VALUES (?, ?, ?, ?, ?)")) {
            insert.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.setObject(2, run);
            insert.setString(3, action);
            insert.setString(4, source);
            insert.setString(5, reason);
            insert.executeUpdate();
        }
    }

    private static void insertRejected(int n, Instant at) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO rejected_ticks (received_at, source, payload, reason) VALUES (?, ?, 'garbage', 'MALFORMED_JSON')")) {
            for (int i = 0; i < n; i++) {
                insert.setObject(1, OffsetDateTime.ofInstant(at.minusMillis(i), ZoneOffset.UTC));
                insert.setString(2, "kafka:prices/0@" + UUID.randomUUID());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flink 2.x {@code GET /jobs/overview} (MultipleJobsDetails of JobDetails) with one job. */
    private static String overview(String state, String name, Instant started) {
        return overview(job(JOB_ID, state, name, started));
    }

    private static String overview(String... jobs) {
        return "{\"jobs\":[" + String.join(",", jobs) + "]}";
    }

    /** One JobDetails of {@code /jobs/overview}. */
    private static String job(String jid, String state, String name, Instant started) {
        long start = started.toEpochMilli();
        long now = System.currentTimeMillis();
        return """
                {"jid":"%s","name":"%s","start-time":%d,"end-time":-1,"duration":%d,"state":"%s",\
                "last-modification":%d,"tasks":{"running":4,"canceling":0,"canceled":0,"total":4,"created":0,\
                "scheduled":0,"deploying":0,"reconciling":0,"finished":0,"initializing":0,"failed":0},\
                "pending-operators":0}""".formatted(jid, name, start, now - start, state, now);
    }

    /**
     * Flink 2.x {@code GET /jobs/:jobid/exceptions} (JobExceptionsInfoWithHistory): one entry per
     * failure that made the job restart, newest first.
     */
    private static String exceptions(Instant... failures) {
        List<String> entries = new java.util.ArrayList<>();
        for (Instant at : failures) {
            entries.add("""
                    {"exceptionName":"java.lang.IllegalStateException","stacktrace":"java.lang.IllegalStateException:\
                     sink down\\n\\tat io.quantsignals.job.sink.CopySink.flush(CopySink.java:1)\\n","timestamp":%d,\
                    "taskName":"strategy_metrics (1/4)","endpoint":"127.0.0.1:40123","taskManagerId":"127.0.0.1:40123-1",\
                    "failureLabels":{},"concurrentExceptions":[]}""".formatted(at.toEpochMilli()));
        }
        return "{\"exceptionHistory\":{\"entries\":[" + String.join(",", entries) + "],\"truncated\":false}}";
    }

    /** Flink 2.x {@code GET /jobs/:jobid/checkpoints} (CheckpointingStatistics); {@code acked} null: none completed. */
    private static String checkpoints(Instant acked) {
        String completed = acked == null ? "null" : """
                {"className":"completed","id":42,"status":"COMPLETED","is_savepoint":false,"savepointFormat":null,\
                "trigger_timestamp":%d,"latest_ack_timestamp":%d,"checkpointed_size":51234,"state_size":51234,\
                "end_to_end_duration":180,"alignment_buffered":0,"processed_data":0,"persisted_data":0,\
                "num_subtasks":4,"num_acknowledged_subtasks":4,"checkpoint_type":"CHECKPOINT","tasks":{},\
                "external_path":"<checkpoint-not-externally-addressable>","discarded":false}"""
                .formatted(acked.toEpochMilli() - 180, acked.toEpochMilli());
        return """
                {"counts":{"restored":0,"total":42,"in_progress":0,"completed":%d,"failed":0},\
                "summary":{},"latest":{"completed":%s,"savepoint":null,"failed":null,"restored":null},"history":[]}"""
                .formatted(acked == null ? 0 : 42, completed);
    }

    /** A stub of the JobManager's REST API on a free loopback port, answering canned JSON per path. */
    private static final class FakeFlink implements AutoCloseable {
        private record Answer(int status, String body) {
        }

        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final HttpServer server;

        FakeFlink() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                Answer answer = answers.getOrDefault(exchange.getRequestURI().getPath(),
                        new Answer(404, "{\"errors\":[\"Not found: " + exchange.getRequestURI().getPath() + "\"]}"));
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
                exchange.sendResponseHeaders(answer.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void respond(String path, int status, String body) {
            answers.put(path, new Answer(status, body));
        }

        void runningJob(Instant started, Instant lastCheckpoint) {
            respond("/jobs/overview", 200, overview("RUNNING", "quant-signals", started));
            respond("/jobs/" + JOB_ID + "/checkpoints", 200, checkpoints(lastCheckpoint));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
