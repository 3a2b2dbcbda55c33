package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static io.quantsignals.job.OpsStackFiles.*;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Grafana dashboard "Quant Signals Overview" against the real schema after a real job run:
 * a scenario on the MiniCluster that produces data for every panel (bars, signal transitions,
 * a kill-switch flatten with its ENGAGED/RELEASED events, rejected ticks, costs), then every SQL
 * query of the dashboard (panels, the annotation, the variables), with Grafana's macros and
 * variables expanded by {@link GrafanaSql}, runs as the read-only role Grafana's datasource uses
 * (created by ops/timescaledb/grafana_reader.sql) and must return rows of the shape Grafana needs.
 */
class DashboardQueriesTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final String TITLE = "Quant Signals Overview";
    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD");
    private static final String READER = "grafana_reader_test";
    private static final String READER_PASSWORD = "test-only-password";
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    @TempDir
    Path killSwitchDir;

    // --- the dashboard file -----------------------------------------------------------------------

    /** A SQL query of the dashboard, where it is and what Grafana expects back. */
    record Query(String where, String sql, String format) {
    }

    static List<Query> panelQueries(JsonNode dashboard) {
        List<Query> queries = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add); // panels inside collapsed rows
        });
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query("panel '" + panel.path("title").asText() + "' query " + target.path("refId").asText(),
                        target.path("rawSql").asText(), target.path("format").asText("time_series")));
            }
        }
        return queries;
    }

    static List<Query> annotationQueries(JsonNode dashboard) {
        List<Query> queries = new ArrayList<>();
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            if (isPostgres(annotation.path("datasource"))) {
                String sql = annotation.path("target").path("rawSql").asText(annotation.path("rawQuery").asText());
                queries.add(new Query("annotation '" + annotation.path("name").asText() + "'", sql, "annotation"));
            }
        }
        return queries;
    }

    static String variableQuery(JsonNode dashboard, String name) {
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("name").asText().equals(name)) {
                JsonNode query = variable.path("query");
                return query.isObject() ? query.path("rawSql").asText(query.path("query").asText()) : query.asText();
            }
        }
        return fail("the dashboard has no variable " + name);
    }

    private static boolean isPostgres(JsonNode datasource) {
        return datasource.path("type").asText().equals("grafana-postgresql-datasource")
                || datasource.path("type").asText().equals("postgres");
    }

    @Test
    void theDashboardIsTheOneGrafanaIsProvisionedWith() {
        JsonNode dashboard = dashboard();
        assertEquals(TITLE, dashboard.path("title").asText());
        assertEquals("quant-signals-overview", dashboard.path("uid").asText(), "a stable uid: links to the dashboard keep working");

        JsonNode datasource = yaml(DATASOURCES).path("datasources").get(0);
        String uid = datasource.path("uid").asText();
        assertEquals("grafana-postgresql-datasource", datasource.path("type").asText());
        List<JsonNode> refs = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            refs.add(p.path("datasource"));
            p.path("targets").forEach(t -> refs.add(t.path("datasource")));
        });
        dashboard.path("templating").path("list").forEach(v -> refs.add(v.path("datasource")));
        for (JsonNode ref : refs) {
            assertEquals(uid, ref.path("uid").asText(), "every query uses the provisioned datasource: " + ref);
            assertEquals(datasource.path("type").asText(), ref.path("type").asText(), ref.toString());
        }

        Set<String> titles = new TreeSet<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertTrue(titles.containsAll(Set.of("Cumulative return", "Drawdown", "Position", "Recent position transitions",
                "Transaction and slippage cost", "Rejected ticks by reason")), titles.toString());
        Set<String> variables = new TreeSet<>();
        dashboard.path("templating").path("list").forEach(v -> {
            variables.add(v.path("name").asText());
            assertEquals("query", v.path("type").asText());
            assertTrue(v.path("multi").asBoolean(), "several runs/symbols at once: " + v.path("name"));
        });
        assertEquals(Set.of("strategy_run", "symbol"), variables);
        assertFalse(annotationQueries(dashboard).isEmpty(), "kill-switch events as annotations");
        assertTrue(annotationQueries(dashboard).get(0).sql().contains("kill_switch_events"));
        for (Query q : panelQueries(dashboard)) {
            assertFalse(q.sql().isBlank(), q.where() + " has no SQL");
            assertTrue(Set.of("time_series", "table").contains(q.format()), q.where() + ": format " + q.format());
        }
        // Panels sit on the 24-column grid without overlapping.
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            JsonNode g = p.path("gridPos");
            int[] box = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
            assertTrue(box[2] > 0 && box[3] > 0 && box[0] + box[2] <= 24, p.path("title") + ": " + g);
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
                        || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
                assertTrue(apart, p.path("title") + " overlaps another panel");
            }
            boxes.add(box);
        }
    }

    @Test
    void theMacroExpansionIsGrafanas() {
        GrafanaSql sql = new GrafanaSql(Instant.parse("2024-06-01T12:00:00.750Z"), Instant.parse("2024-06-01T14:00:00Z"),
                Duration.ofMinutes(5), Map.of("run", List.of("a", "o'b")));
        assertEquals("SELECT floor(extract(epoch from t)/300)*300 AS \"time\" FROM x WHERE t BETWEEN "
                        + "'2024-06-01T12:00:00Z' AND '2024-06-01T14:00:00Z' AND r IN ('a','o''b') AND f(t, 300000)",
                sql.expand("SELECT $__timeGroupAlias(t, $__interval) FROM x WHERE $__timeFilter(t) AND r IN ($run)"
                        + " AND f(t, $__interval_ms)"));
        assertEquals("floor(extract(epoch from g(a, b))/60)*60 > '2024-06-01T12:00:00Z'",
                sql.expand("$__timeGroup(g(a, b), '1m', previous) > $__timeFrom()"));
        assertThrows(IllegalArgumentException.class, () -> sql.expand("SELECT $unknown"));
        assertThrows(IllegalArgumentException.class, () -> sql.expand("SELECT $__timeBucket(t)"));
    }

    // --- the queries after a real job run ---------------------------------------------------------

    @Test
    void everyDashboardQueryReturnsRowsAfterARealJobRun() throws Exception {
        POSTGRES.truncateAll();
        long start = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
        String topic = newTopic(1);
        // Minute bars; run a may go short, run b only long. Both charge costs.
        UUID runA = createRun(RunType.PAPER, new StrategyParams(3, 8, 1, 10.0, 5.0, 60, true, SYMBOLS, null));
        UUID runB = createRun(RunType.LIVE, new StrategyParams(2, 5, 1, 4.0, 2.0, 60, false, SYMBOLS, null));
        List<TestTick> rising = ticks(start, 0, 150, +1);     // 25 minutes up: both runs go long
        List<TestTick> falling = ticks(start, 150, 300, -1);  // 25 minutes down: a goes short, b flat
        long lastBar = falling.get(falling.size() - 1).ts() / 60_000 * 60_000;

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic, "--kill-switch-dir", killSwitchDir.toString())));
        try {
            produce(topic, rising);
            // The rise's last bar stays open until the next tick; the one before shows every (run, symbol) long.
            long lastRisingBar = start + 23 * 60_000L;
            await("both runs long in both symbols", Duration.ofSeconds(60), () -> count("SELECT count(*) FROM strategy_metrics"
                    + " WHERE strategy_run_id IN (?, ?) AND metric_time = to_timestamp(? / 1000.0) AND position = 1",
                    runA, runB, lastRisingBar) == 4);

            // The global kill switch: every long position is flattened, the job records the event.
            Path tmp = killSwitchDir.resolve(".KILL_SWITCH.tmp");
            Files.writeString(tmp, "{\"reason\":\"dashboard test\",\"created_by\":\"test\",\"created_at\":\"now\"}");
            Files.move(tmp, killSwitchDir.resolve("KILL_SWITCH"), StandardCopyOption.ATOMIC_MOVE);
            await("the flatten and the ENGAGED event", Duration.ofSeconds(10), () -> count(
                    "SELECT count(*) FROM strategy_positions_stream WHERE reason = 'KILL_SWITCH'") >= 4
                    && count("SELECT count(*) FROM kill_switch_events WHERE action = 'ENGAGED'") >= 1);
            Files.delete(killSwitchDir.resolve("KILL_SWITCH"));
            await("the RELEASED event", Duration.ofSeconds(10),
                    () -> count("SELECT count(*) FROM kill_switch_events WHERE action = 'RELEASED'") >= 1);

            // Rejected ticks: one that is not JSON, one for a bar completed long ago.
            produceRaw(topic, List.of(new String[] {"BTCUSD", "this is not json"},
                    new String[] {"BTCUSD", new TestTick("BTCUSD", start + 1_000, "99.00").json()}));
            await("two rejected ticks", Duration.ofSeconds(30),
                    () -> count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "/%") == 2);

            Thread.sleep(500); // the release reaches the strategy operator through the broadcast
            produce(topic, falling);
            produceWatermarkSentinels(topic, 1, System.currentTimeMillis());
            await("every bar of both runs", Duration.ofSeconds(60), () -> count("SELECT count(*) FROM strategy_metrics"
                    + " WHERE strategy_run_id IN (?, ?) AND metric_time = to_timestamp(? / 1000.0)", runA, runB, lastBar) == 4);
            await("run a short", Duration.ofSeconds(10), () -> count("SELECT count(*) FROM strategy_positions_stream"
                    + " WHERE strategy_run_id = ? AND to_position = -1 AND reason = 'SIGNAL'", runA) >= 1);
        } finally {
            job.cancel().get();
        }

        createReadOnlyRole();
        GrafanaSql grafana = new GrafanaSql(Instant.ofEpochMilli(start).minus(Duration.ofMinutes(5)),
                Instant.now().plus(Duration.ofMinutes(5)), INTERVAL, Map.of());
        JsonNode dashboard = dashboard();
        try (Connection reader = DriverManager.getConnection(POSTGRES.jdbcUrl(), READER, READER_PASSWORD)) {
            assertGrafanaCannotWrite(reader);

            // The variables, resolved the way Grafana does: the runs first, then the symbols of the chosen runs.
            List<Map<String, Object>> runs = rows(reader, grafana.expand(variableQuery(dashboard, "strategy_run")));
            List<String> runValues = runs.stream().map(r -> (String) r.get("__value")).toList();
            assertTrue(runValues.containsAll(List.of(runA.toString(), runB.toString())), runs.toString());
            assertTrue(runs.stream().anyMatch(r -> Objects.toString(r.get("__text")).contains(runA + " (PAPER")), runs.toString());
            GrafanaSql withRuns = grafana.withVariables(Map.of("strategy_run", runValues));
            List<String> symbols = rows(reader, withRuns.expand(variableQuery(dashboard, "symbol"))).stream()
                    .map(r -> (String) r.values().iterator().next()).toList();
            assertEquals(SYMBOLS, symbols, "the traded symbols of the chosen runs, sorted");
            GrafanaSql all = grafana.withVariables(Map.of("strategy_run", runValues, "symbol", symbols));

            Map<String, Consumer<List<Map<String, Object>>>> expectations = expectations(runA);
            List<Executable> checks = new ArrayList<>();
            List<Query> queries = new ArrayList<>(panelQueries(dashboard));
            queries.addAll(annotationQueries(dashboard));
            for (Query query : queries) {
                checks.add(() -> {
                    List<Map<String, Object>> rows;
                    String sql = all.expand(query.sql());
                    try {
                        rows = rows(reader, sql);
                    } catch (SQLException e) {
                        throw new AssertionError(query.where() + " fails: " + e.getMessage() + "\n" + sql, e);
                    }
                    assertFalse(rows.isEmpty(), query.where() + " returns no rows:\n" + sql);
                    Set<String> columns = rows.get(0).keySet();
                    if (!query.format().equals("table")) {
                        assertTrue(columns.contains("time"), query.where() + " needs a time column: " + columns);
                    }
                    if (query.format().equals("annotation")) {
                        assertTrue(columns.contains("text"), query.where() + " needs a text column: " + columns);
                    }
                    Consumer<List<Map<String, Object>>> expectation = expectations.get(query.where());
                    if (expectation != null) {
                        expectation.accept(rows);
                    }
                });
            }
            assertEquals(expectations.size(), expectations.keySet().stream()
                    .filter(where -> queries.stream().anyMatch(q -> q.where().equals(where))).count(),
                    "every expectation names a query of the dashboard: " + expectations.keySet());
            assertAll("the dashboard's queries", checks);
        }
    }

    /** What the scenario must show, beyond "some rows", in the panels where it matters. */
    private static Map<String, Consumer<List<Map<String, Object>>>> expectations(UUID runA) {
        Map<String, Consumer<List<Map<String, Object>>>> e = new LinkedHashMap<>();
        e.put("panel 'Recent position transitions' query A", rows -> {
            Set<Object> reasons = new TreeSet<>();
            rows.forEach(r -> reasons.add(r.get("reason")));
            assertTrue(reasons.containsAll(Set.of("SIGNAL", "KILL_SWITCH")), "transition reasons " + reasons);
        });
        e.put("panel 'Rejected ticks by reason' query A", rows -> {
            Set<Object> codes = new TreeSet<>();
            rows.forEach(r -> codes.add(r.get("metric")));
            assertEquals(Set.of("LATE", "NOT_JSON"), codes, "reason codes, without their details");
        });
        e.put("panel 'Transaction and slippage cost' query A", rows -> {
            assertTrue(rows.stream().anyMatch(r -> ((Number) r.get("transaction cost")).doubleValue() > 0), "transaction costs");
            assertTrue(rows.stream().anyMatch(r -> ((Number) r.get("slippage cost")).doubleValue() > 0), "slippage costs");
        });
        e.put("panel 'Position' query A", rows -> {
            Set<Integer> positions = new TreeSet<>();
            rows.forEach(r -> positions.add(((Number) r.get("value")).intValue()));
            assertEquals(Set.of(-1, 0, 1), positions, "long, flat and short");
        });
        e.put("panel 'Cumulative return' query A", rows -> {
            Set<Object> series = new TreeSet<>();
            rows.forEach(r -> series.add(r.get("metric")));
            assertEquals(4, series.size(), "one series per run and symbol: " + series);
            assertTrue(series.contains("PAPER " + runA.toString().substring(0, 8) + " BTCUSD"), series.toString());
        });
        e.put("annotation 'Kill switch'", rows -> {
            String texts = rows.stream().map(r -> Objects.toString(r.get("text"))).reduce("", String::concat);
            assertTrue(texts.contains("ENGAGED") && texts.contains("RELEASED"), texts);
            assertTrue(texts.contains("dashboard test"), "the reason from the file: " + texts);
        });
        return e;
    }

    /** {@code perSymbol} ticks 10 s apart from index {@code from}: BTCUSD and ETHUSD moving in {@code direction}. */
    private static List<TestTick> ticks(long start, int from, int to, int direction) {
        List<TestTick> ticks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long ts = start + i * 10_000L;
            int step = direction > 0 ? i : 2 * 150 - i; // continues from where the rise ended
            ticks.add(new TestTick("BTCUSD", ts, price(10_000 + step * 7 + (i % 3 == 0 ? -5 : 0))));
            ticks.add(new TestTick("ETHUSD", ts, price(5_000 + step * 4 + (i % 4 == 0 ? 3 : 0))));
        }
        return ticks;
    }

    private static String price(int cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }

    /** Grafana's role, created by the script the TimescaleDB container runs (psql variables filled in here). */
    private static void createReadOnlyRole() throws Exception {
        String script = read(GRAFANA_READER_SQL)
                .replaceAll("(?m)^\\\\getenv .*$", "")
                .replace(":'reader_password'", "'" + READER_PASSWORD + "'")
                .replace(":'reader'", "'" + READER + "'");
        assertFalse(script.contains(":'") || script.matches("(?ms).*^\\s*\\\\.*"), "psql syntax left in the script:\n" + script);
        // As a superuser, like POSTGRES_USER in the container (the test database's owner cannot create roles).
        String adminUrl = "jdbc:postgresql://localhost:" + POSTGRES.port() + "/" + PostgresServer.DATABASE;
        try (Connection admin = DriverManager.getConnection(adminUrl, "postgres", "postgres"); Statement s = admin.createStatement()) {
            s.execute(script);
            s.execute(script); // idempotent: the init script may be run again by hand
        }
    }

    private static void assertGrafanaCannotWrite(Connection reader) throws SQLException {
        try (Statement s = reader.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW default_transaction_read_only")) {
                rs.next();
                assertEquals("on", rs.getString(1), "read-only transactions by default");
            }
            SQLException readOnly = assertThrows(SQLException.class, () -> s.execute("DELETE FROM strategy_runs"));
            assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());
            // A session may lift read-only mode; the grants still refuse every write.
            s.execute("SET default_transaction_read_only = off");
            for (String write : List.of("DELETE FROM strategy_runs", "TRUNCATE price_ticks", "CREATE TABLE grafana_was_here (x int)",
                    "INSERT INTO kill_switch_events (event_time, action, source) VALUES (now(), 'ENGAGED', 'grafana')")) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(write), write);
                assertTrue(e.getMessage().contains("permission denied"), write + ": " + e.getMessage());
            }
            s.execute("RESET default_transaction_read_only");
        }
    }

    private static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
