package io.quantsignals.ops.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.config.Setting;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.ParamsChange;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StrategyRun;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code ops-cli runs ...}: register and manage strategy runs (SPEC §9). */
@Command(name = "runs", description = "Create, update, list, show, report on and compare strategy runs.",
        mixinStandardHelpOptions = true,
        subcommands = {RunsCommand.Create.class, RunsCommand.Update.class, RunsCommand.ListRuns.class,
                RunsCommand.Show.class, io.quantsignals.ops.report.ReportCommand.class,
                io.quantsignals.ops.report.CompareCommand.class})
public final class RunsCommand {

    private static final ObjectMapper JSON = TerminalText.escapingControlCharacters(new ObjectMapper());

    /** The cost defaults (SPEC §2) applied to param files (and sweep grids) that omit them. */
    public static final class CostDefaultOptions {
        @Option(names = "--transaction-cost-bps", paramLabel = "BPS",
                description = "Default transaction cost for params that omit it (env TRANSACTION_COST_BPS; default ${DEFAULT-VALUE}).")
        String transactionCostBps;

        @Option(names = "--slippage-bps", paramLabel = "BPS",
                description = "Default slippage for params that omit it (env SLIPPAGE_BPS; default ${DEFAULT-VALUE}).")
        String slippageBps;

        public StrategyParamsParser.CostDefaults resolve() throws InvalidParamsException {
            return StrategyParamsParser.CostDefaults.fromEnvironment(Map.of(
                    Setting.TRANSACTION_COST_BPS.envName(), transactionCostBps,
                    Setting.SLIPPAGE_BPS.envName(), slippageBps));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Register a new strategy run; prints its strategy_run_id alone on stdout.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "STRATEGY", description = "Strategy name; supported: sma_cross.")
        String strategy;

        @Option(names = "--param-file", required = true, paramLabel = "F", description = "JSON parameter file.")
        Path paramFile;

        @Option(names = "--run-type", required = true, paramLabel = "LIVE|PAPER|REPLAY",
                description = "LIVE, PAPER or REPLAY.")
        RunType runType;

        @Option(names = "--created-by", required = true, paramLabel = "NAME", description = "Who creates the run (audit).")
        String createdBy;

        @Mixin
        CostDefaultOptions costs;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!StrategyParams.STRATEGY_SMA_CROSS.equals(strategy)) {
                throw new InvalidInputException("unknown strategy '" + strategy + "' (supported: "
                        + StrategyParams.STRATEGY_SMA_CROSS + ")");
            }
            requireNonBlank("--created-by", createdBy);
            // An audit name is printed to terminals (runs list, show): no escape sequences in it.
            TerminalText.requireNoControlCharacters("--created-by", createdBy);
            StrategyParams params = readParams(paramFile, costs.resolve());
            try (Connection c = database.connect()) {
                StrategyRun run = new RunStore(c).create(strategy, runType, params, createdBy.strip());
                spec.commandLine().getOut().println(run.id());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Replace a run's parameters (the change is kept in its history), or end it.")
    static final class Update implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN_ID", converter = RunIdConverter.class,
                description = "The strategy_run_id.")
        UUID id;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Change change;

        static final class Change {
            @Option(names = "--param-file", paramLabel = "F", description = "New JSON parameter file.")
            Path paramFile;

            @Option(names = "--end", description = "Mark the run ended (ended_at = now).")
            boolean end;
        }

        @Option(names = "--changed-by", paramLabel = "NAME",
                description = "Who changes the params (audit); default: the OS user (${DEFAULT-VALUE}).",
                defaultValue = "${sys:user.name}")
        String changedBy;

