package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ops-cli against a real PostgreSQL server that the test starts itself. */
class RunsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresServer postgres;

    @TempDir
    Path dir;

    private CliRunner cli;

    @BeforeAll
    static void startDatabase() {
        postgres = PostgresServer.shared();
    }

    @BeforeEach
    void cleanDatabase() {
        cli = CliRunner.againstEmptyDatabase(postgres);
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private String create(String params, String runType) throws IOException {
        CliRunner.Result r = cli.run("runs", "create", "sma_cross", "--param-file", file("p.json", params).toString(),
                "--run-type", runType, "--created-by", "alice");
        assertEquals(0, r.exitCode(), r.err());
        return r.outLine();
    }

    @Test
    void createPrintsOnlyTheIdAndRecordsHistory() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        assertEquals(id, UUID.fromString(id).toString(), "stdout is the id alone");
        assertEquals(1, count("strategy_runs"));
        assertEquals(1, count("strategy_run_params_history"));
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT strategy, run_type, created_by, params->>'sma_slow_window',"
                     + " params->>'bar_interval_seconds', ended_at FROM strategy_runs")) {
            assertTrue(rs.next());
            assertEquals("sma_cross", rs.getString(1));
            assertEquals("PAPER", rs.getString(2));
            assertEquals("alice", rs.getString(3));
            assertEquals("20", rs.getString(4));
            assertEquals("60", rs.getString(5), "defaults are resolved and stored");
            assertEquals(null, rs.getTimestamp(6));
        }
    }

    @Test
    void costDefaultsComeFromEnvironmentAndOptionsBeatIt() throws Exception {
        Path params = file("p.json", "{\"sma_fast_window\": 5, \"sma_slow_window\": 20}");
        CliRunner withEnv = cli.withEnv("TRANSACTION_COST_BPS", "7").withEnv("SLIPPAGE_BPS", "1.5");
        String fromEnv = withEnv.run("runs", "create", "sma_cross", "--param-file", params.toString(),
                "--run-type", "LIVE", "--created-by", "bob").outLine();
        String fromOption = withEnv.run("runs", "create", "sma_cross", "--param-file", params.toString(),
                "--run-type", "LIVE", "--created-by", "bob", "--slippage-bps", "3").outLine();
        JsonNode a = JSON.readTree(cli.run("runs", "show", fromEnv, "--json").out()).get("params");
        JsonNode b = JSON.readTree(cli.run("runs", "show", fromOption, "--json").out()).get("params");
        assertEquals(7.0, a.get("transaction_cost_bps").doubleValue());
        assertEquals(1.5, a.get("slippage_bps").doubleValue());
        assertEquals(7.0, b.get("transaction_cost_bps").doubleValue());
        assertEquals(3.0, b.get("slippage_bps").doubleValue());
    }

    @Test
    void updateKeepsHistoryAndEndMarksTheRun() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "LIVE");
        Path newParams = file("new.json", "{\"sma_fast_window\": 10, \"sma_slow_window\": 50, \"allow_short\": true}");
        CliRunner.Result update = cli.run("runs", "update", id, "--param-file", newParams.toString(), "--changed-by", "carol");
        assertEquals(0, update.exitCode(), update.err());

        JsonNode shown = JSON.readTree(cli.run("runs", "show", id, "--json").out());
        assertEquals(10, shown.get("params").get("sma_fast_window").intValue());
        assertTrue(shown.get("params").get("allow_short").booleanValue());
        JsonNode history = shown.get("params_history");
        assertEquals(2, history.size());
        assertEquals("alice", history.get(0).get("changed_by").textValue());
        assertEquals(5, history.get(0).get("params").get("sma_fast_window").intValue());
        assertEquals("carol", history.get(1).get("changed_by").textValue());

        assertEquals(0, cli.run("runs", "update", id, "--end").exitCode());
        JsonNode ended = JSON.readTree(cli.run("runs", "show", id, "--json").out());
        assertEquals("ended", ended.get("status").textValue());
        assertFalse(ended.get("ended_at").isNull());
    }

    @Test
    void showPrintsEveryParameterKey() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        CliRunner.Result show = cli.run("runs", "show", id);
        assertEquals(0, show.exitCode(), show.err());
        for (String key : List.of("sma_fast_window", "sma_slow_window", "sma_confirmation_window",
                "transaction_cost_bps", "slippage_bps", "bar_interval_seconds", "allow_short", "symbols", "max_drawdown")) {
            assertTrue(show.out().contains(key), key + " in:\n" + show.out());
        }
        assertTrue(show.out().contains("alice"));
    }

    @Test
    void listShowsActiveOnlyAndJson() throws Exception {
        String kept = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "LIVE");
        String ended = create("{\"sma_fast_window\": 2, \"sma_slow_window\": 3}", "REPLAY");
        assertEquals(0, cli.run("runs", "update", ended, "--end").exitCode());

        CliRunner.Result all = cli.run("runs", "list");
        assertTrue(all.out().contains(kept) && all.out().contains(ended), all.out());
        CliRunner.Result active = cli.run("runs", "list", "--active-only");
        assertTrue(active.out().contains(kept));
        assertFalse(active.out().contains(ended));

        JsonNode json = JSON.readTree(cli.run("runs", "list", "--active-only", "--json").out());
        assertEquals(1, json.size());
        assertEquals(kept, json.get(0).get("strategy_run_id").textValue());
        assertEquals("LIVE", json.get(0).get("run_type").textValue());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown key        | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"colour\":1} | unknown parameter 'colour'",
            "fast >= slow       | {\"sma_fast_window\":20,\"sma_slow_window\":20}            | must be greater than sma_fast_window",
            "non-integer window | {\"sma_fast_window\":2.5,\"sma_slow_window\":20}           | sma_fast_window must be an integer",
            "negative bps       | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"slippage_bps\":-1} | slippage_bps must be a number from 0",
            "malformed JSON     | {\"sma_fast_window\":5 \"sma_slow_window\":20}             | malformed JSON",
            "text after object  | {\"sma_fast_window\":5,\"sma_slow_window\":20} {\"sma_fast_window\":7} | unexpected text after the JSON object at line 1, column 44",
            "key twice          | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"sma_fast_window\":7} | key 'sma_fast_window' appears twice",
            "NUL in a symbol    | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"symbols\":[\"A\",\"B\",\"C\\u0000\"]} | symbols[2]: symbol contains the control character U+0000",
            "padded symbol      | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"symbols\":[\" BTCUSD\"]} | symbols[0]: symbol has leading or trailing white space",
            "65-char symbol     | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"symbols\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]} | symbols[0]: symbol is longer than 64 characters",
    })
    void invalidParamFilesExit2AndChangeNothing(String name, String params, String expected) throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        Path bad = file("bad.json", params);
        Map<String, Long> before = counts();

        CliRunner.Result created = cli.run("runs", "create", "sma_cross", "--param-file", bad.toString(),
                "--run-type", "PAPER", "--created-by", "alice");
        assertInvalid(created, expected);
        CliRunner.Result updated = cli.run("runs", "update", id, "--param-file", bad.toString());
        assertInvalid(updated, expected);

        assertEquals(before, counts());
        assertEquals(5, JSON.readTree(cli.run("runs", "show", id, "--json").out()).get("params").get("sma_fast_window").intValue());
    }

    @Test
    void invalidCommandsExit2WithOneLineAndChangeNothing() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        String ended = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        assertEquals(0, cli.run("runs", "update", ended, "--end").exitCode());
        Path good = file("good.json", "{\"sma_fast_window\": 5, \"sma_slow_window\": 20}");
        Map<String, Long> before = counts();
        String unknown = UUID.randomUUID().toString();

        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", dir.resolve("missing.json").toString(),
                "--run-type", "PAPER", "--created-by", "a"), "does not exist");
        assertInvalid(cli.run("runs", "create", "rsi_magic", "--param-file", good.toString(),
                "--run-type", "PAPER", "--created-by", "a"), "unknown strategy 'rsi_magic'");
        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "BACKTEST", "--created-by", "a"), "--run-type");
        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "PAPER"), "--created-by");
        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "PAPER", "--created-by", " "), "--created-by must not be blank");
        assertInvalid(cli.run("runs", "update", unknown, "--param-file", good.toString()), "unknown run id " + unknown);
        assertInvalid(cli.run("runs", "update", unknown, "--end"), "unknown run id");
        assertInvalid(cli.run("runs", "update", "not-a-uuid", "--end"), "'not-a-uuid' is not a run id");
        assertInvalid(cli.run("runs", "update", id), "--param-file");
        assertInvalid(cli.run("runs", "update", id, "--end", "--param-file", good.toString()), "mutually exclusive");
        assertInvalid(cli.run("runs", "update", id, "--param-file",
                file("bars.json", "{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"bar_interval_seconds\": 300}").toString()),
                "bar_interval_seconds cannot change for a run (is 60, param file says 300)");
        assertInvalid(cli.run("runs", "update", ended, "--end"), "already ended");
        assertInvalid(cli.run("runs", "update", ended, "--param-file", good.toString()), "already ended");
        assertInvalid(cli.run("runs", "show", unknown), "unknown run id");
        assertInvalid(cli.run("runs", "frobnicate"), "frobnicate");
        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", good.toString(), "--run-type", "PAPER",
                "--created-by", "a", "--slippage-bps", "-3"), "SLIPPAGE_BPS");

        assertEquals(before, counts());
    }

    @Test
    void controlCharactersInCreatedByOrChangedByAreRefused() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        Path good = file("good.json", "{\"sma_fast_window\": 5, \"sma_slow_window\": 20}");
        Map<String, Long> before = counts();
        CliRunner.Result created = cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "PAPER", "--created-by", "alice\u001b[2J");
        assertInvalid(created, "--created-by contains the control character U+001B");
        assertNoControlCharacters(created.err());
        assertInvalid(cli.run("runs", "update", id, "--param-file", good.toString(), "--changed-by", "bob\u0007"),
                "--changed-by contains the control character U+0007");
        assertInvalid(cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "PAPER", "--created-by", "carol\u009b31m"), "--created-by contains the control character U+009B");
        assertEquals(before, counts());
        // Other Unicode text is a name like any other.
        assertEquals(0, cli.run("runs", "create", "sma_cross", "--param-file", good.toString(),
                "--run-type", "PAPER", "--created-by", "Zoë Ødegård").exitCode());
    }

    /**
     * Rows written before the input check, or by hand, may hold terminal escapes: every human-readable
     * output shows them as visible escapes, and the JSON output as JSON escapes.
     */
    @Test
    void storedControlCharactersAreShownEscaped() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        String evil = "mallory\u001b]0;pwned\u0007\u009b2J\u007f";
        try (Connection c = postgres.connect(); java.sql.PreparedStatement update = c.prepareStatement(
                "UPDATE strategy_runs SET created_by = ?, strategy = ?")) {
            update.setString(1, evil);
            update.setString(2, "sma_cross\u001b[8m");
            update.executeUpdate();
        }
        try (Connection c = postgres.connect(); java.sql.PreparedStatement update = c.prepareStatement(
                "UPDATE strategy_run_params_history SET changed_by = ?")) {
            update.setString(1, evil);
            update.executeUpdate();
        }
        String visible = "mallory\\u001b]0;pwned\\u0007\\u009b2J\\u007f";
        for (List<String> command : List.of(List.of("runs", "list"), List.of("runs", "show", id),
                List.of("runs", "compare", id))) {
            CliRunner.Result r = cli.run(command.toArray(String[]::new));
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertNoControlCharacters(r.out());
            assertTrue(r.out().contains(visible), command + ": " + r.out());
        }
        assertTrue(cli.run("runs", "show", id).out().contains("sma_cross\\u001b[8m"));
        assertTrue(cli.run("runs", "show", id).out().contains("by " + visible), "history's changed_by");

        for (List<String> command : List.of(List.of("runs", "list", "--json"), List.of("runs", "show", id, "--json"),
                List.of("runs", "compare", id, "--json"))) {
            CliRunner.Result r = cli.run(command.toArray(String[]::new));
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertNoControlCharacters(r.out());
            JsonNode json = JSON.readTree(r.out());
            JsonNode run = json.isArray() ? json.get(0) : json;
            assertEquals(evil, run.get("created_by").textValue(), "JSON keeps the text exactly: " + command);
        }
        assertEquals(evil, JSON.readTree(cli.run("runs", "show", id, "--json").out())
                .get("params_history").get(0).get("changed_by").textValue());
    }

    /** No character a terminal could act on, other than the line breaks between lines. */
    static void assertNoControlCharacters(String output) {
        for (int i = 0; i < output.length(); i++) {
            char ch = output.charAt(i);
            assertFalse(Character.isISOControl(ch) && ch != '\n',
                    String.format("U+%04X at %d in: %s", (int) ch, i, output.replaceAll("\\p{Cntrl}", "?")));
        }
    }

    @Test
    void unreachableDatabaseExits1NamingTheUrlWithoutPassword() {
        CliRunner broken = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant?password=hunter2")
                .withEnv("DATABASE_PASSWORD", "s3cret");
        CliRunner.Result r = broken.run("runs", "list");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("jdbc:postgresql://127.0.0.1:1/quant?password=***"), r.err());
        assertFalse(r.err().contains("hunter2") || r.err().contains("s3cret"), r.err());
        assertEquals(1, broken.run("db", "migrate").exitCode());
    }

    @Test
    void aMisspeltPasswordOptionIsRefusedWithoutEchoingThePassword() {
        for (List<String> typo : List.of(List.of("--db-pssword", "hunter2"), List.of("--db-pssword=hunter2"),
                List.of("--db-pasword=hunter2"), List.of("--db-pasword", "hunter2"))) {
            for (List<String> command : List.of(List.of("runs", "list"), List.of("runs", "show", UUID.randomUUID().toString()), List.of("db", "migrate"),
                    List.of("kill-switch", "release"))) {
                String[] args = java.util.stream.Stream.concat(command.stream(), typo.stream()).toArray(String[]::new);
                CliRunner.Result r = cli.run(args);
                assertFalse(r.err().contains("hunter2") || r.out().contains("hunter2"), r.err());
                assertInvalid(r, "Unknown option: '" + typo.get(0).split("=")[0] + "'");
            }
        }
        CliRunner.Result r = cli.run("runs", "list", "--db-pasword=hunter2");
        assertInvalid(r, "ops-cli: Unknown option: '--db-pasword' (its value is not shown); did you mean '--db-password'?"
                + " (see 'ops-cli runs list --help')");
    }

    @Test
    void optionBeatsEnvironment() {
        CliRunner wrongEnv = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant");
        assertEquals(1, wrongEnv.run("runs", "list").exitCode());
        assertEquals(0, wrongEnv.run("runs", "list", "--db-url", postgres.jdbcUrl()).exitCode());
    }

    @Test
    void migrateIsIdempotentAgainstTheRealServer() throws Exception {
        String id = create("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}", "PAPER");
        for (int i = 0; i < 2; i++) {
            CliRunner.Result r = cli.run("db", "migrate");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("plain PostgreSQL"), r.out());
        }
        assertEquals(0, cli.run("runs", "show", id).exitCode(), "data survives a second migrate");
    }

    @Test
    void everyCommandHasHelpAndNoneShowsThePassword() {
        CliRunner withSecret = cli.withEnv("DATABASE_PASSWORD", "s3cret-pw");
        for (List<String> command : List.<List<String>>of(List.of(), List.of("db"), List.of("db", "migrate"), List.of("runs"),
                List.of("runs", "create"), List.of("runs", "update"), List.of("runs", "list"), List.of("runs", "show"))) {
            String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRunner.Result r = withSecret.run(args);
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), command + ": " + r.out());
            assertFalse(r.out().contains("s3cret-pw"), command + " leaks the password");
        }
    }

    private static void assertInvalid(CliRunner.Result r, String expected) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    private static Map<String, Long> counts() throws SQLException {
        return Map.of("strategy_runs", count("strategy_runs"),
                "strategy_run_params_history", count("strategy_run_params_history"),
                "updated", scalar("SELECT count(*) FROM strategy_runs WHERE updated_at <> created_at"));
    }

    private static long count(String table) throws SQLException {
        return scalar("SELECT count(*) FROM " + table);
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
