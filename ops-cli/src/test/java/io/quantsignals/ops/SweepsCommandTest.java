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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ops-cli sweeps against the real PostgreSQL server the ops-cli tests share. */
class SweepsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRID = "{\"sma_slow_window\": [20, 30], \"sma_fast_window\": {\"from\": 10, \"to\": 30, \"step\": 10}}";
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

    private String file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    private CliRunner.Result create(String grid, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("sweeps", "create", "sma_cross", "--grid", file("grid.json", grid),
                "--created-by", "alice"));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    @Test
    void createWritesTheSweepAndOneAuditedReplayRunPerValidCombination() throws Exception {
        CliRunner.Result r = create(GRID, "--base-params", file("base.json", "{\"allow_short\": true, \"sma_fast_window\": 99}"),
                "--store-metrics", "all");
        assertEquals(0, r.exitCode(), r.err());
        String id = r.outLine();
        assertEquals(id, UUID.fromString(id).toString(), "stdout is the sweep id alone");
        // fast 10,20,30 x slow 20,30: (20,20), (30,20), (30,30) are skipped.
        assertEquals("created 3 runs; skipped 3 combinations with sma_slow_window <= sma_fast_window", r.err().strip());

        assertEquals(1, count("strategy_sweeps"));
        assertEquals(3, count("strategy_runs"));
        assertEquals(3, count("strategy_run_params_history"));
        assertEquals(List.of(List.of("sma_cross", "all", "alice",
                        "{\"sma_fast_window\": {\"to\": 30, \"from\": 10, \"step\": 10}, \"sma_slow_window\": [20, 30]}")),
                rows("SELECT strategy, store_metrics, created_by, grid::text FROM strategy_sweeps"));
        // Every run: REPLAY, of this sweep, created in the sweep's transaction, with the history row
        // of its params, the base's allow_short, and the grid's window over the base's.
        assertEquals(List.of(List.of("REPLAY", id, "true", "10", "20", "t"), List.of("REPLAY", id, "true", "10", "30", "t"),
                        List.of("REPLAY", id, "true", "20", "30", "t")),
                rows("SELECT r.run_type, r.sweep_id::text, r.params->>'allow_short', r.params->>'sma_fast_window',"
                        + " r.params->>'sma_slow_window',"
                        + " CASE WHEN r.created_at = s.created_at AND h.changed_at = s.created_at AND h.params = r.params"
                        + "  AND h.changed_by = 'alice' THEN 't' ELSE 'f' END"
                        + " FROM strategy_runs r JOIN strategy_sweeps s USING (sweep_id)"
                        + " JOIN strategy_run_params_history h USING (strategy_run_id)"
                        + " ORDER BY (r.params->>'sma_fast_window')::int, (r.params->>'sma_slow_window')::int"));
    }

    @Test
    void listAndShowInTextAndJson() throws Exception {
        String id = create(GRID).outLine();
        String runId = rows("SELECT strategy_run_id::text FROM strategy_runs WHERE params->>'sma_fast_window' = '20'").get(0).get(0);

        CliRunner.Result list = cli.run("sweeps", "list");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().lines().anyMatch(line -> line.startsWith(id) && line.contains(" 3  summary ")
                && line.contains("alice")), list.out());
        JsonNode listed = JSON.readTree(cli.run("sweeps", "list", "--json").out());
        assertEquals(1, listed.size());
        assertEquals(id, listed.get(0).get("sweep_id").textValue());
        assertEquals(3, listed.get(0).get("run_count").intValue());
        assertEquals("summary", listed.get(0).get("store_metrics").textValue(), "the default");
        assertEquals(JSON.readTree("{\"sma_fast_window\": {\"from\": 10, \"to\": 30, \"step\": 10}, \"sma_slow_window\": [20, 30]}"),
                listed.get(0).get("grid"));

        CliRunner.Result show = cli.run("sweeps", "show", id);
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains("runs           3"), show.out());
        // Runs in the grid's product order, each with its full params.
        List<String> runLines = show.out().lines().filter(l -> l.contains("\"sma_confirmation_window\"")).toList();
        assertEquals(3, runLines.size(), show.out());
        assertTrue(runLines.get(0).contains("\"sma_fast_window\":10,\"sma_slow_window\":20,"), runLines.get(0));
        assertTrue(runLines.get(1).contains("\"sma_fast_window\":10,\"sma_slow_window\":30,"), runLines.get(1));
        assertTrue(runLines.get(2).startsWith("  " + runId) && runLines.get(2).contains("\"sma_fast_window\":20,\"sma_slow_window\":30,"),
                runLines.get(2));

        JsonNode shown = JSON.readTree(cli.run("sweeps", "show", id, "--json").out());
        assertEquals(id, shown.get("sweep_id").textValue());
        assertEquals(3, shown.get("runs").size());
        JsonNode last = shown.get("runs").get(2);
        assertEquals(runId, last.get("strategy_run_id").textValue());
        assertEquals("REPLAY", last.get("run_type").textValue());
        assertEquals(20, last.get("params").get("sma_fast_window").intValue());
        assertEquals(0.0, last.get("params").get("slippage_bps").doubleValue(), "every key, defaults resolved");

        // A sweep's run is an ordinary run: runs show knows it.
        assertEquals(0, cli.run("runs", "show", runId).exitCode());
    }

    @Test
    void moreCombinationsThanMaxRunsIsRefusedAndWritesNothing() throws Exception {
        String big = "{\"sma_fast_window\": {\"from\": 1, \"to\": 1234, \"step\": 1}, \"sma_slow_window\": 2000}";
        Map<String, Long> before = counts();
        CliRunner.Result r = create(big);
        assertInvalid(r, "ops-cli: grid expands to 1,234 runs, more than --max-runs 1000");
        // A range too large to materialise is refused by its count alone.
        assertInvalid(create("{\"sma_fast_window\": {\"from\": 1, \"to\": 1000000000000, \"step\": 1}, \"sma_slow_window\": 2000}"),
                "grid expands to 1,000,000,000,000 runs, more than --max-runs 1000");
        assertInvalid(create(GRID, "--max-runs", "5"), "grid expands to 6 runs, more than --max-runs 5");
        assertEquals(before, counts());
        // The limit counts combinations before skipping: 6 fits --max-runs 6 (and creates 3 runs).
        assertEquals(0, create(GRID, "--max-runs", "6").exitCode());
        assertEquals(3, count("strategy_runs"));
    }

    @Test
    void invalidInputExits2WithOneLineAndWritesNothing() throws Exception {
        create(GRID);
        Map<String, Long> before = counts();
        assertInvalid(create("{\"sma_fast_window\": [5, 0], \"sma_slow_window\": 20}"),
                "grid.json: sma_fast_window must be an integer from 1 to 1000000, got 0");
        assertInvalid(create("{\"sma_fast_window\": [5], \"colour\": [1]}"), "unknown parameter 'colour'");
        assertInvalid(create("{\"sma_fast_window\": [5], \"sma_fast_window\": [6]}"), "key 'sma_fast_window' appears twice");
        assertInvalid(create("{\"sma_fast_window\": [5], \"sma_slow_window\": 20} {}"), "unexpected text after the JSON object");
        assertInvalid(create("{\"sma_fast_window\": [30, 40], \"sma_slow_window\": 20}"),
                "every one of its 2 combinations has sma_slow_window <= sma_fast_window: no runs to create");
        assertInvalid(create(GRID, "--base-params", file("base.json", "{\"slippage_bps\": -1}")),
                "slippage_bps must be a number from 0 to 10000 (basis points), got -1");
        assertInvalid(create(GRID, "--base-params", file("base2.json", "{\"slipage_bps\": 1}")),
                "base params file " + dir.resolve("base2.json") + ": unknown parameter 'slipage_bps'");
        assertInvalid(create(GRID, "--base-params", dir.resolve("missing.json").toString()), "base params file");
        assertInvalid(cli.run("sweeps", "create", "sma_cross", "--grid", dir.resolve("none.json").toString(), "--created-by", "a"),
                "grid file " + dir.resolve("none.json") + " does not exist");
        assertInvalid(cli.run("sweeps", "create", "rsi_magic", "--grid", file("g.json", GRID), "--created-by", "a"),
                "unknown strategy 'rsi_magic'");
        assertInvalid(cli.run("sweeps", "create", "sma_cross", "--grid", file("g.json", GRID), "--created-by", " "),
                "--created-by must not be blank");
        assertInvalid(cli.run("sweeps", "create", "sma_cross", "--grid", file("g.json", GRID), "--created-by", "eve\u001b[2J"),
                "--created-by contains the control character U+001B");
        assertInvalid(create(GRID, "--store-metrics", "some"), "--store-metrics");
        assertInvalid(create(GRID, "--max-runs", "0"), "--max-runs must be at least 1, got 0");
        assertInvalid(cli.run("sweeps", "create", "sma_cross", "--grid", file("g.json", GRID)), "--created-by");
        assertInvalid(cli.run("sweeps", "show", "1-2-3-4-5"), "'1-2-3-4-5' is not a sweep id");
        String unknown = UUID.randomUUID().toString();
        assertInvalid(cli.run("sweeps", "show", unknown), "unknown sweep id " + unknown);
        assertEquals(before, counts());
    }

    @Test
    void storedControlCharactersAreShownEscaped() throws Exception {
        String id = create(GRID).outLine();
        try (Connection c = postgres.connect(); PreparedStatement update = c.prepareStatement("UPDATE strategy_sweeps SET created_by = ?")) {
            update.setString(1, "mallory\u001b[2J");
            update.executeUpdate();
        }
        for (List<String> command : List.of(List.of("sweeps", "list"), List.of("sweeps", "show", id))) {
            CliRunner.Result r = cli.run(command.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.err());
            RunsCommandTest.assertNoControlCharacters(r.out());
            assertTrue(r.out().contains("mallory\\u001b[2J"), r.out());
        }
        assertEquals("mallory\u001b[2J", JSON.readTree(cli.run("sweeps", "show", id, "--json").out()).get("created_by").textValue());
    }

    @Test
    void migrateTwiceKeepsSweepsAndTheirRuns() throws Exception {
        String id = create(GRID).outLine();
        for (int i = 0; i < 2; i++) {
            CliRunner.Result r = cli.run("db", "migrate");
            assertEquals(0, r.exitCode(), r.err());
        }
        assertEquals(List.of(List.of("1")), rows("SELECT count(*) FROM information_schema.columns"
                + " WHERE table_name = 'strategy_runs' AND column_name = 'sweep_id'"));
        assertEquals(List.of(List.of("strategy_runs_sweep_idx")),
                rows("SELECT indexname FROM pg_indexes WHERE tablename = 'strategy_runs' AND indexname LIKE '%sweep%'"));
        assertEquals(3, JSON.readTree(cli.run("sweeps", "show", id, "--json").out()).get("runs").size());
    }

    @Test
    void everySweepsCommandHasHelp() {
        for (List<String> command : List.of(List.of("sweeps"), List.of("sweeps", "create"), List.of("sweeps", "list"),
                List.of("sweeps", "show"))) {
            String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRunner.Result r = cli.run(args);
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), command + ": " + r.out());
        }
    }

    private static void assertInvalid(CliRunner.Result r, String expected) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    private static Map<String, Long> counts() throws SQLException {
        return Map.of("strategy_sweeps", count("strategy_sweeps"), "strategy_runs", count("strategy_runs"),
                "strategy_run_params_history", count("strategy_run_params_history"));
    }

    private static long count(String table) throws SQLException {
        return Long.parseLong(rows("SELECT count(*) FROM " + table).get(0).get(0));
    }

    private static List<List<String>> rows(String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
