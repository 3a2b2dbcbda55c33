package io.quantsignals.local;

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

/** {@code ./quant-signals up|demo} (SPEC §10). */
@Command(name = "quant-signals", mixinStandardHelpOptions = true,
        description = "Run Quant Signals on this machine: real PostgreSQL and Kafka, the job on a Flink MiniCluster.",
        subcommands = {QuantSignals.Up.class, QuantSignals.Demo.class})
public final class QuantSignals {

    /** Where and on which ports the stack runs. */
    static final class StackOptions {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".qs-data",
                description = "Folder for all data: PostgreSQL, Kafka, the job's checkpoints (a new start resumes from the newest),"
                        + " kill switches, demo files (default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--postgres-port", paramLabel = "PORT", defaultValue = "5432", description = "Default ${DEFAULT-VALUE}.")
        int postgresPort;

        @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Default ${DEFAULT-VALUE}.")
        int kafkaPort;

        @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
                description = "Flink web UI and REST API (default ${DEFAULT-VALUE}).")
        int webPort;

        LocalStack.Settings settings() {
            return new LocalStack.Settings(dataDir.toAbsolutePath(), postgresPort, kafkaPort, webPort, "prices");
        }
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
            LocalStack running = LocalStack.start(stack.settings(), out);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.println("stopping ...");
                running.close();
                stopped.countDown();
            }, "quant-signals-stop"));
            out.println();
            out.println("Quant Signals is running. Flink web UI: " + running.webUrl());
            out.println("Settings for ops-cli and replay-tool in another shell:");
            running.environment().forEach((name, value) -> out.println("  export " + name + "=" + value));
            out.println("Press Ctrl-C to stop everything.");
            stopped.await();
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Start the stack, import a sample of prices, replay it into a REPLAY run, print a summary and"
                    + " the report's path, then stop everything.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        StackOptions stack;

        static final String PARAMS = """
                {"sma_fast_window": 10, "sma_slow_window": 30, "sma_confirmation_window": 2,
                 "transaction_cost_bps": 5, "slippage_bps": 2, "bar_interval_seconds": 60, "allow_short": true}
                """;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (LocalStack running = LocalStack.start(stack.settings(), out)) {
                Map<String, String> env = running.environment();
                Path dataDir = stack.settings().dataDir();
                Path csv = dataDir.resolve("demo-prices.csv");
                long ticks = SamplePrices.write(csv);
                out.println("generated " + ticks + " ticks of sample prices (seeded model, see SamplePrices) in " + csv);

                run(out, "ops-cli", OpsCli.execute(env, out, err, "prices", "import", "--file", csv.toString()));
                Path params = Files.writeString(dataDir.resolve("demo-params.json"), PARAMS);
                StringWriter id = new StringWriter();
                run(out, "ops-cli", OpsCli.execute(env, new PrintWriter(id, true), err, "runs", "create", "sma_cross",
                        "--param-file", params.toString(), "--run-type", "REPLAY", "--created-by", "demo"));
                UUID runId = UUID.fromString(id.toString().strip());
                out.println("created REPLAY run " + runId);

                run(out, "replay-tool", ReplayTool.execute(env, out, err, "--start-ts", SamplePrices.START.toString(),
                        "--end-ts", SamplePrices.END.toString(), "--speedup", "max", "--run-id", runId.toString()));
                long bars = awaitAllBars(running, runId);
                out.println("all " + bars + " bars evaluated");

                printSummary(out, running, runId);
                Path report = dataDir.resolve("report-" + runId + ".html");
                run(out, "ops-cli", OpsCli.execute(env, new PrintWriter(new StringWriter()), err, "runs", "report",
                        runId.toString(), "--out", report.toString()));
                out.println("report: " + report);
                out.println("stopping ...");
            }
            return 0;
        }

        private static void run(PrintWriter out, String program, int exitCode) {
            if (exitCode != 0) {
                throw new IllegalStateException(program + " failed with exit code " + exitCode);
            }
        }

        /**
         * Waits until the run has a metric row for every (symbol, minute) bucket of the window: the
         * replay tool's end markers complete the last bar, so this is exact, not a timeout guess.
         */
        private static long awaitAllBars(LocalStack running, UUID runId) throws Exception {
            long expected = scalar(running, """
                    SELECT count(*) FROM (SELECT DISTINCT symbol, date_trunc('minute', event_time)
                                          FROM price_ticks WHERE source = 'import:demo-prices.csv') b""", null);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            long seen = 0;
            while (System.nanoTime() < deadline) {
                seen = scalar(running, "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", runId);
                if (seen >= expected) {
                    return seen;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("only " + seen + " of " + expected + " bars after 3 minutes (job "
                    + running.jobStatus() + ")");
        }

        private static long scalar(LocalStack running, String sql, UUID runId) throws SQLException {
            try (Connection c = running.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
                if (runId != null) {
                    ps.setObject(1, runId);
                }
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

    /** Runs one command; failures are one line on stderr and exit code 1. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new QuantSignals());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("quant-signals: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cli.execute(args);
    }
}
