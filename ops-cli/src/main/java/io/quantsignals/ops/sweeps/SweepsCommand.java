package io.quantsignals.ops.sweeps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.Durations;
import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.StoreMetrics;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.run.Sweep;
import io.quantsignals.core.run.SweepStore;
import io.quantsignals.core.run.SweepSummaries;
import io.quantsignals.core.sweep.Grid;
import io.quantsignals.core.sweep.GridParser;
import io.quantsignals.ops.report.ReportCommand;
import io.quantsignals.ops.runs.RunsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code ops-cli sweeps ...}: parameter sweeps, a grid of params expanded into REPLAY runs (issue 12). */
@Command(name = "sweeps", description = "Create, list, show and report on parameter sweeps (a grid of REPLAY runs).",
        mixinStandardHelpOptions = true,
        subcommands = {SweepsCommand.Create.class, SweepsCommand.ListSweeps.class, SweepsCommand.Show.class,
            SweepsCommand.Report.class, SweepsCommand.WalkForwardCommand.class})
public final class SweepsCommand {

    private static final ObjectMapper JSON = TerminalText.escapingControlCharacters(new ObjectMapper());

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Expand a params grid into REPLAY runs sharing a new sweep_id; prints the sweep_id alone on stdout.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "STRATEGY", description = "Strategy name; supported: sma_cross.")
        String strategy;

        @Option(names = "--grid", required = true, paramLabel = "F",
                description = "JSON grid: each params key maps to a list of values, a range {\"from\":5,\"to\":50,\"step\":5}, or one value.")
        Path gridFile;

        @Option(names = "--base-params", paramLabel = "F",
                description = "JSON params for the keys the grid does not vary (the grid wins where both give a key).")
        Path baseParamsFile;

        @Option(names = "--created-by", required = true, paramLabel = "NAME", description = "Who creates the sweep (audit).")
        String createdBy;

        @Option(names = "--store-metrics", paramLabel = "none|summary|all", defaultValue = "summary",
                description = "What the job keeps of each run's metrics (default ${DEFAULT-VALUE}).")
        StoreMetrics storeMetrics;

        @Option(names = "--max-runs", paramLabel = "N", defaultValue = "1000",
                description = "Refuse a grid of more than N combinations (default ${DEFAULT-VALUE}).")
        int maxRuns;

        @Mixin
        RunsCommand.CostDefaultOptions costs;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // Everything is read and validated before the database is touched: a refused sweep writes nothing.
            if (!StrategyParams.STRATEGY_SMA_CROSS.equals(strategy)) {
                throw new InvalidInputException("unknown strategy '" + strategy + "' (supported: "
                        + StrategyParams.STRATEGY_SMA_CROSS + ")");
            }
            RunsCommand.requireNonBlank("--created-by", createdBy);
            TerminalText.requireNoControlCharacters("--created-by", createdBy);
            if (maxRuns < 1) {
                throw new InvalidInputException("--max-runs must be at least 1, got " + maxRuns);
            }
            Grid grid = readGrid();
            // Checked before the combinations are materialised: a range may count 10^12 values.
            if (grid.size() > maxRuns) {
                throw new InvalidInputException(String.format(Locale.ROOT, "grid expands to %,d runs, more than --max-runs %d",
                        grid.size(), maxRuns));
            }
            ObjectNode base = baseParamsFile == null ? JsonNodeFactory.instance.objectNode() : readBase();
            Grid.Expansion expansion;
            try {
                expansion = grid.expand(base, costs.resolve());
            } catch (InvalidParamsException e) {
                throw new InvalidInputException("grid file " + gridFile + ": " + e.getMessage());
            }
            if (expansion.runs().isEmpty()) {
                throw new InvalidInputException("grid file " + gridFile + ": every one of its " + expansion.skippedWindowOrder()
                        + " combinations has sma_slow_window <= sma_fast_window: no runs to create");
            }
            try (Connection c = database.connect()) {
                Sweep sweep = new SweepStore(c).create(strategy, grid.toJson().toString(), storeMetrics,
                        createdBy.strip(), expansion.runs());
                spec.commandLine().getOut().println(sweep.id());
            }
            // stdout is the id alone (scripts capture it); the skip count is for the reader.
            if (expansion.skippedWindowOrder() > 0) {
                spec.commandLine().getErr().printf("created %d runs; skipped %d combinations with sma_slow_window <= sma_fast_window%n",
                        expansion.runs().size(), expansion.skippedWindowOrder());
            }
            return ExitCodes.OK;
        }

        private Grid readGrid() {
            try {
                return GridParser.parse(RunsCommand.readInputFile("grid file", gridFile));
            } catch (InvalidParamsException e) {
                throw new InvalidInputException("grid file " + gridFile + ": " + e.getMessage());
            }
        }

        private ObjectNode readBase() {
            try {
                return GridParser.parseBase(RunsCommand.readInputFile("base params file", baseParamsFile));
            } catch (InvalidParamsException e) {
                throw new InvalidInputException("base params file " + baseParamsFile + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List sweeps, oldest first.")
    static final class ListSweeps implements Callable<Integer> {
        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<Sweep> sweeps;
            try (Connection c = database.connect()) {
                sweeps = new SweepStore(c).list();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                for (Sweep sweep : sweeps) {
                    array.add(toJson(sweep));
                }
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
                return ExitCodes.OK;
            }
            String format = "%-36s  %-9s  %5s  %-13s  %-20s  %-16s%n";
            out.printf(format, "SWEEP_ID", "STRATEGY", "RUNS", "STORE_METRICS", "CREATED_AT", "CREATED_BY");
            // Stored text escaped, as in runs list: a row written by hand must not drive the terminal.
            for (Sweep sweep : sweeps) {
                out.printf(format, sweep.id(), TerminalText.escape(sweep.strategy()), sweep.runCount(),
                        sweep.storeMetrics().dbValue(), sweep.createdAt().toString(), TerminalText.escape(sweep.createdBy()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one sweep: its grid and its runs with their params.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SWEEP_ID", converter = RunIdConverter.SweepIdConverter.class,
                description = "The sweep_id.")
        UUID id;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Sweep sweep;
            List<StrategyRun> runs;
            try (Connection c = database.connect()) {
                SweepStore store = new SweepStore(c);
                sweep = store.find(id).orElseThrow(() -> new InvalidInputException("unknown sweep id " + id));
                runs = store.runs(id);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode node = toJson(sweep);
                ArrayNode array = node.putArray("runs");
                runs.forEach(run -> array.add(RunsCommand.toJson(run)));
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
                return ExitCodes.OK;
            }
            out.printf("sweep_id       %s%n", sweep.id());
            out.printf("strategy       %s%n", TerminalText.escape(sweep.strategy()));
            out.printf("store_metrics  %s%n", sweep.storeMetrics().dbValue());
            out.printf("created_by     %s%n", TerminalText.escape(sweep.createdBy()));
            out.printf("created_at     %s%n", sweep.createdAt());
            out.printf("grid           %s%n", TerminalText.escape(sweep.grid()));
            out.printf("runs           %d%n", runs.size());
            String format = "  %-36s  %-6s  %s%n";
            out.printf(format, "STRATEGY_RUN_ID", "STATUS", "PARAMS");
            for (StrategyRun run : runs) {
                out.printf(format, run.id(), run.active() ? "active" : "ended",
                        TerminalText.escape(StrategyParamsParser.toJson(run.params())));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {
                "Rank a sweep's runs by one metric over their summaries, best first.",
                "",
                "Figures from strategy_run_summaries; undefined (n/a) last; ties keep the sweep's run order.",
                "",
                "stdout: the ranked table (rank, run id, the params that vary, the figures), or with --json the same"
                    + " as JSON. --out also writes one self-contained HTML page: the table and a heat map of the"
                    + " metric over sma_fast_window x sma_slow_window (each cell the best over the other params that"
                    + " vary); its path goes to stderr. A sweep without summaries yet says so (exit 0)."
            })
    static final class Report implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SWEEP_ID", converter = RunIdConverter.SweepIdConverter.class,
                description = "The sweep_id.")
        UUID id;

        @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "sharpe",
                description = "sharpe, sortino, calmar, net_return, annualised_return, max_drawdown, win_rate,"
                        + " profit_factor or exposure (default ${DEFAULT-VALUE}).")
        SweepMetric metric;

        @Option(names = "--symbol", paramLabel = "SYM", description = "Only this symbol's summaries (default: every symbol).")
        String symbol;

        @Option(names = "--out", paramLabel = "F", description = "Also write the HTML page to F (replaced if it exists).")
        Path out;

        @Option(names = "--json", description = "Print JSON instead of the table.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            checkSymbol(symbol);
            Path target = out == null ? null : ReportCommand.outputFile(out);
            SweepReport report;
            try (Connection c = database.connect()) {
                SweepSummaries.snapshot(c);
                try {
                    report = SweepReport.read(c, id, metric, symbol);
                } finally {
                    c.rollback();
                }
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                stdout.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.json(JSON)));
            } else if (report.ranking().stream().noneMatch(SweepReport.Entry::hasSummaries)) {
                stdout.println(report.noSummaries());
            } else {
                report.printText(stdout);
            }
            if (target != null) {
                ReportCommand.writeAtomically(target, report.html(Instant.now()));
                spec.commandLine().getErr().println("wrote " + target);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "walk-forward", mixinStandardHelpOptions = true,
            description = {
                "Walk-forward test of a sweep over its summaries: choose the best run on train days, trade it on"
                    + " the test days that follow.",
                "",
                "Windows anchored at the first UTC day of the summaries train on [t, t+train) and test on"
                    + " [t+train, t+train+test), stepping by test, while"
                    + " the whole test window is within the data. Per window the run with the best metric over the"
                    + " train window (ties: the earlier run in the sweep's order) is evaluated on the test window.",
                "",
                "Prints each window's choice, its params, in-sample and out-of-sample metric and return, the"
                    + " stitched out-of-sample equity against the stitched in-sample one and against the best single"
                    + " run over the out-of-sample span; --json for the same as JSON."
            })
    static final class WalkForwardCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SWEEP_ID", converter = RunIdConverter.SweepIdConverter.class,
                description = "The sweep_id.")
        UUID id;

        @Option(names = "--train", required = true, paramLabel = "DAYS", description = "Train window in whole days, e.g. 30d.")
        String train;

        @Option(names = "--test", required = true, paramLabel = "DAYS", description = "Test window (and step) in whole days, e.g. 7d.")
        String test;

        @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "sharpe",
                description = "The figure the train windows are ranked by, as for 'sweeps report' (default ${DEFAULT-VALUE}).")
        SweepMetric metric;

        @Option(names = "--symbol", paramLabel = "SYM", description = "Only this symbol's summaries (default: every symbol).")
        String symbol;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long trainDays = wholeDays("--train", train);
            long testDays = wholeDays("--test", test);
            checkSymbol(symbol);
            WalkForward result;
            try (Connection c = database.connect()) {
                SweepSummaries.snapshot(c);
                try {
                    result = WalkForward.read(c, id, metric, symbol, trainDays, testDays);
                } finally {
                    c.rollback();
                }
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                stdout.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.json(JSON)));
            } else {
                result.printText(stdout);
            }
            return ExitCodes.OK;
        }
    }

    /** A duration of whole days, at least one (exit 2 naming the option otherwise). */
    static long wholeDays(String option, String text) {
        Duration d = Durations.parse(text).orElse(null);
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() % PeriodSummary.PERIOD_MILLIS != 0) {
            throw new InvalidInputException(option + " must be a whole number of days, at least 1 (like 30d), got '"
                    + TerminalText.escape(text) + "'");
        }
        return d.toMillis() / PeriodSummary.PERIOD_MILLIS;
    }

    private static void checkSymbol(String symbol) {
        if (symbol != null) {
            RunsCommand.requireNonBlank("--symbol", symbol);
            TerminalText.requireNoControlCharacters("--symbol", symbol);
        }
    }

    private static ObjectNode toJson(Sweep sweep) throws Exception {
        ObjectNode node = JSON.createObjectNode();
        node.put("sweep_id", sweep.id().toString());
        node.put("strategy", sweep.strategy());
        node.put("store_metrics", sweep.storeMetrics().dbValue());
        node.put("created_by", sweep.createdBy());
        node.put("created_at", sweep.createdAt().toString());
        node.put("run_count", sweep.runCount());
        JsonNode grid = JSON.readTree(sweep.grid());
        node.set("grid", grid);
        return node;
    }
}
