package io.quantsignals.local;

import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.Messages;
import io.quantsignals.cli.UsageErrors;
import io.quantsignals.ops.OpsCli;
import io.quantsignals.replay.ReplayTool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code ./quant-signals up|demo} (SPEC §10). */
@Command(name = "quant-signals", mixinStandardHelpOptions = true,
        description = "Run Quant Signals on this machine: real PostgreSQL and Kafka, the job on a Flink MiniCluster.",
        subcommands = {QuantSignals.Up.class, QuantSignals.Demo.class})
public final class QuantSignals {

    static final int EXIT_RUNTIME_FAILURE = 1;
    static final int EXIT_INVALID_USAGE = 2;

    /**
     * Where and on which ports the stack runs. The {@code quant-signals} script checks the same
     * ports with the same defaults before it builds (StackScriptTest keeps the two in step).
     */
    static final class StackOptions {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".qs-data",
                description = "Folder for all data: PostgreSQL, Kafka, the job's checkpoints (a new start resumes from the newest),"
                        + " kill switches, demo files, the log (" + StackLog.FILE_NAME + ") (default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--postgres-port", paramLabel = "PORT", defaultValue = "5432", description = "Default ${DEFAULT-VALUE}.")
        int postgresPort;

        @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Default ${DEFAULT-VALUE}.")
        int kafkaPort;

