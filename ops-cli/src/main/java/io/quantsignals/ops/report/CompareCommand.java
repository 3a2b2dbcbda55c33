package io.quantsignals.ops.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.ops.runs.RunsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code ops-cli runs compare <run-id>... [--json]}: runs side by side, for the tuning loop (SPEC §9). */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {
            "Print runs side by side (one column per run): type, status, every parameter, the time window (first"
                + " and last bar over all symbols), whether a risk halt or kill switch ended trading, and over all"
                + " symbols: net return, max drawdown, trades, turnover, costs, bars; the equal-weight portfolio's"
                + " buy-and-hold, max drawdown, annualised return, Sharpe, Sortino, Calmar, exposure and round trips"
                + " (win rate, profit factor, average/best/worst trade); then per symbol net return, max drawdown,"
                + " trades, buy-and-hold, Sharpe and win rate.",
            "",
            "net return = the MEAN over the run's symbols of each symbol's cumulative_return at its last bar"
                + " (equal capital per symbol, never rebalanced). max drawdown = the lowest drawdown of any"
                + " symbol. trades = position changes (rows of strategy_positions_stream); turnover ="
                + " sum of |to_position - from_position|. Costs = sum of transaction_cost and slippage_cost over"
                + " strategy_metrics (the costs charged to the returns), as fractions of equity, summed over"
                + " symbols; the text shows fractions as percentages.",
            "",
            "Warnings go to stderr (\"ops-cli: warning: ...\"): when the runs' windows differ, and for each"
                + " run a risk halt or kill switch stopped. n/a = undefined for the data (see the README).",
            "",
            "--json prints a JSON array, one object per run in the order given, with the same figures as"
                + " plain fractions, a per-symbol list and the run's warnings."
        })
