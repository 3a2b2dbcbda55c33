package io.quantsignals.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.embedded.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ops-cli runs compare} against a real PostgreSQL holding rows computed by the reference backtest. */
class CompareCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresServer postgres;

    private CliRunner cli;
    private BacktestRows.Run fast;
    private BacktestRows.Run slow;

    @BeforeAll
    static void startDatabase() {
        postgres = PostgresServer.shared();
    }

    @BeforeEach
    void twoRunsOverTheSameTicks() throws Exception {
        cli = CliRunner.againstEmptyDatabase(postgres);
        List<Backtest.Tick> ticks = new ArrayList<>(BacktestRows.randomWalk(11, "BTCUSD", 800.0, 1500, 30_000));
        ticks.addAll(BacktestRows.randomWalk(12, "ETHUSD", 35.5, 1500, 30_000));
        try (Connection c = postgres.connect()) {
            fast = BacktestRows.create(c, StrategyParams.of(3, 12).withCosts(10, 5), "alice", ticks);
            slow = BacktestRows.create(c, StrategyParams.of(10, 40).withConfirmation(3).withCosts(10, 5)
                    .withAllowShort(true).withMaxDrawdown(0.5), "bob", ticks);
        }
    }

    private static String pct(double fraction, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f%%", fraction * 100);
    }

    /** A ratio as compare prints it. */
    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String line(String out, String label) {
        return out.lines().filter(l -> l.startsWith(label + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + label + "' in:\n" + out));
    }

    /** The values of a line, in column order. */
    private static List<String> values(String out, String label) {
        return List.of(line(out, label).substring(label.length()).strip().split("\\s{2,}"));
    }

    @Test
    void printsRunsSideBySideWithTheirFigures() {
        CliRunner.Result r = cli.run("runs", "compare", fast.idText(), slow.idText());
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertEquals(List.of(fast.idText(), slow.idText()), values(out, "strategy_run_id"), out);
        assertEquals(List.of("sma_cross", "sma_cross"), values(out, "strategy"));
        assertEquals(List.of("REPLAY", "REPLAY"), values(out, "run_type"));
        assertEquals(List.of("active", "active"), values(out, "status"));
        assertEquals(List.of("alice", "bob"), values(out, "created_by"));
        assertEquals(List.of("3", "10"), values(out, "param sma_fast_window"));
        assertEquals(List.of("12", "40"), values(out, "param sma_slow_window"));
        assertEquals(List.of("false", "true"), values(out, "param allow_short"));
        assertEquals(List.of("null", "0.5"), values(out, "param max_drawdown"));
        for (String key : List.of("sma_confirmation_window", "transaction_cost_bps", "slippage_bps", "bar_interval_seconds",
                "symbols")) {
            assertEquals(2, values(out, "param " + key).size(), key);
        }
        assertEquals(List.of("2", "2"), values(out, "symbols"));
        assertEquals(List.of(Long.toString(BacktestRows.bars(fast)), Long.toString(BacktestRows.bars(slow))),
                values(out, "bars"));
        assertEquals(List.of(pct(BacktestRows.meanNetReturn(fast), 3), pct(BacktestRows.meanNetReturn(slow), 3)),
                values(out, "net return (mean)"));
        assertEquals(List.of(pct(BacktestRows.worstDrawdown(fast), 3), pct(BacktestRows.worstDrawdown(slow), 3)),
                values(out, "max drawdown (worst)"));
        assertEquals(List.of(Long.toString(BacktestRows.trades(fast)), Long.toString(BacktestRows.trades(slow))),
                values(out, "trades"));
        assertEquals(List.of(Long.toString(BacktestRows.turnover(fast)), Long.toString(BacktestRows.turnover(slow))),
                values(out, "turnover"));
        assertEquals(List.of(pct(BacktestRows.totalCost(fast), 4), pct(BacktestRows.totalCost(slow), 4)),
                values(out, "total cost"));
        Backtest.SymbolResult fastEth = fast.results().get("ETHUSD");
        Backtest.SymbolResult slowEth = slow.results().get("ETHUSD");
        assertEquals(List.of(pct(BacktestRows.netReturn(fastEth), 3), pct(BacktestRows.netReturn(slowEth), 3)),
                values(out, "net return ETHUSD"));
        assertEquals(List.of(Integer.toString(fastEth.transitions().size()), Integer.toString(slowEth.transitions().size())),
                values(out, "trades ETHUSD"));
        assertTrue(BacktestRows.trades(fast) > BacktestRows.trades(slow), "the faster run trades more");
    }

    @Test
    void jsonGivesTheSameFiguresForTheTuningLoop() throws Exception {
        CliRunner.Result r = cli.run("runs", "compare", slow.idText(), fast.idText(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode array = JSON.readTree(r.out());
        assertEquals(2, array.size());
        int i = 0;
        for (BacktestRows.Run run : List.of(slow, fast)) {
            JsonNode node = array.get(i++);
            assertEquals(run.idText(), node.get("strategy_run_id").textValue(), "in the order given");
            assertEquals("sma_cross", node.get("strategy").textValue());
            assertEquals("REPLAY", node.get("run_type").textValue());
            assertEquals("active", node.get("status").textValue());
            assertEquals(9, node.get("params").size(), "every parameter key");
            assertEquals(BacktestRows.meanNetReturn(run), node.get("net_return").doubleValue(), 1e-15);
            assertEquals(BacktestRows.worstDrawdown(run), node.get("max_drawdown").doubleValue());
            assertEquals(BacktestRows.trades(run), node.get("trades").longValue());
            assertEquals(BacktestRows.turnover(run), node.get("turnover").longValue());
            assertEquals(BacktestRows.totalCost(run), node.get("total_cost").doubleValue(), 1e-12);
            assertEquals(node.get("transaction_cost").doubleValue() + node.get("slippage_cost").doubleValue(),
                    node.get("total_cost").doubleValue(), 1e-15);
            assertEquals(BacktestRows.bars(run), node.get("bars").longValue());

            JsonNode symbols = node.get("symbols");
            assertEquals(2, symbols.size());
            int k = 0;
            for (Backtest.SymbolResult s : run.results().values()) {
                JsonNode sym = symbols.get(k++);
                assertEquals(s.symbol(), sym.get("symbol").textValue());
                assertEquals(BacktestRows.netReturn(s), sym.get("net_return").doubleValue());
                assertEquals(BacktestRows.maxDrawdown(s), sym.get("max_drawdown").doubleValue());
                assertEquals(s.transitions().size(), sym.get("trades").intValue());
                assertEquals(BacktestRows.turnover(s), sym.get("turnover").longValue());
                assertEquals(BacktestRows.transactionCost(s), sym.get("transaction_cost").doubleValue(), 1e-15);
                assertEquals(BacktestRows.slippageCost(s), sym.get("slippage_cost").doubleValue(), 1e-15);
                assertEquals(s.metrics().size(), sym.get("bars").intValue());
                assertEquals(java.time.Instant.ofEpochMilli(s.metrics().get(0).metricTime()).toString(),
                        sym.get("first_bar").textValue());
            }
        }
    }

    @Test
    void showsEachRunsWindowAndTheAnalyticsAndWarnsOnlyWhenWindowsDiffer() throws Exception {
        CliRunner.Result same = cli.run("runs", "compare", fast.idText(), slow.idText());
        assertEquals(0, same.exitCode(), same.err());
        assertEquals("", same.err(), "same window, no halt: no warning");
        String start = Instant.ofEpochMilli(BacktestRows.START_MILLIS).toString();
        assertEquals(List.of(start, start), values(same.out(), "first bar"));
        assertEquals(List.of("no", "no"), values(same.out(), "halted"));
        RunAnalytics.Result fastFigures = BacktestRows.analytics(fast, 60);
        RunAnalytics.Result slowFigures = BacktestRows.analytics(slow, 60);
        assertEquals(List.of(fixed(fastFigures.portfolio().sharpe()), fixed(slowFigures.portfolio().sharpe())),
                values(same.out(), "sharpe"));
        assertEquals(List.of(pct(fastFigures.portfolio().buyAndHold(), 3), pct(slowFigures.portfolio().buyAndHold(), 3)),
                values(same.out(), "buy & hold (mean)"));
        assertEquals(List.of(Integer.toString(fastFigures.portfolio().trades().closed()),
                Integer.toString(slowFigures.portfolio().trades().closed())), values(same.out(), "round trips"));
        Figures fastEth = fastFigures.symbol("ETHUSD").figures();
        assertEquals(fixed(fastEth.sharpe()), values(same.out(), "sharpe ETHUSD").get(0));
        assertEquals(pct(fastEth.trades().winRate(), 3), values(same.out(), "win rate ETHUSD").get(0));

        // The same ticks cut short: a later first bar and an earlier last one.
        List<Backtest.Tick> shorter = BacktestRows.randomWalk(11, "BTCUSD", 800.0, 1500, 30_000).subList(200, 1000);
        BacktestRows.Run cut;
        try (Connection c = postgres.connect()) {
            cut = BacktestRows.create(c, StrategyParams.of(3, 12).withCosts(10, 5), "carol", shorter);
        }
        CliRunner.Result differ = cli.run("runs", "compare", fast.idText(), cut.idText());
        assertEquals(0, differ.exitCode(), differ.err());
        List<String> warnings = differ.err().lines().toList();
        assertEquals(1, warnings.size(), differ.err());
        assertTrue(warnings.get(0).startsWith("ops-cli: warning: the runs cover different time windows"), warnings.get(0));
        String cutStart = Instant.ofEpochMilli(cut.results().get("BTCUSD").metrics().get(0).metricTime()).toString();
        assertTrue(warnings.get(0).contains(cut.idText() + " " + cutStart + ".."), warnings.get(0));
        assertEquals(List.of(start, cutStart), values(differ.out(), "first bar"));

        JsonNode json = JSON.readTree(cli.run("runs", "compare", fast.idText(), cut.idText(), "--json").out());
        assertEquals(start, json.get(0).get("first_bar").textValue());
        assertEquals(cutStart, json.get(1).get("first_bar").textValue());
        assertTrue(json.get(1).get("warnings").get(0).textValue().startsWith("the runs cover different time windows"));
    }

    @Test
    void warnsAboutAHaltedRunInTextAndJson() throws Exception {
        BacktestRows.Run halted;
        try (Connection c = postgres.connect()) {
            halted = BacktestRows.create(c, StrategyParams.of(3, 12).withCosts(10, 5).withMaxDrawdown(0.01), "dave",
                    BacktestRows.randomWalk(11, "BTCUSD", 800.0, 1500, 30_000));
            assertTrue(BacktestRows.insertRiskHalts(c, halted) > 0, "the 1 % limit halts the walk");
        }
        CliRunner.Result r = cli.run("runs", "compare", halted.idText());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("risk-limit"), values(r.out(), "halted"));
        String warning = "ops-cli: warning: run " + halted.idText() + " was halted by its risk limit since ";
        assertTrue(r.err().startsWith(warning), r.err());
        assertTrue(r.err().contains("drawdown breached max_drawdown on BTCUSD"), r.err());

        CliRunner.Result j = cli.run("runs", "compare", halted.idText(), "--json");
        assertEquals(0, j.exitCode(), j.err());
        assertTrue(j.err().startsWith(warning), "on stderr with --json too: " + j.err());
        JsonNode node = JSON.readTree(j.out()).get(0);
        assertEquals("RISK_LIMIT", node.get("halts").get(0).get("kind").textValue());
        assertEquals(Instant.ofEpochMilli(halted.results().get("BTCUSD").riskHaltBarTimes().get(0)).toString(),
                node.get("halts").get(0).get("since").textValue());
        assertTrue(node.get("warnings").get(0).textValue().startsWith("run " + halted.idText() + " was halted"));
    }

    @Test
    void jsonCarriesTheAnalyticsOfEachSymbolAndOfThePortfolio() throws Exception {
        JsonNode node = JSON.readTree(cli.run("runs", "compare", fast.idText(), "--json").out()).get(0);
        RunAnalytics.Result expected = BacktestRows.analytics(fast, 60);
        JsonNode portfolio = node.get("portfolio");
        Figures p = expected.portfolio();
        assertEquals(p.bars(), portfolio.get("points").longValue());
        assertEquals(p.sharpe(), portfolio.get("sharpe").doubleValue(), 1e-12);
        assertEquals(p.sortino(), portfolio.get("sortino").doubleValue(), 1e-12);
        assertEquals(p.annualisedReturn(), portfolio.get("annualised_return").doubleValue(), 1e-9);
        assertEquals(p.exposure(), portfolio.get("exposure").doubleValue(), 1e-15);
        assertEquals(p.buyAndHold(), portfolio.get("buy_and_hold_return").doubleValue(), 1e-15);
        assertEquals(p.trades().closed(), portfolio.get("round_trips").get("closed").intValue());
        assertEquals(p.trades().profitFactor(), portfolio.get("round_trips").get("profit_factor").doubleValue(), 1e-12);
        assertEquals(p.trades().worst().pnl(), portfolio.get("round_trips").get("worst").get("pnl").doubleValue(), 1e-15);
        assertEquals(0, node.get("halts").size());
        assertEquals(0, node.get("warnings").size());
        int k = 0;
        for (RunAnalytics.SymbolResult s : expected.symbols()) {
            JsonNode sym = node.get("symbols").get(k++);
            assertEquals(s.symbol(), sym.get("symbol").textValue());
            assertEquals(s.figures().sharpe(), sym.get("sharpe").doubleValue(), 1e-12);
            assertEquals(s.figures().calmar(), sym.get("calmar").doubleValue(), 1e-12);
            assertEquals(s.figures().trades().averageDurationMillis(),
                    sym.get("round_trips").get("average_duration_ms").longValue());
        }
    }

    @Test
    void aRunWithoutRowsHasNoReturnYet() throws Exception {
        String empty;
        try (Connection c = postgres.connect()) {
            empty = BacktestRows.create(c, StrategyParams.of(5, 20), "carol", List.of()).idText();
        }
        CliRunner.Result text = cli.run("runs", "compare", fast.idText(), empty);
        assertEquals(0, text.exitCode(), text.err());
        assertEquals("-", values(text.out(), "net return (mean)").get(1));
        assertEquals("-", values(text.out(), "net return BTCUSD").get(1));
        JsonNode json = JSON.readTree(cli.run("runs", "compare", empty, "--json").out()).get(0);
        assertTrue(json.get("net_return").isNull());
        assertEquals(0, json.get("trades").intValue());
        assertEquals(0, json.get("symbols").size());
    }

    @Test
    void badInputExits2WithOneLineNamingTheId() {
        String unknown = UUID.randomUUID().toString();
        ReportCommandTest.assertInvalid(cli.run("runs", "compare", fast.idText(), unknown), "unknown run id " + unknown);
        ReportCommandTest.assertInvalid(cli.run("runs", "compare", fast.idText(), "nope", "--json"), "'nope' is not a run id");
        ReportCommandTest.assertInvalid(cli.run("runs", "compare", fast.idText(), slow.idText(),
                fast.idText().toUpperCase(Locale.ROOT)), "run id " + fast.idText() + " is given more than once");
        ReportCommandTest.assertInvalid(cli.run("runs", "compare"), "RUN_ID");
        CliRunner.Result help = cli.run("runs", "compare", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Usage:") && help.out().contains("--json") && help.out().contains("MEAN"), help.out());
    }
}