        @Mixin
        CostDefaultOptions costs;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StrategyParams params = change.end ? null : readParams(change.paramFile, costs.resolve());
            if (!change.end) {
                requireNonBlank("--changed-by", changedBy);
                TerminalText.requireNoControlCharacters("--changed-by", changedBy);
            }
            try (Connection c = database.connect()) {
                RunStore store = new RunStore(c);
                StrategyRun run = store.find(id).orElseThrow(() -> unknownRun(id));
                if (!run.active()) {
                    throw new InvalidInputException("run " + id + " already ended at " + run.endedAt());
                }
                // Bars of two lengths in one SMA would be meaningless, and the job's open bars are
                // bucketed by the old length: a new bar length is a new run.
                if (params != null && params.barIntervalSeconds() != run.params().barIntervalSeconds()) {
                    throw new InvalidInputException("bar_interval_seconds cannot change for a run (is "
                            + run.params().barIntervalSeconds() + ", param file says " + params.barIntervalSeconds()
                            + "): create a new run instead");
                }
                boolean changed = change.end ? store.end(id) : store.updateParams(id, params, changedBy.strip());
                if (!changed) {
                    throw new InvalidInputException("run " + id + " ended while it was being updated");
                }
                spec.commandLine().getOut().println((change.end ? "ended " : "updated ") + id);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List strategy runs, oldest first.")
    static final class ListRuns implements Callable<Integer> {
        @Option(names = "--active-only", description = "Only runs that have not ended.")
        boolean activeOnly;

        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<StrategyRun> runs;
            try (Connection c = database.connect()) {
                runs = new RunStore(c).list(activeOnly);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                runs.forEach(run -> array.add(toJson(run)));
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
                return ExitCodes.OK;
            }
            String format = "%-36s  %-9s  %-6s  %-6s  %-20s  %-16s%n";
            out.printf(format, "STRATEGY_RUN_ID", "STRATEGY", "TYPE", "STATUS", "CREATED_AT", "CREATED_BY");
            // Stored text is shown with control characters escaped: rows written by hand, or before
            // --created-by refused them, must not drive the terminal.
            for (StrategyRun run : runs) {
                out.printf(format, run.id(), TerminalText.escape(run.strategy()), run.runType(),
                        run.active() ? "active" : "ended", run.createdAt().toString(), TerminalText.escape(run.createdBy()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one run: every parameter and the history of its changes.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN_ID", converter = RunIdConverter.class,
                description = "The strategy_run_id.")
        UUID id;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StrategyRun run;
            List<ParamsChange> history;
            try (Connection c = database.connect()) {
                RunStore store = new RunStore(c);
                run = store.find(id).orElseThrow(() -> unknownRun(id));
                history = store.history(id);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode node = toJson(run);
                ArrayNode changes = node.putArray("params_history");
                for (ParamsChange change : history) {
                    ObjectNode row = changes.addObject();
                    row.put("changed_at", change.changedAt().toString());
                    row.put("changed_by", change.changedBy());
                    row.set("params", StrategyParamsParser.toJsonNode(change.params()));
                }
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
                return ExitCodes.OK;
            }
            out.printf("strategy_run_id  %s%n", run.id());
            // Stored text with control characters escaped, as in runs list.
            out.printf("strategy         %s%n", TerminalText.escape(run.strategy()));
            out.printf("run_type         %s%n", run.runType());
            out.printf("status           %s%n", run.active() ? "active" : "ended");
            out.printf("created_by       %s%n", TerminalText.escape(run.createdBy()));
            out.printf("created_at       %s%n", run.createdAt());
            out.printf("updated_at       %s%n", run.updatedAt());
            out.printf("ended_at         %s%n", run.endedAt() == null ? "-" : run.endedAt());
            out.println("params");
            StrategyParamsParser.toJsonNode(run.params()).fields().forEachRemaining(
                    field -> out.printf("  %-24s %s%n", field.getKey(), TerminalText.escape(field.getValue().toString())));
            out.println("params_history");
            for (ParamsChange change : history) {
                out.printf("  %s  by %s  %s%n", change.changedAt(), TerminalText.escape(change.changedBy()),
                        TerminalText.escape(StrategyParamsParser.toJson(change.params())));
            }
            return ExitCodes.OK;
        }
    }

    /** A run as runs list/show --json print it; sweeps show prints its runs the same way. */
    public static ObjectNode toJson(StrategyRun run) {
        ObjectNode node = JSON.createObjectNode();
        node.put("strategy_run_id", run.id().toString());
        node.put("strategy", run.strategy());
        node.put("run_type", run.runType().name());
        node.put("status", run.active() ? "active" : "ended");
        node.put("created_by", run.createdBy());
        node.put("created_at", text(run.createdAt()));
        node.put("updated_at", text(run.updatedAt()));
        node.put("ended_at", text(run.endedAt()));
        node.set("params", StrategyParamsParser.toJsonNode(run.params()));
        return node;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    public static InvalidInputException unknownRun(UUID id) {
        return new InvalidInputException("unknown run id " + id);
    }

    public static void requireNonBlank(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(option + " must not be blank");
        }
    }

    /** Reads and validates a param file; every problem is invalid input (exit 2) naming the file. */
    static StrategyParams readParams(Path file, StrategyParamsParser.CostDefaults defaults) {
        String text = readInputFile("param file", file);
        try {
            return StrategyParamsParser.parse(text, defaults);
        } catch (InvalidParamsException e) {
            throw new InvalidInputException("param file " + file + ": " + e.getMessage());
        }
    }

    /** The text of an input file; a missing or unreadable file is invalid input (exit 2) naming it as {@code what}. */
    public static String readInputFile(String what, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException(what + " " + file + " cannot be read: " + e.getMessage());
        }
    }
}