public final class CompareCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = TerminalText.escapingControlCharacters(new ObjectMapper());

    private static final String RUN_ID = "RUN_ID";

    // Strings, converted in call(): see RunIdConverter.convertAll for why not by picocli.
    @Parameters(arity = "1..*", paramLabel = RUN_ID, description = "One or more strategy_run_ids, each once.")
    List<String> runIds;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
        List<UUID> ids = new ArrayList<>();
        for (UUID id : RunIdConverter.convertAll(spec.commandLine(), RUN_ID, runIds)) {
            if (ids.contains(id)) {
                throw new InvalidInputException("run id " + id + " is given more than once");
            }
            ids.add(id);
        }
        List<RunSummary> runs = new ArrayList<>();
        try (Connection c = database.connect()) {
            RunResults.snapshot(c);
            try {
                RunStore store = new RunStore(c);
                for (UUID id : ids) {
                    StrategyRun run = store.find(id).orElseThrow(() -> RunsCommand.unknownRun(id));
                    runs.add(RunSummary.read(c, run, null));
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new DatabaseOptions.DatabaseUnavailableException("cannot read runs: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(runs)));
        } else {
            printTable(out, runs);
        }
        // On stderr in both modes: stdout stays a table or JSON for scripts; --json repeats them per run.
        PrintWriter err = spec.commandLine().getErr();
        for (String warning : warnings(runs, null)) {
            err.println("ops-cli: warning: " + printable(warning));
        }
        return ExitCodes.OK;
    }

    /**
     * Why the figures of these runs may not compare: windows (first and last bar over all symbols)
     * that differ, and runs whose trading a risk halt or a kill switch ended. With {@code only}, the
     * warnings that concern that run.
     */
    static List<String> warnings(List<RunSummary> runs, RunSummary only) {
        List<String> warnings = new ArrayList<>();
        boolean differ = runs.stream().map(CompareCommand::window).distinct().count() > 1;
        if (differ) {
            List<String> parts = new ArrayList<>();
            runs.forEach(s -> parts.add(s.run().id() + " " + window(s)));
            warnings.add("the runs cover different time windows, so their figures are not like for like: "
                    + String.join(", ", parts));
        }
        for (RunSummary s : runs) {
            if (only == null || only == s) {
                s.halts().forEach(h -> warnings.add("run " + s.run().id() + " was " + RunHalts.describe(h)));
            }
        }
        return warnings;
    }

    /** "first..last" (bar times over all symbols), or "no bars". */
    private static String window(RunSummary s) {
        return s.firstBar() == null ? "no bars" : s.firstBar() + ".." + s.lastBar();
    }

    static ArrayNode toJson(List<RunSummary> runs) {
        ArrayNode array = JSON.createArrayNode();
        for (RunSummary s : runs) {
            StrategyRun run = s.run();
            ObjectNode node = array.addObject();
            node.put("strategy_run_id", run.id().toString());
            node.put("strategy", run.strategy());
            node.put("run_type", run.runType().name());
            node.put("status", s.status());
            node.put("created_by", run.createdBy());
            node.put("created_at", text(run.createdAt()));
            node.put("ended_at", text(run.endedAt()));
            node.set("params", StrategyParamsParser.toJsonNode(run.params()));
            node.setAll(s.figuresJson());
            ArrayNode symbols = node.putArray("symbols");
            s.symbols().forEach(symbol -> symbols.add(s.symbolJson(symbol)));
            ArrayNode warnings = node.putArray("warnings");
            warnings(runs, s).forEach(warnings::add);
        }
        return array;
    }

    private static void printTable(PrintWriter out, List<RunSummary> runs) {
        Map<String, Function<RunSummary, String>> rows = new LinkedHashMap<>();
        rows.put("strategy_run_id", s -> s.run().id().toString());
        rows.put("strategy", s -> s.run().strategy());
        rows.put("run_type", s -> s.run().runType().name());
        rows.put("status", RunSummary::status);
        rows.put("created_by", s -> s.run().createdBy());
        rows.put("created_at", s -> text(s.run().createdAt()));
        for (String key : StrategyParamsParser.KEYS) {
            rows.put("param " + key, s -> {
                JsonNode value = StrategyParamsParser.toJsonNode(s.run().params()).get(key);
                return value == null ? "-" : value.toString();
            });
        }
        rows.put("symbols", s -> Integer.toString(s.symbols().size()));
        rows.put("first bar", s -> s.firstBar() == null ? "-" : s.firstBar().toString());
        rows.put("last bar", s -> s.lastBar() == null ? "-" : s.lastBar().toString());
        rows.put("halted", s -> s.halts().isEmpty() ? "no"
                : String.join("+", s.halts().stream().map(h -> h.kind() == RunHalts.Kind.RISK_LIMIT ? "risk-limit" : "kill-switch")
                        .distinct().toList()));
        rows.put("bars", s -> Long.toString(s.bars()));
        rows.put("net return (mean)", s -> Formats.percent(s.netReturn()));
        rows.put("max drawdown (worst)", s -> Formats.percent(s.maxDrawdown()));
        rows.put("trades", s -> Long.toString(s.trades()));
        rows.put("turnover", s -> Long.toString(s.turnover()));
        rows.put("transaction cost", s -> Formats.costPercent(s.transactionCost()));
        rows.put("slippage cost", s -> Formats.costPercent(s.slippageCost()));
        rows.put("total cost", s -> Formats.costPercent(s.totalCost()));
        // The equal-weight portfolio's analytics (README "Run analytics").
        rows.put("buy & hold (mean)", s -> Formats.analytic(s.analytics().portfolio().buyAndHold()));
        rows.put("portfolio max drawdown", s -> Formats.analytic(s.analytics().portfolio().maxDrawdown()));
        rows.put("annualised return", s -> Formats.analytic(s.analytics().portfolio().annualisedReturn()));
        rows.put("sharpe", s -> Formats.ratio(s.analytics().portfolio().sharpe()));
        rows.put("sortino", s -> Formats.ratio(s.analytics().portfolio().sortino()));
        rows.put("calmar", s -> Formats.ratio(s.analytics().portfolio().calmar()));
        rows.put("exposure", s -> Formats.analytic(s.analytics().portfolio().exposure()));
        rows.put("round trips", s -> Integer.toString(s.analytics().portfolio().trades().closed()));
        rows.put("open trades", s -> Integer.toString(s.analytics().portfolio().trades().open().size()));
        rows.put("win rate", s -> Formats.analytic(s.analytics().portfolio().trades().winRate()));
        rows.put("profit factor", s -> Formats.ratio(s.analytics().portfolio().trades().profitFactor()));
        rows.put("average trade", s -> Formats.analytic(s.analytics().portfolio().trades().averagePnl()));
        rows.put("average duration", s -> Formats.duration(s.analytics().portfolio().trades().averageDurationMillis()));
        rows.put("best trade", s -> Formats.trip(s.analytics().portfolio().trades().best(), true));
        rows.put("worst trade", s -> Formats.trip(s.analytics().portfolio().trades().worst(), true));
        TreeSet<String> allSymbols = new TreeSet<>();
        runs.forEach(s -> s.symbols().forEach(symbol -> allSymbols.add(symbol.symbol())));
        for (String symbol : allSymbols) {
            String shown = printable(symbol);
            rows.put("net return " + shown, s -> bySymbol(s, symbol, x -> Formats.percent(x.netReturn())));
            rows.put("max drawdown " + shown, s -> bySymbol(s, symbol, x -> Formats.percent(x.maxDrawdown())));
            rows.put("trades " + shown, s -> bySymbol(s, symbol, x -> Long.toString(x.trades())));
            rows.put("buy & hold " + shown, s -> bySymbol(s, symbol, x -> Formats.analytic(s.figures(symbol).buyAndHold())));
            rows.put("sharpe " + shown, s -> bySymbol(s, symbol, x -> Formats.ratio(s.figures(symbol).sharpe())));
            rows.put("win rate " + shown, s -> bySymbol(s, symbol, x -> Formats.analytic(s.figures(symbol).trades().winRate())));
        }

        int labelWidth = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
        List<List<String>> cells = new ArrayList<>();
        for (RunSummary run : runs) {
            List<String> column = new ArrayList<>();
            rows.values().forEach(f -> column.add(printable(f.apply(run))));
            cells.add(column);
        }
        int[] widths = cells.stream().mapToInt(c -> c.stream().mapToInt(String::length).max().orElse(0)).toArray();
        int r = 0;
        for (String label : rows.keySet()) {
            StringBuilder line = new StringBuilder(pad(label, labelWidth));
            for (int i = 0; i < runs.size(); i++) {
                line.append("  ").append(pad(cells.get(i).get(r), widths[i]));
            }
            out.println(line.toString().stripTrailing());
            r++;
        }
    }

    private static String bySymbol(RunSummary s, String symbol, Function<RunResults.SymbolSummary, String> f) {
        for (RunResults.SymbolSummary x : s.symbols()) {
            if (x.symbol().equals(symbol)) {
                return f.apply(x);
            }
        }
        return "-";
    }

    /** Database text on a terminal: control characters (escape sequences, newlines) become '?'. */
    private static String printable(String text) {
        return text == null ? "-" : TerminalText.escape(text);
    }

    private static String pad(String text, int width) {
        StringBuilder b = new StringBuilder(text);
        while (b.length() < width) {
            b.append(' ');
        }
        return b.toString();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
