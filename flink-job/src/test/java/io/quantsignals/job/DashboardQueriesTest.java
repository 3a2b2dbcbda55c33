package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static io.quantsignals.job.OpsStackFiles.*;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    /** Where this JVM's MiniCluster serves Flink's Prometheus reporter (a free port: test JVMs run side by side). */
    private static final int PROMETHEUS_PORT = PrometheusScrape.freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(composeMetricsConfiguration(PROMETHEUS_PORT))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    /**
     * The compose stack's metrics settings (every metrics.* line of its FLINK_PROPERTIES: the Prometheus
     * reporter, the job status gauges), with the reporter on {@code port}: the metrics this cluster
     * exposes are the ones the stack's Prometheus scrapes.
     */
    static Configuration composeMetricsConfiguration(int port) {
        Map<String, String> properties = ComposeFile.flinkProperties(
                ComposeFile.repositoryStack().document().path("services").path("jobmanager").path("environment")
                        .path("FLINK_PROPERTIES").asText());
        Map<String, String> metrics = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("metrics.")) {
                metrics.put(key, value);
            }
        });
        if (metrics.put("metrics.reporter.prom.port", String.valueOf(port)) == null) {
            throw new IllegalStateException("the compose stack configures no Prometheus reporter port: " + properties);
        }
        return Configuration.fromMap(metrics);
    }

    private static final String TITLE = "Quant Signals Overview";
    private static final List<String> SYMBOLS = List.of("BTCUSD", "ETHUSD");
    private static final String READER = "grafana_reader_test";
    private static final String READER_PASSWORD = "test-only-password";
    private static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final String TIMESCALEDB_UID = "quant-signals-timescaledb";
    private static final String PROMETHEUS_UID = "quant-signals-prometheus";

    @TempDir
    Path killSwitchDir;

    // --- the dashboard file -----------------------------------------------------------------------

    /** A SQL query of the dashboard, where it is and what Grafana expects back. */
    record Query(String where, String sql, String format) {
    }

    /** The SQL queries of the dashboard's panels (PromQL ones are {@link #promQueries}). */
    static List<Query> panelQueries(JsonNode dashboard) {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                if (isPostgres(datasourceOf(panel, target))) {
                    queries.add(new Query(where(panel, target), target.path("rawSql").asText(),
                            target.path("format").asText("time_series")));
                }
            }
        }
        return queries;
    }

    /** A PromQL query of a panel (datasource Prometheus) and where it is. */
    record PromQuery(String where, String expr) {
    }

    static List<PromQuery> promQueries(JsonNode dashboard) {
        List<PromQuery> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                if (datasourceOf(panel, target).path("type").asText().equals("prometheus")) {
                    queries.add(new PromQuery(where(panel, target), target.path("expr").asText()));
                }
            }
        }
        return queries;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add); // panels inside collapsed rows
        });
        return panels;
    }

    private static JsonNode datasourceOf(JsonNode panel, JsonNode target) {
        return target.has("datasource") ? target.path("datasource") : panel.path("datasource");
    }

    private static String where(JsonNode panel, JsonNode target) {
        return "panel '" + panel.path("title").asText() + "' query " + target.path("refId").asText();
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

        // Every query names a provisioned datasource by uid and type: SQL on TimescaleDB, PromQL on Prometheus.
        Map<String, String> provisioned = new TreeMap<>();
        yaml(DATASOURCES).path("datasources").forEach(d -> provisioned.put(d.path("uid").asText(), d.path("type").asText()));
        assertEquals(Map.of("quant-signals-timescaledb", "grafana-postgresql-datasource", "quant-signals-prometheus", "prometheus"),
                provisioned);
        List<JsonNode> refs = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            if (!p.path("type").asText().equals("row")) {
                refs.add(p.path("datasource"));
            }
            p.path("targets").forEach(t -> {
                refs.add(t.path("datasource"));
                boolean sql = t.has("rawSql");
                assertTrue(sql != t.has("expr"), "a target is SQL or PromQL: " + t);
                assertEquals(sql ? "grafana-postgresql-datasource" : "prometheus", t.path("datasource").path("type").asText(),
                        p.path("title") + ": " + t);
            });
        });
        dashboard.path("templating").path("list").forEach(v -> refs.add(v.path("datasource")));
        for (JsonNode ref : refs) {
            assertEquals(provisioned.get(ref.path("uid").asText()), ref.path("type").asText(),
                    "every query uses a provisioned datasource: " + ref);
        }

        Set<String> titles = new TreeSet<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertTrue(titles.containsAll(Set.of("Cumulative return", "Drawdown", "Position", "Recent position transitions",
                "Transaction and slippage cost", "Rejected ticks by reason", "Strategy runs",
                "Job health (Flink metrics, last hour)", "Job RUNNING", "Restarts", "Last checkpoint age",
                "Last checkpoint duration", "Event-time lag", "Ticks per second", "Rejected ticks per second by reason",
                "Kafka consumer lag")), titles.toString());
        // The job-health panels show the last hour whatever time range a run's link set: job health is about now.
        dashboard.path("panels").forEach(p -> {
            if (p.path("datasource").path("type").asText().equals("prometheus")) {
                assertEquals("1h", p.path("timeFrom").asText(), p.path("title") + " follows the dashboard's time range");
            }
        });
        Map<String, JsonNode> variables = new TreeMap<>();
        dashboard.path("templating").path("list").forEach(v -> variables.put(v.path("name").asText(), v));
        assertEquals(Set.of("strategy_run", "symbol", "run_from", "run_to"), variables.keySet());
        variables.values().forEach(v -> assertEquals("query", v.path("type").asText()));
        for (String name : List.of("strategy_run", "symbol")) {
            assertTrue(variables.get(name).path("multi").asBoolean(), "several runs/symbols at once: " + name);
        }
        for (String name : List.of("run_from", "run_to")) {
            assertEquals(2, variables.get(name).path("hide").asInt(), name + " is internal to the time-range link: hidden");
            assertFalse(variables.get(name).path("multi").asBoolean(), name + " is one instant");
        }
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
    void theAlertRulesMirrorHealthOnTheProvisionedDatasources() {
        JsonNode file = yaml(ALERT_RULES);
        assertEquals(1, file.path("apiVersion").asInt());
        JsonNode group = file.path("groups").get(0);
        assertEquals(yaml(DASHBOARD_PROVIDERS).path("providers").get(0).path("folder").asText(), group.path("folder").asText(),
                "the rules sit in the dashboard's folder");
        assertTrue(group.path("interval").asText().matches("\\d+[sm]"), "evaluated every few seconds or minutes");
        List<GrafanaAlertRules.Rule> rules = GrafanaAlertRules.load();
        assertEquals(Set.of("Stale ticks", "Job not RUNNING", "Kill switch engaged", "Drawdown near the limit"),
                new TreeSet<>(rules.stream().map(GrafanaAlertRules.Rule::title).toList()));
        assertEquals(rules.size(), rules.stream().map(GrafanaAlertRules.Rule::uid).distinct().count(), "unique uids");
        for (GrafanaAlertRules.Rule rule : rules) {
            JsonNode source = rule.source();
            assertTrue(rule.uid().matches("[a-zA-Z0-9_-]{1,40}"), "Grafana's uid rules: " + rule.uid());
            JsonNode query = rule.query();
            String uid = rule.datasourceUid();
            assertEquals(uid, query.path("model").path("datasource").path("uid").asText(), rule.title());
            if (uid.equals(TIMESCALEDB_UID)) {
                assertEquals("table", query.path("model").path("format").asText(), rule.title() + ": numeric data needs the table format");
                assertFalse(rule.sql().isBlank(), rule.title());
            } else {
                assertEquals(PROMETHEUS_UID, uid, rule.title() + " uses a provisioned datasource");
                assertTrue(query.path("model").path("instant").asBoolean(), rule.title() + ": one value per series, now");
            }
            JsonNode condition = rule.data().get(rule.condition());
            assertNotNull(condition, rule.title() + ": condition " + rule.condition());
            assertEquals(GrafanaAlertRules.EXPRESSION_DATASOURCE, condition.path("datasourceUid").asText(), rule.title());
            assertTrue(Set.of("Alerting", "NoData", "OK").contains(rule.noDataState()), rule.title());
            assertTrue(Set.of("Alerting", "Error", "OK").contains(source.path("execErrState").asText()), rule.title());
            assertTrue(source.path("for").asText().matches("\\d+[sm]"), rule.title() + ": for");
            assertTrue(Set.of("warning", "critical").contains(source.path("labels").path("severity").asText()), rule.title());
            // Grafana expands environment variables in provisioned labels ($x), not in annotations.
            source.path("labels").forEach(l -> assertFalse(l.asText().contains("$"), rule.title() + ": $ in a label"));
            assertFalse(source.path("annotations").path("summary").asText().isBlank(), rule.title());
        }

        // The thresholds are ops-cli health's defaults (its source is the reference).
        String command = read(Path.of("ops-cli", "src", "main", "java", "io", "quantsignals", "ops", "health", "HealthCommand.java"));
        Matcher tickAge = Pattern.compile("names = \"--max-tick-age\"[^)]*defaultValue = \"(\\d+)s\"").matcher(command);
        assertTrue(tickAge.find(), "health's --max-tick-age default (in seconds) not found");
        JsonNode staleCondition = GrafanaAlertRules.rule("Stale ticks").data().get("B").path("model").path("conditions").get(0);
        assertEquals("gt", staleCondition.path("evaluator").path("type").asText(), "stale: older than the maximum");
        assertEquals(Double.parseDouble(tickAge.group(1)), staleCondition.path("evaluator").path("params").get(0).asDouble(),
                "the stale-ticks threshold is health's --max-tick-age");
        String checks = read(Path.of("ops-cli", "src", "main", "java", "io", "quantsignals", "ops", "health", "HealthChecks.java"));
        Matcher fraction = Pattern.compile("DRAWDOWN_WARNING_FRACTION = ([0-9.]+);").matcher(checks);
        assertTrue(fraction.find(), "health's DRAWDOWN_WARNING_FRACTION not found");
        assertEquals("$A >= " + fraction.group(1), GrafanaAlertRules.rule("Drawdown near the limit").data().get("B")
                .path("model").path("expression").asText(), "near the limit: at least health's fraction of it used");
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

        createReadOnlyRole();
        GrafanaAlertRules.Rule killSwitchRule = GrafanaAlertRules.rule("Kill switch engaged");
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
            // The alert rule sees what the job recorded: the global switch engaged...
            assertEquals(List.of(Map.of("scope", "all runs")), evaluateAsGrafana(killSwitchRule).firing(),
                    "an engaged global kill switch fires the rule");
            Files.delete(killSwitchDir.resolve("KILL_SWITCH"));
            await("the RELEASED event", Duration.ofSeconds(10),
                    () -> count("SELECT count(*) FROM kill_switch_events WHERE action = 'RELEASED'") >= 1);
            // ... and released again.
            GrafanaAlertRules.Evaluation released = evaluateAsGrafana(killSwitchRule);
            assertEquals(Map.of(Map.of("scope", "all runs"), false), released.instances(), "released: the rule is quiet");

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
            await("the tick archive", Duration.ofSeconds(30), () -> count("SELECT count(*) FROM price_ticks"
                    + " WHERE symbol IN ('BTCUSD', 'ETHUSD')") >= 2L * 300);
            // The job runs: what Prometheus would scrape from it has every metric the PromQL asks for.
            assertThePromQlMatchesTheJobsMetrics(PrometheusScrape.scrape(PROMETHEUS_PORT));
        } finally {
            job.cancel().get();
        }
        // Cancelled: no quant-signals job is RUNNING, and the rule says so.
        await("the cancelled job's metrics gone", Duration.ofSeconds(30), () -> jobRunningCount(scrapeQuietly()) == 0);
        GrafanaAlertRules.Rule notRunning = GrafanaAlertRules.rule("Job not RUNNING");
        assertEquals(List.of(Map.of()), GrafanaAlertRules.evaluate(notRunning,
                Map.of(Map.of(), (double) jobRunningCount(PrometheusScrape.scrape(PROMETHEUS_PORT)))).firing(),
                "no job RUNNING: the rule fires");

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

            assertTheTimeRangeFollowsTheSelectedRuns(reader, grafana, dashboard, runA);
        }
        assertTheAlertRulesSqlMirrorsHealth(runA, runB);
    }

    // --- the time range follows the selected runs --------------------------------------------------

    /**
     * The link "Time range of the selected runs" and the runs table's per-run link set Grafana's time
     * range to the runs' own bars (REPLAY rows carry replayed, historic times), from the hidden variables
     * run_from / run_to, resolved here as Grafana resolves them once strategy_run is chosen.
     */
    private static void assertTheTimeRangeFollowsTheSelectedRuns(Connection reader, GrafanaSql grafana, JsonNode dashboard,
                                                                 UUID run) throws SQLException {
        long first = count("SELECT (extract(epoch FROM min(metric_time)) * 1000)::bigint FROM strategy_metrics"
                + " WHERE strategy_run_id = ?", run);
        long last = count("SELECT (extract(epoch FROM max(metric_time)) * 1000)::bigint FROM strategy_metrics"
                + " WHERE strategy_run_id = ?", run);
        long barMillis = 60_000; // the run's bar_interval_seconds
        GrafanaSql onlyRun = grafana.withVariables(Map.of("strategy_run", List.of(run.toString())));
        String from = singleValue(rows(reader, onlyRun.expand(variableQuery(dashboard, "run_from"))));
        String to = singleValue(rows(reader, onlyRun.expand(variableQuery(dashboard, "run_to"))));
        assertEquals(String.valueOf(first), from, "run_from: the run's first bar");
        assertEquals(String.valueOf(last + barMillis), to, "run_to: the end of the run's last bar");
        String expected = "/d/quant-signals-overview/quant-signals-overview?from=" + first + "&to=" + (last + barMillis)
                + "&var-strategy_run=" + run;
        JsonNode link = dashboard.path("links").get(0);
        assertEquals("Time range of the selected runs", link.path("title").asText());
        assertFalse(link.path("keepTime").asBoolean(), "the link sets the time range: it must not keep the current one");
        assertEquals(expected, expandLink(link.path("url").asText(), Map.of("run_from", from, "run_to", to),
                Map.of("strategy_run", List.of(run.toString())), Map.of()));

        // With that range the panels show the whole run, and nothing outside it.
        GrafanaSql runRange = new GrafanaSql(Instant.ofEpochMilli(first), Instant.ofEpochMilli(last + barMillis), INTERVAL,
                Map.of("strategy_run", List.of(run.toString()), "symbol", SYMBOLS));
        String cumulative = panelQueries(dashboard).stream().filter(q -> q.where().equals("panel 'Cumulative return' query A"))
                .findFirst().orElseThrow().sql();
        List<Map<String, Object>> bars = rows(reader, runRange.expand(cumulative));
        assertEquals(count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run), bars.size(),
                "minute bars at a one-minute interval: one point per bar of the run");

        // The runs table links each run to the same range.
        JsonNode runsPanel = panel(dashboard, "Strategy runs");
        List<Map<String, Object>> runRows = rows(reader, onlyRun.expand(runsPanel.path("targets").get(0).path("rawSql").asText()));
        assertEquals(1, runRows.size(), runRows.toString());
        JsonNode dataLink = null;
        for (JsonNode override : runsPanel.path("fieldConfig").path("overrides")) {
            for (JsonNode property : override.path("properties")) {
                if (property.path("id").asText().equals("links")) {
                    dataLink = property.path("value").get(0);
                }
            }
        }
        assertNotNull(dataLink, "the runs table has a link per run");
        assertEquals(expected, expandLink(dataLink.path("url").asText(), Map.of(), Map.of(), runRows.get(0)));

        // A run without bars yet: Grafana's default range.
        UUID noBars = createRun(RunType.REPLAY, new StrategyParams(2, 5, 1, 0.0, 0.0, 60, false, SYMBOLS, null));
        GrafanaSql onlyNew = grafana.withVariables(Map.of("strategy_run", List.of(noBars.toString())));
        assertEquals("now-6h", singleValue(rows(reader, onlyNew.expand(variableQuery(dashboard, "run_from")))));
        assertEquals("now", singleValue(rows(reader, onlyNew.expand(variableQuery(dashboard, "run_to")))));
    }

    private static String singleValue(List<Map<String, Object>> rows) {
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(1, rows.get(0).size(), rows.toString());
        return String.valueOf(rows.get(0).values().iterator().next());
    }

    private static JsonNode panel(JsonNode dashboard, String title) {
        for (JsonNode p : dashboard.path("panels")) {
            if (p.path("title").asText().equals(title)) {
                return p;
            }
        }
        return fail("no panel " + title);
    }

    private static final Pattern LINK_VARIABLE = Pattern.compile("\\$\\{([\\w.]+)(?::(\\w+))?}");

    /**
     * A dashboard or data link as Grafana interpolates it: {@code ${name}} a single value,
     * {@code ${name:queryparam}} {@code var-name=v} per value, {@code ${__data.fields.col}} the clicked row's value.
     */
    static String expandLink(String template, Map<String, String> values, Map<String, List<String>> multi, Map<String, Object> row) {
        Matcher m = LINK_VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value;
            if (name.startsWith("__data.fields.")) {
                String field = name.substring("__data.fields.".length());
                assertTrue(row.containsKey(field), "the link names " + field + ", not a column of " + row.keySet());
                value = String.valueOf(row.get(field));
            } else if ("queryparam".equals(m.group(2))) {
                List<String> params = new ArrayList<>();
                multi.get(name).forEach(v -> params.add("var-" + name + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
                value = String.join("&", params);
            } else {
                value = values.get(name);
            }
            assertNotNull(value, "no value for " + m.group() + " in " + template);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    // --- PromQL against the running job's metrics -----------------------------------------------

    /**
     * Every PromQL query of the dashboard and of the alert rules, against a scrape of Flink's
     * Prometheus reporter while the job runs: each vector selector (metric name and label matchers,
     * job_name included) matches series Flink exposes, each label it groups by is on them; and the
     * values are the job's (its ticks, its NOT_JSON rejection, RUNNING, no restart, a recent checkpoint).
     */
    private static void assertThePromQlMatchesTheJobsMetrics(PrometheusScrape scrape) {
        List<PromQuery> queries = new ArrayList<>(promQueries(dashboard()));
        for (GrafanaAlertRules.Rule rule : GrafanaAlertRules.load()) {
            if (rule.datasourceUid().equals(PROMETHEUS_UID)) {
                queries.add(new PromQuery("alert rule '" + rule.title() + "'", rule.promQl()));
            }
        }
        assertEquals(10, queries.size(), "nine panel queries and one alert rule: " + queries);
        List<Executable> checks = new ArrayList<>();
        for (PromQuery query : queries) {
            checks.add(() -> {
                PromQl.Parts parts = PromQl.parse(query.expr());
                assertFalse(parts.selectors().isEmpty(), query.where() + " selects no metric: " + query.expr());
                for (PromQl.Selector selector : parts.selectors()) {
                    List<PrometheusScrape.Sample> selected = selector.select(scrape);
                    String stem = selector.metric().substring(selector.metric().lastIndexOf('_') + 1);
                    assertFalse(selected.isEmpty(), query.where() + ": " + selector + " matches no series of the job; names"
                            + " ending like it: " + scrape.names().stream().filter(n -> n.endsWith(stem)).limit(5).toList());
                    for (String label : parts.groupingLabels()) {
                        assertTrue(selected.stream().allMatch(s -> s.labels().containsKey(label)),
                                query.where() + ": no label " + label + " on " + selected);
                    }
                }
            });
        }
        assertAll("the dashboard's and alert rules' PromQL against the job's metrics", checks);

        assertTrue(sum(scrape, "flink_taskmanager_job_task_operator_ticksIn") >= 600, "ticksIn counts the scenario's ticks");
        assertTrue(scrape.samples().stream().anyMatch(s -> s.name().equals("flink_taskmanager_job_task_operator_rejectReason_ticksRejected")
                && "NOT_JSON".equals(s.labels().get("rejectReason")) && s.value() >= 1), "the NOT_JSON rejection, by reason");
        // LATE is decided by the strategy operator, not the source: counted under the same name and label.
        assertTrue(scrape.samples().stream().anyMatch(s -> s.name().equals("flink_taskmanager_job_task_operator_rejectReason_ticksRejected")
                && "LATE".equals(s.labels().get("rejectReason")) && s.value() >= 1), "the LATE rejection, by reason");
        assertEquals(0.0, sum(scrape, "flink_jobmanager_job_numRestarts"), "no restart");
        double completed = sum(scrape, "flink_jobmanager_job_lastCheckpointCompletedTimestamp");
        assertTrue(System.currentTimeMillis() - completed < 60_000, "a checkpoint completed within the last minute: " + completed);
        assertTrue(sum(scrape, "flink_taskmanager_job_task_operator_eventTimeLagMillis") > Duration.ofMinutes(60).toMillis(),
                "the scenario's ticks are about two hours old: so is the event time");
        assertEquals(1, jobRunningCount(scrape), "the job is RUNNING");
        assertEquals(List.of(), GrafanaAlertRules.evaluate(GrafanaAlertRules.rule("Job not RUNNING"),
                Map.of(Map.of(), (double) jobRunningCount(scrape))).firing(), "a RUNNING job: the rule is quiet");
    }

    private static double sum(PrometheusScrape scrape, String metric) {
        List<PrometheusScrape.Sample> samples = scrape.samples().stream()
                .filter(s -> s.name().equals(metric) && "quant_signals".equals(s.labels().get("job_name"))).toList();
        assertFalse(samples.isEmpty(), "no " + metric + " for job_name quant_signals");
        return samples.stream().mapToDouble(PrometheusScrape.Sample::value).sum();
    }

    private static final Pattern COUNT_RUNNING = Pattern.compile("count\\((.+?)\\s*==\\s*1\\)\\s+or\\s+vector\\(0\\)");

    /**
     * The value of the "Job not RUNNING" rule's PromQL on a scrape: {@code count(<selector> == 1) or
     * vector(0)} is the number of series it selects whose value is 1 (0 when there are none).
     */
    private static int jobRunningCount(PrometheusScrape scrape) {
        String expr = GrafanaAlertRules.rule("Job not RUNNING").promQl().strip();
        Matcher m = COUNT_RUNNING.matcher(expr);
        assertTrue(m.matches(), "the rule's PromQL is not count(<selector> == 1) or vector(0), the shape evaluated here: " + expr);
        PromQl.Parts parts = PromQl.parse(m.group(1));
        assertEquals(1, parts.selectors().size(), expr);
        return (int) parts.selectors().get(0).select(scrape).stream().filter(s -> s.value() == 1.0).count();
    }

    private static PrometheusScrape scrapeQuietly() {
        try {
            return PrometheusScrape.scrape(PROMETHEUS_PORT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- the alert rules' SQL ---------------------------------------------------------------------

    /** Runs the rule's SQL as Grafana's read-only role and evaluates the rule on its rows. */
    private static GrafanaAlertRules.Evaluation evaluateAsGrafana(GrafanaAlertRules.Rule rule) throws SQLException {
        assertEquals(TIMESCALEDB_UID, rule.datasourceUid(), rule.title() + " is a SQL rule");
        String sql = new GrafanaSql(Instant.now().minus(Duration.ofMinutes(10)), Instant.now(), INTERVAL, Map.of()).expand(rule.sql());
        try (Connection reader = DriverManager.getConnection(POSTGRES.jdbcUrl(), READER, READER_PASSWORD)) {
            return GrafanaAlertRules.evaluateTable(rule, rows(reader, sql));
        } catch (SQLException e) {
            throw new AssertionError("alert rule '" + rule.title() + "' fails: " + e.getMessage() + "\n" + sql, e);
        }
    }

    /**
     * The SQL rules in the situations ops-cli health judges, on the job's rows (ticks about two hours
     * old, the global kill switch engaged then released, runs without a drawdown limit) and rows
     * added the way the job and ops-cli write them: each rule fires exactly where health warns.
     */
    private static void assertTheAlertRulesSqlMirrorsHealth(UUID runA, UUID runB) throws SQLException {
        GrafanaAlertRules.Rule stale = GrafanaAlertRules.rule("Stale ticks");
        GrafanaAlertRules.Rule killSwitch = GrafanaAlertRules.rule("Kill switch engaged");
        GrafanaAlertRules.Rule drawdown = GrafanaAlertRules.rule("Drawdown near the limit");

        // Ticks: the job archived both symbols' ticks, all of them older than health's 60 s. (The
        // watermark sentinel's tick is dropped: its age depends on how long the test took.)
        try (Connection owner = POSTGRES.connect(); Statement s = owner.createStatement()) {
            s.execute("DELETE FROM price_ticks WHERE symbol = 'SENTINEL'");
        }
        assertEquals(List.of(Map.of("symbol", "BTCUSD"), Map.of("symbol", "ETHUSD")), evaluateAsGrafana(stale).firing(),
                "both symbols' newest ticks are stale");
        try (Connection owner = POSTGRES.connect(); Statement s = owner.createStatement()) {
            // A fresh live tick for BTCUSD; ETHUSD's newest tick imported (history, no live feed); an old
            // imported-only symbol.
            s.execute("INSERT INTO price_ticks (event_time, symbol, price, source) VALUES"
                    + " (now() - interval '5 seconds', 'BTCUSD', 100, 'kafka:prices/0@999999'),"
                    + " (now() - interval '1 second', 'ETHUSD', 50, 'import:history.csv'),"
                    + " (now() - interval '3 days', 'SOLUSD', 20, 'import:history.csv')");
        }
        GrafanaAlertRules.Evaluation ticks = evaluateAsGrafana(stale);
        assertEquals(Map.of(Map.of("symbol", "BTCUSD"), false), ticks.instances(),
                "a fresh live tick is fine; symbols whose newest tick was imported are not judged");

        // Kill switches: the global one was released during the run; a run's switch engaged now (the
        // job's FILE row) fires for that run; a risk halt is not a kill switch (health's risk-halt check).
        try (Connection owner = POSTGRES.connect();
             PreparedStatement insert = owner.prepareStatement("INSERT INTO kill_switch_events"
                     + " (event_time, strategy_run_id, action, source, reason) VALUES (now(), ?, 'ENGAGED', ?, 'test')")) {
            insert.setObject(1, runA);
            insert.setString(2, "FILE");
            insert.execute();
            insert.setObject(1, runB);
            insert.setString(2, "RISK_LIMIT");
            insert.execute();
        }
        GrafanaAlertRules.Evaluation switches = evaluateAsGrafana(killSwitch);
        assertEquals(Map.of(Map.of("scope", "all runs"), false, Map.of("scope", runA.toString()), true), switches.instances());

        // Drawdown: neither run has a max_drawdown: nothing to judge (no data is OK for this rule).
        GrafanaAlertRules.Evaluation noLimits = evaluateAsGrafana(drawdown);
        assertTrue(noLimits.noData() && noLimits.firing().isEmpty(), "runs without a limit: " + noLimits);
        // Limits of 10%, and a newer bar for BTCUSD of each run (as the job writes one): run a 9% down (90%
        // of its limit used: health warns), run b 7.9% down (79%: health is quiet). ETHUSD keeps the
        // job's own newest bars, within both limits.
        setMaxDrawdown(runA, 0.10);
        setMaxDrawdown(runB, 0.10);
        addBar(runA, "BTCUSD", -0.09);
        addBar(runB, "BTCUSD", -0.079);
        GrafanaAlertRules.Evaluation limits = evaluateAsGrafana(drawdown);
        assertEquals(List.of(Map.of("strategy_run_id", runA.toString(), "run_type", "PAPER", "symbol", "BTCUSD")), limits.firing(),
                "90% of run a's limit used fires, 79% of run b's does not: " + limits.instances());
        assertEquals(4, limits.instances().size(), "every symbol of both active runs is judged: " + limits.instances());
        // An ended run is not judged any more (health looks at active LIVE and PAPER runs only).
        try (Connection owner = POSTGRES.connect(); PreparedStatement end = owner.prepareStatement(
                "UPDATE strategy_runs SET ended_at = now() WHERE strategy_run_id = ?")) {
            end.setObject(1, runA);
            end.execute();
        }
        assertEquals(List.of(), evaluateAsGrafana(drawdown).firing(), "run a ended");

        // No live tick at all: health warns "no ticks"; the rule's no-data state is Alerting.
        try (Connection owner = POSTGRES.connect(); Statement s = owner.createStatement()) {
            s.execute("DELETE FROM price_ticks");
        }
        GrafanaAlertRules.Evaluation none = evaluateAsGrafana(stale);
        assertTrue(none.noData(), none.toString());
        assertEquals(List.of(Map.of()), none.firing(), "no ticks at all fires");
    }

    /** A bar one minute after the run's newest for the symbol, with the given drawdown (the rest copied). */
    private static void addBar(UUID run, String symbol, double drawdown) throws SQLException {
        try (Connection owner = POSTGRES.connect(); PreparedStatement insert = owner.prepareStatement(
                "INSERT INTO strategy_metrics SELECT metric_time + interval '1 minute', strategy_run_id, symbol, price,"
                        + " sma_fast, sma_slow, position, 0, 0, 0, 0, cumulative_return, ? FROM strategy_metrics"
                        + " WHERE strategy_run_id = ? AND symbol = ? ORDER BY metric_time DESC LIMIT 1")) {
            insert.setDouble(1, drawdown);
            insert.setObject(2, run);
            insert.setString(3, symbol);
            assertEquals(1, insert.executeUpdate());
        }
    }

    /** What ops-cli runs update writes: the run's params with max_drawdown set. */
    private static void setMaxDrawdown(UUID run, double limit) throws SQLException {
        assertTrue(limit > 0 && limit <= 1, "max_drawdown must be a fraction above 0 and at most 1: " + limit);
        try (Connection owner = POSTGRES.connect(); PreparedStatement update = owner.prepareStatement(
                "UPDATE strategy_runs SET params = jsonb_set(params, '{max_drawdown}', to_jsonb(?::double precision)),"
                        + " updated_at = now() WHERE strategy_run_id = ?")) {
            update.setDouble(1, limit);
            update.setObject(2, run);
            assertEquals(1, update.executeUpdate());
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
