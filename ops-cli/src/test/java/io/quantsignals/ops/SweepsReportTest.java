package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.analytics.SummaryAccumulator;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sweeps report} and {@code sweeps walk-forward} against the real PostgreSQL the ops-cli tests
 * share: a sweep made by {@code sweeps create}, its runs' summaries built from backtests of a seeded
 * 45-day random walk of two symbols in hourly bars, and every figure checked against
 * {@link RunAnalytics} over the same bars, computed here independently of the summaries.
 */
class SweepsReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY = PeriodSummary.PERIOD_MILLIS;
    private static final long START = BacktestRows.START_MILLIS; // 2024-06-01T00:00:00Z
    private static final String BASE = "{\"bar_interval_seconds\": 3600, \"allow_short\": true,"
            + " \"transaction_cost_bps\": 5, \"slippage_bps\": 2}";
    private static PostgresServer postgres;
    private static List<Backtest.Tick> ticks;

    @TempDir
    Path dir;

    private CliRunner cli;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.shared();
        // 45 days of 10-minute ticks (2024-06-01 .. 2024-07-15), two symbols.
        ticks = new ArrayList<>(BacktestRows.randomWalk(11, "AAA", 100, 6_480, 600_000));
        ticks.addAll(BacktestRows.randomWalk(12, "BBB", 50, 6_480, 600_000));
        ticks.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
    }

    @BeforeEach
    void cleanDatabase() {
        cli = CliRunner.againstEmptyDatabase(postgres);
    }

    /** A sweep's run as the test knows it: id, params, and its backtest. */
    private record SweepRun(UUID id, StrategyParams params, SortedMap<String, Backtest.SymbolResult> results) {
        int fast() {
            return params.smaFastWindow();
        }

        int slow() {
            return params.smaSlowWindow();
        }
    }

    /** Creates the sweep with sweeps create; returns its id and its runs in sweeps show order. */
    private String createSweep(String grid, List<SweepRun> runs) throws Exception {
        CliRunner.Result created = cli.run("sweeps", "create", "sma_cross", "--grid",
                Files.writeString(dir.resolve("grid.json"), grid).toString(), "--base-params",
                Files.writeString(dir.resolve("base.json"), BASE).toString(), "--created-by", "alice");
        assertEquals(0, created.exitCode(), created.err());
        String id = created.outLine();
        for (JsonNode run : JSON.readTree(cli.run("sweeps", "show", id, "--json").out()).get("runs")) {
            StrategyParams p = StrategyParamsParser.parse(run.get("params").toString(), StrategyParamsParser.CostDefaults.ZERO);
            runs.add(new SweepRun(UUID.fromString(run.get("strategy_run_id").textValue()), p, Backtest.run(p, ticks)));
        }
        return id;
    }

    /** Stores the run's summaries: of every period, or only of those before {@code before}. */
    private static void storeSummaries(SweepRun run, long before) throws SQLException {
        try (Connection c = postgres.connect()) {
            for (Backtest.SymbolResult r : run.results().values()) {
                List<PeriodSummary> rows = SummaryAccumulator.ofRows(run.id().toString(), r.symbol(), r.metrics(),
                        r.transitions());
                SummaryRows.insert(c, rows.stream().filter(p -> p.periodStart() < before).toList());
            }
        }
    }

    // ---- the figures, independently: RunAnalytics over (rebased) metric rows ---------------------

    /** A symbol's RunAnalytics figures over the bars of periods in [from, to), rebased to the window's start. */
    private static Figures windowFigures(Backtest.SymbolResult r, long from, long to) {
        if (from <= START && to == Long.MAX_VALUE) {
            return RunAnalytics.of(3600, Map.of(r.symbol(), r.metrics()), Map.of(r.symbol(), r.transitions()))
                    .symbol(r.symbol()).figures();
        }
        List<MetricRow> rebased = new ArrayList<>();
        double start = Double.NaN;
        double peak = 1.0;
        double previous = 1.0;
        for (MetricRow m : r.metrics()) {
            double equity = 1.0 + m.cumulativeReturn();
            long period = PeriodSummary.periodOf(m.metricTime());
            if (period >= from && period < to) {
                if (Double.isNaN(start)) {
                    start = previous;
                }
                double e = equity / start;
                peak = Math.max(peak, e);
                rebased.add(new MetricRow(m.metricTime(), m.price(), null, null, m.position(), m.grossReturn(),
                        m.transactionCost(), m.slippageCost(), m.netReturn(), e - 1.0, e / peak - 1.0));
            }
            previous = equity;
        }
        return RunAnalytics.of(3600, Map.of(r.symbol(), rebased), Map.of()).symbol(r.symbol()).figures();
    }

    /** The run's figure: the mean over its symbols where defined (contract §9.1 "Sweeps"). */
    private static Double expected(SweepRun run, long from, long to, Function<Figures, Double> figure) {
        double sum = 0;
        int n = 0;
        for (Backtest.SymbolResult r : run.results().values()) {
            Double v = figure.apply(windowFigures(r, from, to));
            if (v != null) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-12, what);
    }

    // ---- sweeps report ------------------------------------------------------------------------

    @Test
    void reportRanksTheRunsByTheMetricWithNaLastAndDrawsTheHeatMap() throws Exception {
        List<SweepRun> runs = new ArrayList<>();
        // fast 5, 10, 20 × slow 20, 40: (20, 20) is skipped, 5 runs.
        String id = createSweep("{\"sma_fast_window\": [5, 10, 20], \"sma_slow_window\": [20, 40]}", runs);
        assertEquals(5, runs.size());
        // Runs 0..2 have every summary; run 3 only its first day (slow 40 hourly bars: never a position, every
        // return 0, so Sharpe is n/a); run 4 none yet.
        for (int i = 0; i < 3; i++) {
            storeSummaries(runs.get(i), Long.MAX_VALUE);
        }
        storeSummaries(runs.get(3), START + DAY);
        assertEquals(40, runs.get(3).slow());

        CliRunner.Result json = cli.run("sweeps", "report", id, "--json");
        assertEquals(0, json.exitCode(), json.err());
        JsonNode report = JSON.readTree(json.out());
        assertEquals("sharpe", report.get("metric").textValue());
        assertEquals(5, report.get("runs").intValue());
        assertEquals(4, report.get("runs_with_summaries").intValue());
        assertEquals("2024-06-01", report.get("first_period").textValue());
        assertEquals("2024-07-15", report.get("last_period").textValue());
        assertEquals(List.of("sma_fast_window", "sma_slow_window"), texts(report.get("varying_params")));

        // The expected order: runs 0..2 by their Sharpe (mean over AAA and BBB of RunAnalytics' per-symbol
        // Sharpe), then run 3 (n/a), then run 4 (no summaries): n/a in the sweep's run order.
        List<SweepRun> ranked = new ArrayList<>(runs.subList(0, 3));
        ranked.sort((a, b) -> Double.compare(expected(b, START, Long.MAX_VALUE, Figures::sharpe),
                expected(a, START, Long.MAX_VALUE, Figures::sharpe)));
        ranked.add(runs.get(3));
        ranked.add(runs.get(4));
        JsonNode ranking = report.get("ranking");
        assertEquals(5, ranking.size());
        for (int i = 0; i < 5; i++) {
            JsonNode row = ranking.get(i);
            SweepRun run = ranked.get(i);
            assertEquals(run.id().toString(), row.get("strategy_run_id").textValue(), "rank " + (i + 1));
            assertEquals(run.fast(), row.get("params").get("sma_fast_window").intValue());
            if (i < 3) {
                assertEquals(i + 1, row.get("rank").intValue());
                JsonNode f = row.get("figures");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::sharpe), row.get("value").doubleValue(), "sharpe");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::netReturn), f.get("net_return").doubleValue(), "net");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::sortino), f.get("sortino").doubleValue(), "sortino");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::calmar), f.get("calmar").doubleValue(), "calmar");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::maxDrawdown), f.get("max_drawdown").doubleValue(),
                        "max drawdown");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::exposure), f.get("exposure").doubleValue(), "exposure");
                assertClose(expected(run, START, Long.MAX_VALUE, Figures::buyAndHold), f.get("buy_and_hold").doubleValue(),
                        "buy-and-hold");
                // Trades pooled over the symbols.
                int trades = 0;
                for (Backtest.SymbolResult r : run.results().values()) {
                    trades += windowFigures(r, START, Long.MAX_VALUE).trades().closed();
                }
                assertEquals(trades, f.get("trades").intValue());
                // A tick every 10 minutes: every hour of the 45 days is a bar, 1080 per symbol.
                assertEquals(2 * 1080, f.get("bars").longValue());
            } else {
                assertTrue(row.get("rank").isNull());
                assertTrue(row.get("value").isNull());
            }
        }
        assertEquals(0, ranking.get(4).get("periods").intValue());
        assertTrue(ranking.get(3).get("periods").intValue() == 2, "one day, two symbols");

        // Heat map: rows fast 5, 10, 20; columns slow 20, 40; (20, 20) has no run; each cell its run's value.
        JsonNode heat = report.get("heat_map");
        assertFalse(heat.get("best_over_other_params").booleanValue());
        assertEquals(List.of(5, 10, 20), ints(heat.get("sma_fast_window")));
        assertEquals(List.of(20, 40), ints(heat.get("sma_slow_window")));
        assertTrue(heat.get("cells").get(2).get(0).isNull());
        for (SweepRun run : runs) {
            int r = List.of(5, 10, 20).indexOf(run.fast());
            int c = List.of(20, 40).indexOf(run.slow());
            JsonNode cell = heat.get("cells").get(r).get(c);
            assertEquals(run.id().toString(), cell.get("strategy_run_id").textValue());
            assertEquals(1, cell.get("runs").intValue());
            Double value = runs.indexOf(run) < 3 ? expected(run, START, Long.MAX_VALUE, Figures::sharpe) : null;
            if (value == null) {
                assertTrue(cell.get("value").isNull());
            } else {
                assertClose(value, cell.get("value").doubleValue(), "cell");
            }
        }

        // Text: the same order; n/a rows without a rank; a run without summaries shows "-".
        CliRunner.Result text = cli.run("sweeps", "report", id);
        assertEquals(0, text.exitCode(), text.err());
        List<String> lines = text.out().lines().toList();
        assertTrue(lines.get(0).startsWith("sweep " + id + "  metric sharpe  symbols all (AAA, BBB)  runs 5 (4 with summaries)"),
                lines.get(0));
        assertTrue(lines.get(1).matches("RANK +STRATEGY_RUN_ID +sma_fast_window +sma_slow_window +SHARPE +SORTINO .*"), lines.get(1));
        for (int i = 0; i < 5; i++) {
            String line = lines.get(2 + i);
            assertTrue(line.startsWith((i < 3 ? Integer.toString(i + 1) : "-") + "     " + ranked.get(i).id()), line);
        }
        assertTrue(lines.get(5).contains(" n/a "), lines.get(5));
        assertTrue(lines.get(6).matches(".* 40( +-)+$"), lines.get(6));

        // --out: the page, self-contained, with the heat map's cells and the ranking.
        Path page = dir.resolve("sweep.html");
        CliRunner.Result html = cli.run("sweeps", "report", id, "--metric", "net_return", "--out", page.toString());
        assertEquals(0, html.exitCode(), html.err());
        assertEquals("wrote " + page.toAbsolutePath(), html.err().strip());
        String content = Files.readString(page);
        assertFalse(content.contains("<script src") || content.contains("<link") || content.contains("http"),
                "no external assets");
        Matcher cells = Pattern.compile("<td class=\"(cell|na)\" data-fast=\"(\\d+)\" data-slow=\"(\\d+)\" data-run=\"([0-9a-f-]+)\"[^>]*>([^<]*)</td>")
                .matcher(content);
        Map<String, String> shown = new LinkedHashMap<>();
        while (cells.find()) {
            shown.put(cells.group(2) + "x" + cells.group(3), cells.group(4) + " " + cells.group(5));
        }
        assertEquals(5, shown.size(), content);
        // Net return is defined for run 3 (0 over its flat day); run 4 has no summaries: n/a.
        assertEquals(runs.get(4).id() + " n/a", shown.get("20x40"));
        double net0 = expected(runs.get(0), START, Long.MAX_VALUE, Figures::netReturn);
        assertEquals(runs.get(0).id() + " " + String.format(java.util.Locale.ROOT, "%.3f%%", net0 * 100), shown.get("5x20"));
        assertTrue(content.contains("<td class=\"empty\">&mdash;</td>"), "the skipped (20, 20)");
        assertFalse(content.contains("best-over-others"));
        assertTrue(content.contains("<h2>Ranking by net_return"));
    }

    @Test
    void heatMapCellsShowTheBestOverParamsThatVaryToo() throws Exception {
        List<SweepRun> runs = new ArrayList<>();
        String id = createSweep("{\"sma_fast_window\": [5, 10], \"sma_slow_window\": 30,"
                + " \"sma_confirmation_window\": [1, 3]}", runs);
        assertEquals(4, runs.size());
        for (SweepRun run : runs) {
            storeSummaries(run, Long.MAX_VALUE);
        }
        JsonNode report = JSON.readTree(cli.run("sweeps", "report", id, "--json", "--metric", "sortino").out());
        assertEquals(List.of("sma_fast_window", "sma_confirmation_window"), texts(report.get("varying_params")));
        JsonNode heat = report.get("heat_map");
        assertTrue(heat.get("best_over_other_params").booleanValue());
        for (int fast : List.of(5, 10)) {
            SweepRun best = null;
            for (SweepRun run : runs) {
                if (run.fast() == fast && (best == null || expected(run, START, Long.MAX_VALUE, Figures::sortino)
                        > expected(best, START, Long.MAX_VALUE, Figures::sortino))) {
                    best = run;
                }
            }
            JsonNode cell = heat.get("cells").get(fast == 5 ? 0 : 1).get(0);
            assertEquals(best.id().toString(), cell.get("strategy_run_id").textValue());
            assertEquals(2, cell.get("runs").intValue());
        }
        Path page = dir.resolve("p.html");
        assertEquals(0, cli.run("sweeps", "report", id, "--out", page.toString()).exitCode());
        assertTrue(Files.readString(page).contains("id=\"best-over-others\">Other params vary too (sma_confirmation_window)"));

        // --symbol: the ranking of one symbol's figures.
        JsonNode aaa = JSON.readTree(cli.run("sweeps", "report", id, "--json", "--symbol", "AAA").out());
        assertEquals("AAA", aaa.get("symbol").textValue());
        JsonNode first = aaa.get("ranking").get(0);
        SweepRun run = runs.stream().filter(r -> r.id().toString().equals(first.get("strategy_run_id").textValue()))
                .findFirst().orElseThrow();
        assertClose(windowFigures(run.results().get("AAA"), START, Long.MAX_VALUE).sharpe(), first.get("value").doubleValue(),
                "AAA sharpe");
        for (SweepRun other : runs) {
            assertTrue(windowFigures(other.results().get("AAA"), START, Long.MAX_VALUE).sharpe()
                    <= first.get("value").doubleValue() * (1 + 1e-9));
        }
    }

    @Test
    void aSweepWithoutSummariesSaysSo() throws Exception {
        List<SweepRun> runs = new ArrayList<>();
        String id = createSweep("{\"sma_fast_window\": [5, 10], \"sma_slow_window\": 30}", runs);
        CliRunner.Result r = cli.run("sweeps", "report", id);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("sweep " + id + " has no summaries yet (2 runs; the job writes them as the sweep"
                + " is replayed with replay-tool --sweep-id)", r.outLine());
        JsonNode json = JSON.readTree(cli.run("sweeps", "report", id, "--json").out());
        assertEquals(0, json.get("runs_with_summaries").intValue());
        assertTrue(json.get("first_period").isNull());
        assertEquals(2, json.get("ranking").size());
        assertTrue(json.get("ranking").get(0).get("rank").isNull());
        assertEquals(runs.get(0).id().toString(), json.get("ranking").get(0).get("strategy_run_id").textValue(),
                "all n/a: the sweep's run order");
        Path page = dir.resolve("empty.html");
        assertEquals(0, cli.run("sweeps", "report", id, "--out", page.toString()).exitCode());
        assertTrue(Files.readString(page).contains("id=\"no-summaries\""));
        // Walk-forward needs days of summaries: exit 2.
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--train", "30d", "--test", "7d"),
                "ops-cli: sweep " + id + " has no summaries yet");
    }

    // ---- sweeps walk-forward ------------------------------------------------------------------

    @Test
    void walkForwardChoosesTheBestTrainRunPerWindowAndStitchesTheTestWindows() throws Exception {
        List<SweepRun> runs = new ArrayList<>();
        String id = createSweep("{\"sma_fast_window\": [3, 5, 10], \"sma_slow_window\": [20, 40]}", runs);
        assertEquals(6, runs.size());
        for (SweepRun run : runs) {
            storeSummaries(run, Long.MAX_VALUE);
        }
        // 45 days, train 7, test 3: windows start at days 0, 3, ..., 33 (12 windows; the 12th tests days 40..43);
        // a 13th would test days 43..46, past the data (day 45), and is left out.
        CliRunner.Result r = cli.run("sweeps", "walk-forward", id, "--train", "7d", "--test", "3d", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode wf = JSON.readTree(r.out());
        JsonNode windows = wf.get("windows");
        assertEquals(12, windows.size());
        double oos = 1.0;
        double is = 1.0;
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int k = 0; k < 12; k++) {
            long trainFrom = START + k * 3 * DAY;
            long trainTo = trainFrom + 7 * DAY;
            long testTo = trainTo + 3 * DAY;
            SweepRun best = null;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (SweepRun run : runs) {
                Double v = expected(run, trainFrom, trainTo, Figures::sharpe);
                if (v != null && v > bestValue) {
                    best = run;
                    bestValue = v;
                }
            }
            JsonNode w = windows.get(k);
            assertEquals(java.time.Instant.ofEpochMilli(trainFrom).toString(), w.get("train_from").textValue());
            assertEquals(java.time.Instant.ofEpochMilli(trainTo).toString(), w.get("test_from").textValue());
            assertEquals(java.time.Instant.ofEpochMilli(testTo).toString(), w.get("test_to").textValue());
            assertEquals(best.id().toString(), w.get("strategy_run_id").textValue(), "window " + (k + 1));
            chosen.add(best.id().toString());
            assertEquals(best.fast(), w.get("params").get("sma_fast_window").intValue());
            assertClose(bestValue, w.get("in_sample").doubleValue(), "in-sample sharpe");
            assertClose(expected(best, trainTo, testTo, Figures::sharpe), w.get("out_of_sample").doubleValue(), "oos sharpe");
            double testReturn = expected(best, trainTo, testTo, Figures::netReturn);
            double trainReturn = expected(best, trainFrom, trainTo, Figures::netReturn);
            assertClose(testReturn, w.get("out_of_sample_return").doubleValue(), "oos return");
            assertClose(trainReturn, w.get("in_sample_return").doubleValue(), "in-sample return");
            oos *= 1 + testReturn;
            is *= 1 + trainReturn;
            assertClose(oos, w.get("out_of_sample_equity").doubleValue(), "running oos equity");
        }
        assertTrue(chosen.size() > 1, "the data makes different windows choose different runs: " + chosen);
        assertClose(oos, wf.get("stitched").get("out_of_sample_equity").doubleValue(), "stitched oos");
        assertClose(is, wf.get("stitched").get("in_sample_equity").doubleValue(), "stitched in-sample");
        // The benchmark: the best run by Sharpe over the out-of-sample span, days 7..43.
        long oosFrom = START + 7 * DAY;
        long oosTo = START + 43 * DAY;
        assertEquals(java.time.Instant.ofEpochMilli(oosTo).toString(), wf.get("stitched").get("out_of_sample_to").textValue());
        SweepRun hindsight = null;
        for (SweepRun run : runs) {
            if (hindsight == null || expected(run, oosFrom, oosTo, Figures::sharpe) > expected(hindsight, oosFrom, oosTo, Figures::sharpe)) {
                hindsight = run;
            }
        }
        assertEquals(hindsight.id().toString(), wf.get("best_single_run").get("strategy_run_id").textValue());
        assertClose(expected(hindsight, oosFrom, oosTo, Figures::sharpe), wf.get("best_single_run").get("value").doubleValue(),
                "hindsight sharpe");
        assertClose(1 + expected(hindsight, oosFrom, oosTo, Figures::netReturn),
                wf.get("best_single_run").get("equity").doubleValue(), "hindsight equity");

        // Text: a line per window and the three equities.
        CliRunner.Result text = cli.run("sweeps", "walk-forward", id, "--train", "7d", "--test", "3d");
        assertEquals(0, text.exitCode(), text.err());
        List<String> lines = text.out().lines().toList();
        assertEquals(17, lines.size(), text.out());
        assertTrue(lines.get(0).endsWith("train 7d  test 3d  windows 12"), lines.get(0));
        assertTrue(lines.get(1).matches("WINDOW +TRAIN +TEST +STRATEGY_RUN_ID +PARAMS +IS_SHARPE +OOS_SHARPE +IS_RETURN"
                + " +OOS_RETURN +OOS_EQUITY"), lines.get(1));
        assertTrue(lines.get(2).startsWith("1       2024-06-01..2024-06-08  2024-06-08..2024-06-11  "
                + windows.get(0).get("strategy_run_id").textValue() + "  sma_fast_window="), lines.get(2));
        assertTrue(lines.get(14).startsWith("stitched out-of-sample equity  " + String.format(java.util.Locale.ROOT, "%.6f", oos)),
                lines.get(14));
        assertTrue(lines.get(15).startsWith("stitched in-sample equity      " + String.format(java.util.Locale.ROOT, "%.6f", is)),
                lines.get(15));
        assertTrue(lines.get(16).startsWith("best single run over 2024-06-08..2024-07-14: " + hindsight.id()), lines.get(16));

        // Exactly train + test days: one window; one day more than the data: exit 2.
        assertEquals(1, JSON.readTree(cli.run("sweeps", "walk-forward", id, "--train", "38d", "--test", "7d", "--json").out())
                .get("windows").size());
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--train", "39d", "--test", "7d"),
                "ops-cli: sweep " + id + " has 45 days of summaries (2024-06-01 .. 2024-07-15), fewer than --train 39d + --test 7d");
    }

    // ---- errors -------------------------------------------------------------------------------

    @Test
    void invalidInputIsExit2WithOneLine() throws Exception {
        List<SweepRun> runs = new ArrayList<>();
        String id = createSweep("{\"sma_fast_window\": [5, 10], \"sma_slow_window\": 30}", runs);
        storeSummaries(runs.get(0), Long.MAX_VALUE);
        String unknown = UUID.randomUUID().toString();
        assertInvalid(cli.run("sweeps", "report", unknown), "ops-cli: unknown sweep id " + unknown);
        assertInvalid(cli.run("sweeps", "walk-forward", unknown, "--train", "30d", "--test", "7d"),
                "ops-cli: unknown sweep id " + unknown);
        assertInvalid(cli.run("sweeps", "report", "not-a-uuid"), "sweep id");
        assertInvalid(cli.run("sweeps", "report", id, "--metric", "alpha"), "--metric");
        assertInvalid(cli.run("sweeps", "report", id, "--symbol", "ZZZ"),
                "ops-cli: sweep " + id + " has no summaries of symbol 'ZZZ' (its symbols: AAA, BBB)");
        assertInvalid(cli.run("sweeps", "report", id, "--symbol", " "), "--symbol");
        assertInvalid(cli.run("sweeps", "report", id, "--out", dir.resolve("missing/x.html").toString()), "does not exist");
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--train", "36h", "--test", "7d"),
                "ops-cli: --train must be a whole number of days, at least 1 (like 30d), got '36h'");
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--train", "30d", "--test", "0d"), "--test must be a whole number");
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--train", "30d", "--test", "soon"), "--test must be a whole number");
        assertInvalid(cli.run("sweeps", "walk-forward", id, "--test", "7d"), "--train");
        CliRunner.Result help = cli.run("sweeps", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("  report ") && help.out().contains("  walk-forward "), help.out());
        // A database that is not there: exit 1, one line.
        CliRunner.Result down = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant").run("sweeps", "report", id);
        assertEquals(1, down.exitCode(), down.err());
        assertEquals(1, down.err().strip().lines().count(), down.err());
    }

    private static void assertInvalid(CliRunner.Result r, String expected) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err() + " stdout: " + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.textValue()));
        return list;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.intValue()));
        return list;
    }
}
