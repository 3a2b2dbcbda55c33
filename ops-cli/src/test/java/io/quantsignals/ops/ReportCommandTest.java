package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ops-cli runs report} against a real PostgreSQL holding rows computed by the reference backtest. */
class ReportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATA_BLOCK =
            Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL);
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

    private static StrategyParams params() {
        return StrategyParams.of(5, 20).withConfirmation(2).withCosts(10, 5).withAllowShort(true);
    }

    private static BacktestRows.Run twoSymbolRun(String createdBy, String first, String second) throws Exception {
        List<Backtest.Tick> ticks = new ArrayList<>(BacktestRows.randomWalk(1, first, 800.0, 1200, 30_000));
        ticks.addAll(BacktestRows.randomWalk(2, second, 35.5, 900, 40_000));
        try (Connection c = postgres.connect()) {
            return BacktestRows.create(c, params(), createdBy, ticks);
        }
    }

    private String report(String runId, Path out) throws IOException {
        CliRunner.Result r = cli.run("runs", "report", runId, "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(out.toAbsolutePath().normalize().toString(), r.outLine(), "prints the path alone");
        assertEquals("", r.err());
        // For looking at the reports in a browser: -Dquantsignals.report.keep=FOLDER keeps a copy of each.
        String keep = System.getProperty("quantsignals.report.keep");
        if (keep != null) {
            Files.copy(out, Path.of(keep).resolve(out.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static JsonNode data(String html) throws IOException {
        Matcher m = DATA_BLOCK.matcher(html);
        assertTrue(m.find(), "the JSON data block");
        JsonNode data = JSON.readTree(m.group(1));
        assertFalse(m.find(), "one data block");
        return data;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReportCommandTest.class.getResourceAsStream("/report/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String pct(double fraction, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f%%", fraction * 100);
    }

    /** A ratio as the report prints it. */
    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    @Test
    void reportIsSelfContainedAndItsFiguresMatchTheRows() throws Exception {
        BacktestRows.Run run = twoSymbolRun("alice", "BTCUSD", "ETHUSD");
        Path out = dir.resolve("report.html");
        String html = report(run.idText(), out);

        // Self-contained: the library inline, nothing fetched.
        assertTrue(html.contains(resource("uplot.min.js")), "uPlot's JS inline");
        assertTrue(html.contains(resource("uplot.min.css")), "uPlot's CSS inline");
        assertTrue(html.contains("MIT License"), "uPlot's licence notice");
        for (String remote : List.of("src=\"http", "href=\"http", "src='http", "href='http", "<link", "<script src", "@import")) {
            assertFalse(html.contains(remote), remote);
        }

        // Header: run, every parameter, the summary.
        assertTrue(html.contains(run.idText()));
        assertTrue(html.contains("REPLAY") && html.contains("alice") && html.contains("sma_cross"));
        for (String key : List.of("sma_fast_window", "sma_slow_window", "sma_confirmation_window", "transaction_cost_bps",
                "slippage_bps", "bar_interval_seconds", "allow_short", "symbols", "max_drawdown")) {
            assertTrue(html.contains("<th>" + key + "</th>"), key);
        }

        JsonNode data = data(html);
        assertEquals(run.idText(), data.get("run").get("strategy_run_id").textValue());
        assertEquals(5, data.get("run").get("params").get("sma_fast_window").intValue());
        JsonNode symbols = data.get("symbols");
        assertEquals(2, symbols.size());
        int i = 0;
        for (Backtest.SymbolResult expected : run.results().values()) {
            JsonNode s = symbols.get(i++);
            assertEquals(expected.symbol(), s.get("symbol").textValue());
            assertTrue(html.contains(">" + expected.symbol() + "<"), expected.symbol() + " in the summary table");
            assertTrue(expected.transitions().size() >= 4, "the data has trades: " + expected.transitions().size());

            // Chart points: every bar (few bars), with the values of the rows.
            List<MetricRow> metrics = expected.metrics();
            assertFalse(s.get("downsampled").booleanValue());
            assertEquals(metrics.size(), s.get("bars").intValue());
            JsonNode series = s.get("series");
            for (String column : List.of("t", "price", "sma_fast", "sma_slow", "equity", "drawdown")) {
                assertEquals(metrics.size(), series.get(column).size(), column);
            }
            for (int k : new int[] {0, 19, metrics.size() - 1}) {
                MetricRow m = metrics.get(k);
                assertEquals(m.metricTime(), series.get("t").get(k).longValue());
                assertEquals(m.price(), series.get("price").get(k).doubleValue());
                assertEquals(1 + m.cumulativeReturn(), series.get("equity").get(k).doubleValue());
                assertEquals(m.drawdown(), series.get("drawdown").get(k).doubleValue());
            }
            assertTrue(series.get("sma_slow").get(18).isNull(), "no slow SMA before 20 bars");
            // SMAs are means, off the price grid: charted on it (SPEC §5.3: prices are multiples of 10⁻⁸).
            assertEquals(ScaledPrice.roundToGrid(metrics.get(19).smaSlow()), series.get("sma_slow").get(19).doubleValue());

            // Markers: every transition, exact.
            JsonNode markers = s.get("transitions");
            assertEquals(expected.transitions().size(), markers.size());
            long entries = 0;
            for (int k = 0; k < markers.size(); k++) {
                PositionTransition t = expected.transitions().get(k);
                JsonNode m = markers.get(k);
                assertEquals(t.eventTime(), m.get("t").longValue());
                assertEquals(t.fromPosition(), m.get("from").intValue());
                assertEquals(t.toPosition(), m.get("to").intValue());
                assertEquals(t.price(), m.get("price").doubleValue());
                assertEquals(ScaledPrice.roundToGrid(t.fillPrice()), m.get("fill_price").doubleValue());
                assertEquals(ScaledPrice.gridText(t.fillPrice()), m.get("fill_price_text").textValue());
                assertEquals(ScaledPrice.gridText(t.price()), m.get("price_text").textValue());
                assertEquals(t.transactionCost(), m.get("transaction_cost").doubleValue());
                assertEquals(t.reason().name(), m.get("reason").textValue());
                entries += m.get("to").intValue() != 0 ? 1 : 0;
            }
            assertEquals(expected.transitions().stream().filter(t -> t.toPosition() != 0).count(), entries);

            // Per-symbol figures, computed here from the same rows.
            JsonNode summary = s.get("summary");
            assertEquals(BacktestRows.netReturn(expected), summary.get("net_return").doubleValue());
            assertEquals(BacktestRows.maxDrawdown(expected), summary.get("max_drawdown").doubleValue());
            assertEquals(expected.transitions().size(), summary.get("trades").intValue());
            assertEquals(BacktestRows.turnover(expected), summary.get("turnover").longValue());
            assertEquals(BacktestRows.transactionCost(expected), summary.get("transaction_cost").doubleValue(), 1e-12);
            assertEquals(BacktestRows.slippageCost(expected), summary.get("slippage_cost").doubleValue(), 1e-12);
            assertEquals(metrics.size(), summary.get("bars").intValue());
            // ... and as printed in the header's summary table.
            for (String cell : List.of(pct(BacktestRows.netReturn(expected), 3), pct(BacktestRows.maxDrawdown(expected), 3),
                    pct(BacktestRows.transactionCost(expected) + BacktestRows.slippageCost(expected), 4))) {
                assertTrue(html.contains("<td>" + cell + "</td>"), cell);
            }
        }

        JsonNode total = data.get("run").get("summary");
        assertEquals(BacktestRows.meanNetReturn(run), total.get("net_return").doubleValue(), 1e-15);
        assertEquals(BacktestRows.worstDrawdown(run), total.get("max_drawdown").doubleValue());
        assertEquals(BacktestRows.trades(run), total.get("trades").longValue());
        assertEquals(BacktestRows.turnover(run), total.get("turnover").longValue());
        assertEquals(BacktestRows.totalCost(run), total.get("total_cost").doubleValue(), 1e-12);
        assertEquals(BacktestRows.bars(run), total.get("bars").longValue());
        assertTrue(html.contains("<td>" + pct(BacktestRows.meanNetReturn(run), 3) + "</td>"));
    }

    @Test
    void reportShowsTheAnalyticsPerSymbolAndForTheEqualWeightPortfolio() throws Exception {
        BacktestRows.Run run = twoSymbolRun("alice", "BTCUSD", "ETHUSD");
        String html = report(run.idText(), dir.resolve("analytics.html"));
        RunAnalytics.Result expected = BacktestRows.analytics(run, 60);
        JsonNode data = data(html);

        assertTrue(html.contains("<caption>Performance</caption>"), "the performance table");
        assertFalse(html.contains("halt-banner"), "nothing ended this run's trading");
        int i = 0;
        for (RunAnalytics.SymbolResult symbol : expected.symbols()) {
            Figures f = symbol.figures();
            JsonNode s = data.get("symbols").get(i++).get("summary");
            assertEquals(symbol.symbol(), s.get("symbol").textValue());
            assertEquals(f.sharpe(), s.get("sharpe").doubleValue(), 1e-12);
            assertEquals(f.sortino(), s.get("sortino").doubleValue(), 1e-12);
            assertEquals(f.calmar(), s.get("calmar").doubleValue(), 1e-12);
            assertEquals(f.annualisedReturn(), s.get("annualised_return").doubleValue(), 1e-12);
            assertEquals(525_600.0, s.get("bars_per_year").doubleValue(), "60 s bars");
            assertEquals(f.exposure(), s.get("exposure").doubleValue(), 1e-15);
            assertEquals(f.buyAndHold(), s.get("buy_and_hold_return").doubleValue(), 1e-15);
            JsonNode trips = s.get("round_trips");
            assertTrue(f.trades().closed() >= 2, "closed trades: " + f.trades().closed());
            assertEquals(f.trades().closed(), trips.get("closed").intValue());
            assertEquals(f.trades().winRate(), trips.get("win_rate").doubleValue(), 1e-15);
            assertEquals(f.trades().best().pnl(), trips.get("best").get("pnl").doubleValue(), 1e-12);
            assertEquals(symbol.roundTrips().size(), data.get("symbols").get(i - 1).get("round_trips").size());
            // The same figures in the performance table, as printed.
            for (String cell : List.of(fixed(f.sharpe()), fixed(f.sortino()), fixed(f.calmar()), pct(f.buyAndHold(), 3),
                    pct(f.exposure(), 3), pct(f.trades().winRate(), 3))) {
                assertTrue(html.contains("<td>" + cell + "</td>"), symbol.symbol() + ": " + cell);
            }
        }

        // The portfolio: its figures in the table footer and in the data, and its chart with buy-and-hold.
        Figures p = expected.portfolio();
        JsonNode portfolio = data.get("run").get("summary").get("portfolio");
        assertEquals(p.sharpe(), portfolio.get("sharpe").doubleValue(), 1e-12);
        assertEquals(p.maxDrawdown(), portfolio.get("max_drawdown").doubleValue(), 1e-15);
        assertEquals(p.trades().closed(), portfolio.get("round_trips").get("closed").intValue());
        assertTrue(html.contains("<th>portfolio (equal weight)</th><td>" + pct(p.netReturn(), 3) + "</td><td>"
                + pct(p.buyAndHold(), 3) + "</td>"), "the portfolio row");
        assertTrue(html.contains("<td>" + fixed(p.sharpe()) + "</td>"));
        JsonNode series = data.get("portfolio").get("series");
        long distinctTimes = run.results().values().stream().flatMap(r -> r.metrics().stream())
                .mapToLong(MetricRow::metricTime).distinct().count();
        assertEquals(distinctTimes, series.get("t").size(), "one point per distinct bar time");
        assertEquals(distinctTimes, series.get("buy_and_hold").size());
        int last = series.get("t").size() - 1;
        assertEquals(1 + BacktestRows.meanNetReturn(run), series.get("equity").get(last).doubleValue(), 1e-12);
        assertEquals(1 + p.buyAndHold(), series.get("buy_and_hold").get(last).doubleValue(), 1e-12);
    }

    @Test
    void handComputedFiguresAndPricesOnTheGridReachTheReport() throws Exception {
        // Bars of a quarter of a 365-day year (N_year = 4): r = [0, 0.1, −0.1, 0.2], equity 1, 1.1, 0.99, 1.188.
        // Sharpe = 0.05 / √(0.05 / 3) · 2 = 0.77; Sortino = 0.05 / √(0.01 / 4) · 2 = 2.00;
        // annualised 1.188^(4/4) − 1 = 18.800 %; max drawdown 0.99 / 1.1 − 1 = −10 %; Calmar 0.188 / 0.1 = 1.88.
        // Exposure 3 of 4 bars; buy-and-hold 120 / 100 − 1 = 20 %; one winning round trip: no losses, so
        // profit factor n/a; it lasted 3 quarters of 91.25 days = 273 d 18 h. The entry fill price is a buy's 65397.4425 × (1 + 1/10⁴) = 65403.98224424999.
        long q = 7_884_000_000L;
        double noisyFill = 65397.4425 * (1.0 + ((1 * 1.0) / 10000.0));
        List<MetricRow> rows = List.of(new MetricRow(BacktestRows.START_MILLIS, 100, null, null, 1, 0, 0, 0, 0, 0, 0),
                new MetricRow(BacktestRows.START_MILLIS + q, 105, null, null, 1, 0.1, 0, 0, 0.1, 0.1, 0),
                new MetricRow(BacktestRows.START_MILLIS + 2 * q, 100, null, null, 1, -0.1, 0, 0, -0.1, 1.1 * 0.9 - 1,
                        1.1 * 0.9 / 1.1 - 1),
                new MetricRow(BacktestRows.START_MILLIS + 3 * q, 120, null, null, 0, 0.2, 0, 0, 0.2, 1.1 * 0.9 * 1.2 - 1,
                        1.1 * 0.9 * 1.2 / 1.1 - 1));
        List<PositionTransition> transitions = List.of(
                new PositionTransition(BacktestRows.START_MILLIS, 0, 1, 100, noisyFill, 0, 0, PositionTransition.Reason.SIGNAL),
                new PositionTransition(BacktestRows.START_MILLIS + 3 * q, 1, 0, 120, 120, 0, 0, PositionTransition.Reason.SIGNAL));
        BacktestRows.Run run;
        try (Connection c = postgres.connect()) {
            run = BacktestRows.create(c, StrategyParams.of(5, 20).withBarIntervalSeconds(7_884_000), "alice",
                    new java.util.TreeMap<>(Map.of("X", new Backtest.SymbolResult("X", rows, transitions, List.of()))));
        }
        String html = report(run.idText(), dir.resolve("hand.html"));
        String expectedRow = "<td>18.800%</td><td>20.000%</td><td>18.800%</td><td>-10.000%</td><td>0.77</td><td>2.00</td>"
                + "<td>1.88</td><td>75.000%</td><td>1</td><td>100.000%</td><td>n/a</td><td>18.800%</td><td>273d18h</td>";
        assertTrue(html.contains("X</a></td>" + expectedRow), "the symbol's row: " + expectedRow);
        assertTrue(html.contains("<th>portfolio (equal weight)</th>" + expectedRow), "one symbol: the same portfolio row");

        assertEquals("65403.98224424999", Double.toString(noisyFill));
        assertFalse(html.contains("65403.98224424999"), "no float noise anywhere");
        JsonNode entry = data(html).get("symbols").get(0).get("transitions").get(0);
        assertEquals("65403.98224425", entry.get("fill_price_text").textValue());
        assertEquals(65403.98224425, entry.get("fill_price").doubleValue());
        JsonNode trip = data(html).get("symbols").get(0).get("round_trips").get(0);
        assertEquals("100", trip.get("entry_price_text").textValue());
        assertEquals(0.188, trip.get("pnl").doubleValue(), 1e-12);
    }

    @Test
    void aBannerSaysWhenARiskHaltEndedTradingAndNotOnceItWasLifted() throws Exception {
        StrategyParams params = params().withMaxDrawdown(0.01);
        BacktestRows.Run run;
        try (Connection c = postgres.connect()) {
            run = BacktestRows.create(c, params, "alice", BacktestRows.randomWalk(5, "BTCUSD", 800.0, 1500, 30_000));
            assertTrue(BacktestRows.insertRiskHalts(c, run) > 0, "the 1 % limit halts the random walk");
        }
        String html = report(run.idText(), dir.resolve("halted.html"));
        assertTrue(html.contains("<div class=\"banner\" id=\"halt-banner\" role=\"alert\">"), "the banner");
        assertTrue(html.contains("This run was halted by its risk limit since "), "what and since when");
        assertTrue(html.contains("drawdown breached max_drawdown on BTCUSD"), "the event's reason");
        assertTrue(html.indexOf("halt-banner") < html.indexOf("<caption>Summary</caption>"), "before the figures");

        // A params update lifts the halt: the job writes RELEASED / RISK_LIMIT (SPEC §5.4 step 8).
        long lastHalt = run.results().get("BTCUSD").riskHaltBarTimes().get(0);
        try (Connection c = postgres.connect()) {
            BacktestRows.insertEvent(c, run.id(), lastHalt + 60_000, "RELEASED", "RISK_LIMIT", "params updated");
        }
        assertFalse(report(run.idText(), dir.resolve("lifted.html")).contains("halt-banner"), "lifted: no banner");
    }

    @Test
    void aBannerSaysWhenAKillSwitchStoppedTheRun() throws Exception {
        // The strategy itself, with the job's kill-switch calls (SPEC §8): flattened between two bars
        // while long, then flat for the rest of the run.
        StrategyParams params = StrategyParams.of(3, 10).withCosts(10, 5);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        List<MetricRow> rows = new ArrayList<>();
        List<PositionTransition> transitions = new ArrayList<>();
        long fileTime = 0;
        for (Backtest.Tick tick : BacktestRows.randomWalk(9, "BTCUSD", 800.0, 400, 60_000)) {
            strategy.observeTick(tick.timeMillis(), tick.priceScaled());
            BarResult bar = strategy.onBar(tick.timeMillis(), tick.priceScaled());
            rows.add(bar.metric());
            if (bar.transition() != null) {
                transitions.add(bar.transition());
            }
            if (fileTime == 0 && strategy.position() != 0 && rows.size() > 100) {
                fileTime = tick.timeMillis() + 30_000;
                strategy.setKillSwitchEngaged(true);
                transitions.add(strategy.flatten(fileTime, PositionTransition.Reason.KILL_SWITCH));
            }
        }
        assertTrue(fileTime > 0, "the walk held a position after bar 100");
        BacktestRows.Run run;
        try (Connection c = postgres.connect()) {
            run = BacktestRows.create(c, params, "alice",
                    new java.util.TreeMap<>(Map.of("BTCUSD", new Backtest.SymbolResult("BTCUSD", rows, transitions, List.of()))));
            BacktestRows.insertEvent(c, run.id(), fileTime, "ENGAGED", "FILE", "bad fills (by bob)");
        }
        String html = report(run.idText(), dir.resolve("killed.html"));
        assertTrue(html.contains("This run was stopped by its kill switch since "), "the banner");
        assertTrue(html.contains("bad fills (by bob)"));
        JsonNode trips = data(html).get("symbols").get(0).get("round_trips");
        assertEquals("KILL_SWITCH", trips.get(trips.size() - 1).get("exit_reason").textValue(), "the flatten closed the last trade");

        // Released before the run's last row: the switch did not end trading (SPEC §8 lets it resume).
        try (Connection c = postgres.connect()) {
            BacktestRows.insertEvent(c, run.id(), fileTime + 120_000, "RELEASED", "FILE", "kill-switch file removed");
        }
        assertFalse(report(run.idText(), dir.resolve("released.html")).contains("halt-banner"));
        // The global switch engaged later, still before the last row, counts as well.
        try (Connection c = postgres.connect()) {
            BacktestRows.insertEvent(c, null, fileTime + 180_000, "ENGAGED", "FILE", "all stop");
        }
        assertTrue(report(run.idText(), dir.resolve("global.html")).contains("This run was stopped by the global kill switch"));
    }

    @Test
    void databaseTextIsEscapedAgainstHtmlAndScriptInjection() throws Exception {
        String evilSymbol = "<script>alert(1)</script>";
        String quoteSymbol = "A&B\"'</script><!--";
        String evilName = "\"><img src=x onerror=alert(2)>";
        BacktestRows.Run run = twoSymbolRun(evilName, evilSymbol, quoteSymbol);
        String html = report(run.idText(), dir.resolve("evil.html"));

        assertFalse(html.contains("alert(1)</script>"), "symbol not raw");
        assertFalse(html.contains("<img"), "created_by not raw");
        assertFalse(html.contains("</script><!--"), "symbol not raw");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "symbol shown, escaped");
        assertTrue(html.contains("A&amp;B&quot;&#39;&lt;/script&gt;&lt;!--"), "symbol shown, escaped");
        assertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), "created_by shown, escaped");
        // Exactly the page's own three script elements: uPlot, the data, the renderer.
        assertEquals(3, count(html, "<script"), "script elements");
        assertEquals(3, count(html, "</script>"), "script end tags");

        // The data block still carries the exact text, for textContent.
        JsonNode data = data(html);
        List<String> names = new ArrayList<>();
        data.get("symbols").forEach(s -> names.add(s.get("symbol").textValue()));
        assertEquals(List.copyOf(run.results().keySet()), names);
        assertEquals(evilName, data.get("run").get("created_by").textValue());
        String js = resource("report.js");
        assertFalse(js.contains("innerHTML") || js.contains("insertAdjacentHTML") || js.contains("document.write"),
                "the renderer inserts text only");
    }

    @Test
    void longRunsAreDownsampledButKeepEveryMarkerAndTheExtremes() throws Exception {
        int bars = 12_000;
        StrategyParams params = StrategyParams.of(10, 60).withCosts(2, 1);
        BacktestRows.Run run;
        try (Connection c = postgres.connect()) {
            run = BacktestRows.create(c, params, "bob", BacktestRows.randomWalk(7, "BTCUSD", 30_000, bars, 60_000));
        }
        Backtest.SymbolResult expected = run.results().get("BTCUSD");
        assertEquals(bars, expected.metrics().size());
        Path out = dir.resolve("long.html");
        String html = report(run.idText(), out);
        assertTrue(Files.size(out) < 2_000_000, "size " + Files.size(out));

        JsonNode s = data(html).get("symbols").get(0);
        assertTrue(s.get("downsampled").booleanValue());
        assertEquals(bars, s.get("bars").intValue());
        JsonNode series = s.get("series");
        int points = series.get("t").size();
        assertTrue(points >= 2_000 && points <= 7_000, "points " + points);
        long previous = Long.MIN_VALUE;
        for (JsonNode t : series.get("t")) {
            assertTrue(t.longValue() > previous, "time order");
            previous = t.longValue();
        }
        List<MetricRow> metrics = expected.metrics();
        assertEquals(metrics.get(0).metricTime(), series.get("t").get(0).longValue());
        assertEquals(metrics.get(bars - 1).metricTime(), series.get("t").get(points - 1).longValue());
        assertEquals(BacktestRows.maxDrawdown(expected), min(series.get("drawdown")), "deepest drawdown kept");
        assertEquals(metrics.stream().mapToDouble(MetricRow::price).max().orElseThrow(), max(series.get("price")));
        assertEquals(metrics.stream().mapToDouble(MetricRow::price).min().orElseThrow(), min(series.get("price")));

        assertTrue(expected.transitions().size() > 100, "trades " + expected.transitions().size());
        assertEquals(expected.transitions().size(), s.get("transitions").size(), "every marker");
        assertEquals(expected.transitions().get(57).eventTime(), s.get("transitions").get(57).get("t").longValue());
        assertEquals(BacktestRows.netReturn(expected), s.get("summary").get("net_return").doubleValue());
    }

    @Test
    void defaultOutputIsReportRunIdInTheCurrentFolder() throws Exception {
        BacktestRows.Run run = twoSymbolRun("alice", "BTCUSD", "ETHUSD");
        Path expected = Path.of("report-" + run.idText() + ".html").toAbsolutePath().normalize();
        try {
            CliRunner.Result r = cli.run("runs", "report", run.idText());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(expected.toString(), r.outLine());
            assertTrue(Files.readString(expected).contains(run.idText()));
        } finally {
            Files.deleteIfExists(expected);
        }
    }

    @Test
    void runWithoutRowsStillGetsAReport() throws Exception {
        String id;
        try (Connection c = postgres.connect()) {
            id = BacktestRows.create(c, params(), "alice", List.of()).idText();
        }
        String html = report(id, dir.resolve("empty.html"));
        assertTrue(html.contains(id));
        assertTrue(html.contains("no rows in strategy_metrics"));
        assertEquals(0, data(html).get("symbols").size());
    }

    @Test
    void badInputExits2WithOneLineAndWritesNothing() throws Exception {
        String unknown = UUID.randomUUID().toString();
        Path out = dir.resolve("x.html");
        assertInvalid(cli.run("runs", "report", unknown, "--out", out.toString()), "unknown run id " + unknown);
        assertInvalid(cli.run("runs", "report", "not-a-uuid", "--out", out.toString()), "'not-a-uuid' is not a run id");
        assertInvalid(cli.run("runs", "report", unknown, "--out", dir.resolve("missing/x.html").toString()),
                "does not exist");
        assertInvalid(cli.run("runs", "report"), "RUN_ID");
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left behind");
        }

        CliRunner.Result help = cli.run("runs", "report", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Usage:") && help.out().contains("--out"), help.out());
        CliRunner.Result runsHelp = cli.run("runs", "--help");
        assertTrue(runsHelp.out().contains("report") && runsHelp.out().contains("compare"), runsHelp.out());
    }

    @Test
    void unreachableDatabaseExits1() {
        CliRunner.Result r = cli.withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant")
                .run("runs", "report", UUID.randomUUID().toString(), "--out", dir.resolve("r.html").toString());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    static void assertInvalid(CliRunner.Result r, String expected) {
        assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static double min(JsonNode array) {
        double min = Double.POSITIVE_INFINITY;
        for (JsonNode v : array) {
            min = Math.min(min, v.doubleValue());
        }
        return min;
    }

    private static double max(JsonNode array) {
        return -min(negate(array));
    }

    private static JsonNode negate(JsonNode array) {
        var copy = JSON.createArrayNode();
        array.forEach(v -> copy.add(-v.doubleValue()));
        return copy;
    }
}