        @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
                description = "Flink web UI and REST API (default ${DEFAULT-VALUE}).")
        int webPort;

        @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9249",
                description = "Flink's metrics for Prometheus, on /metrics (default ${DEFAULT-VALUE}).")
        int metricsPort;

        LocalStack.Settings settings() {
            return new LocalStack.Settings(dataDir.toAbsolutePath(), postgresPort, kafkaPort, webPort, metricsPort, "prices");
        }
    }

    /** Prints each failure Flink restarted the job after, then fails if the job has ended. */
    static void watchJob(LocalStack running, PrintWriter err) {
        for (String cause : running.newJobFailures()) {
            err.println("quant-signals: the Flink job failed and restarts from its latest checkpoint: " + cause
                    + StackLog.file().map(f -> " (details in " + f + ")").orElse(""));
        }
        running.checkJob();
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the stack, print the settings to use, and run until interrupted (Ctrl-C stops everything).")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin
        StackOptions stack;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StackLog.redirectTo(stack.settings().dataDir(), "up");
            LocalStack running = LocalStack.start(stack.settings(), out);
            AtomicBoolean stopping = new AtomicBoolean();
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stopping.set(true);
                out.println("stopping ...");
                running.close();
                stopped.countDown();
            }, "quant-signals-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println();
            out.println("Quant Signals is running. Flink web UI: " + running.webUrl());
            out.println("Prometheus metrics: " + running.metricsUrl());
            StackLog.file().ifPresent(f -> out.println("Log (Flink, Kafka, PostgreSQL): " + f));
            out.println("Settings for ops-cli and replay-tool in another shell:");
            running.environment().forEach((name, value) -> out.println("  export " + name + "=" + value));
            out.println("Press Ctrl-C to stop everything.");
            // Until Ctrl-C: the job is meant to run all along, so its end is reported and ends this.
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (stopping.get()) {
                    continue;
                }
                try {
                    watchJob(running, err);
                } catch (StackFailure e) {
                    if (stopping.get()) {
                        continue; // the shutdown hook cancelled the job
                    }
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        stopped.await();
                        return 0;
                    }
                    running.close();
                    throw e;
                }
            }
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Start the stack, import a sample of prices (once per data folder), replay it into a new REPLAY run,"
                    + " print a summary and the report's path, end the run, then stop everything.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        StackOptions stack;

        static final String PARAMS = """
                {"sma_fast_window": 10, "sma_slow_window": 30, "sma_confirmation_window": 2,
                 "transaction_cost_bps": 5, "slippage_bps": 2, "bar_interval_seconds": 60, "allow_short": true}
                """;
        static final String CSV_NAME = "demo-prices.csv";
        /** What {@code ops-cli prices import} writes into {@code price_ticks.source} for the sample. */
        static final String SAMPLE_SOURCE = "import:" + CSV_NAME;
        /** The bars of a replay come many a second; this long without one means the last ones will not come. */
        static final Duration BAR_STALL = Duration.ofSeconds(60);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StackLog.redirectTo(stack.settings().dataDir(), "demo");
            try (LocalStack running = LocalStack.start(stack.settings(), out)) {
                Map<String, String> env = running.environment();
                Path dataDir = stack.settings().dataDir();
                Path csv = dataDir.resolve(CSV_NAME);
                long ticks = SamplePrices.write(csv);
                out.println("generated " + ticks + " ticks of sample prices (seeded model, see SamplePrices) in " + csv);
                importOnce(out, err, running, env, csv, ticks);

                Path params = Files.writeString(dataDir.resolve("demo-params.json"), PARAMS);
                StringWriter id = new StringWriter();
                run("ops-cli runs create", OpsCli.execute(env, new PrintWriter(id, true), err, "runs", "create", "sma_cross",
                        "--param-file", params.toString(), "--run-type", "REPLAY", "--created-by", "demo"));
                UUID runId = UUID.fromString(id.toString().strip());
                out.println("created REPLAY run " + runId);
                try {
                    replayAndReport(out, err, running, env, runId, dataDir);
                } catch (RuntimeException e) {
                    // Still end the run, so that the next demo's job does not carry its state; the
                    // stack may be what failed, so this is best effort, and the first failure is reported.
                    OpsCli.execute(env, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                            "runs", "update", runId.toString(), "--end");
                    throw e;
                }
                // The job keeps a run's state (per symbol) until the run ends; the stack resumes it
                // from its checkpoints on the next start, so a finished demo run would otherwise live on.
                run("ops-cli runs update --end", OpsCli.execute(env, new PrintWriter(new StringWriter()), err,
                        "runs", "update", runId.toString(), "--end"));
                out.println("ended REPLAY run " + runId + " (the job releases its state)");
                out.println("stopping ...");
            }
            return 0;
        }

        /**
         * Imports the sample unless an earlier demo on this data folder did: the import is one
         * transaction, so the sample is in {@code price_ticks} whole or not at all, and importing it
         * again would store every tick twice (and replay each twice).
         */
        private static void importOnce(PrintWriter out, PrintWriter err, LocalStack running, Map<String, String> env, Path csv,
                                       long ticks) throws SQLException {
            long stored = scalar(running, "SELECT count(*) FROM price_ticks WHERE source = ?", SAMPLE_SOURCE);
            if (stored == ticks) {
                out.println("the sample's " + ticks + " ticks are in price_ticks already (imported by an earlier demo on"
                        + " this data folder): not importing them again");
                return;
            }
            if (stored != 0) {
                throw new StackFailure("price_ticks holds " + stored + " ticks from " + CSV_NAME + ", but the sample has " + ticks
                        + ": not the demo's import; use a new --data-dir");
            }
            run("ops-cli prices import", OpsCli.execute(env, out, err, "prices", "import", "--file", csv.toString()));
        }

        private static void replayAndReport(PrintWriter out, PrintWriter err, LocalStack running, Map<String, String> env,
                                            UUID runId, Path dataDir) throws SQLException {
            run("replay-tool", ReplayTool.execute(env, out, err, "--start-ts", SamplePrices.START.toString(),
                    "--end-ts", SamplePrices.END.toString(), "--speedup", "max", "--run-id", runId.toString()));
            long bars = awaitAllBars(running, runId, err);
            out.println("all " + bars + " bars evaluated");
            awaitAllTransitions(running, runId, err);

            printSummary(out, running, runId);
            Path report = dataDir.resolve("report-" + runId + ".html");
            run("ops-cli runs report", OpsCli.execute(env, new PrintWriter(new StringWriter()), err, "runs", "report",
                    runId.toString(), "--out", report.toString()));
            out.println("report: " + report);
        }

        /** The program has printed its own one-line error; this says which step it was. */
        private static void run(String program, int exitCode) {
            if (exitCode != 0) {
                throw new StackFailure(program + " failed with exit code " + exitCode + " (its error is printed above)");
            }
        }

        /**
         * Waits until the run has a metric row for every (symbol, minute) bucket of the window: the
         * replay tool's end markers complete the last bar, so this is exact, not a guess; and bounded:
         * a minute without a new bar, or the job ending, ends it with a one-line message.
         */
        private static long awaitAllBars(LocalStack running, UUID runId, PrintWriter err) throws SQLException {
            long expected = scalar(running, """
                    SELECT count(*) FROM (SELECT DISTINCT symbol, date_trunc('minute', event_time)
                                          FROM price_ticks WHERE source = ?) b""", SAMPLE_SOURCE);
            return Waits.awaitCount("the bars of REPLAY run " + runId, expected, BAR_STALL, () -> {
                try {
                    return scalar(running, "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", runId);
                } catch (SQLException e) {
                    throw new StackFailure("cannot count the run's bars: " + Failures.rootMessage(e), e);
                }
            }, () -> watchJob(running, err), () -> "the job is " + running.jobStatus());
        }

        /**
         * Waits until every position change of the run's bars has its transition row: the two tables
         * have sinks of their own that flush at their own pace, so all bars there does not mean all
         * transitions there, and the summary counts trades from them. In a replay (no kill switch,
         * the run not ended yet) a transition is exactly a bar whose position differs from the bar
         * before (0 before the first).
         */
        private static void awaitAllTransitions(LocalStack running, UUID runId, PrintWriter err) throws SQLException {
            long expected = scalar(running, """
                    SELECT count(*) FROM (SELECT position, lag(position, 1, 0) OVER (PARTITION BY symbol ORDER BY metric_time) AS before
                                          FROM strategy_metrics WHERE strategy_run_id = ?) m
                    WHERE position <> before""", runId);
            Waits.awaitCount("the position transitions of REPLAY run " + runId, expected, BAR_STALL, () -> {
                try {
                    return scalar(running, "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?", runId);
                } catch (SQLException e) {
                    throw new StackFailure("cannot count the run's transitions: " + Failures.rootMessage(e), e);
                }
            }, () -> watchJob(running, err), () -> "the job is " + running.jobStatus());
        }

        private static long scalar(LocalStack running, String sql, Object param) throws SQLException {
            try (Connection c = running.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, param);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        /** Per symbol: net return, max drawdown, trades and costs, from the rows the job wrote. */
        private static void printSummary(PrintWriter out, LocalStack running, UUID runId) throws SQLException {
            String format = "%-8s %6s %11s %13s %7s %10s%n";
            out.println();
            out.printf(format, "SYMBOL", "BARS", "NET RETURN", "MAX DRAWDOWN", "TRADES", "COSTS");
            try (Connection c = running.connect(); PreparedStatement ps = c.prepareStatement("""
                    SELECT m.symbol, count(*),
                           (array_agg(m.cumulative_return ORDER BY m.metric_time DESC))[1],
                           min(m.drawdown), sum(m.transaction_cost + m.slippage_cost),
                           (SELECT count(*) FROM strategy_positions_stream p
                            WHERE p.strategy_run_id = m.strategy_run_id AND p.symbol = m.symbol)
                    FROM strategy_metrics m WHERE m.strategy_run_id = ? GROUP BY m.strategy_run_id, m.symbol
                    ORDER BY m.symbol""")) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.printf(format, rs.getString(1), rs.getLong(2), String.format("%+.2f%%", rs.getDouble(3) * 100),
                                String.format("%.2f%%", rs.getDouble(4) * 100), rs.getLong(6), String.format("%.4f", rs.getDouble(5)));
                    }
                }
            }
            out.println();
        }
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command. Every error is one line on stderr: invalid usage (a taken port, a data folder
     * in use, a bad option) exit 2; anything else exit 1, as its root cause's message, with the stack
     * trace in the log file the line names.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new QuantSignals());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, commandArgs) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("quant-signals: " + UsageErrors.describe(e, args, Map.of()) + " (see '" + help + " --help')");
            return EXIT_INVALID_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException) {
                commandLine.getErr().println("quant-signals: " + Messages.oneLine(e.getMessage()));
                return EXIT_INVALID_USAGE;
            }
            String cause = e instanceof StackFailure ? Messages.oneLine(e.getMessage()) : Failures.rootMessage(e);
            StackLog.file().ifPresent(file -> StackLog.failure(cause, e));
            commandLine.getErr().println("quant-signals: " + cause + StackLog.file().map(f -> " (details in " + f + ")").orElse(""));
            return EXIT_RUNTIME_FAILURE;
        });
        return cli.execute(args);
    }
}
