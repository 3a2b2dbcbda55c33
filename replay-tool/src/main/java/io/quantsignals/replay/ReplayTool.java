package io.quantsignals.replay;

import io.quantsignals.cli.CommandLineProgram;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.Messages;
import io.quantsignals.cli.ProgramVersion;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.run.SweepStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code replay-tool}: re-publishes a stored window of {@code price_ticks} at a speedup (SPEC §7): to
 * the prices topic, or for a REPLAY run or sweep to the replay topic ({@code <prices topic>-replay}).
 *
 * <p>Exit codes ({@link io.quantsignals.cli.ExitCodes}, and {@link #EXIT_INTERRUPTED}): 0 every tick
 * and end marker acknowledged by Kafka; 1 runtime failure (database or Kafka unreachable, a record
 * not acknowledged), with the cause on one line; 2 invalid usage or input (nothing published,
 * nothing deleted); 130 interrupted (Ctrl-C): what was sent is flushed and how far the replay got
 * is printed.
 *
 * <p>Order of work, so that a refused command changes nothing: arguments, then the run (database),
 * then Kafka (reachable, topic exists; a missing replay topic is created), and only then {@code --reset}
 * deletes and ticks are sent.
 */
@Command(name = "replay-tool", mixinStandardHelpOptions = true, versionProvider = ProgramVersion.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Re-publish the price ticks stored in price_ticks for [--start-ts, --end-ts) to Kafka in event-time "
                    + "order, spacing them by their original gaps divided by --speedup, then send end-of-replay "
                    + "markers so the job completes the last bar. With --run-id (a REPLAY run) the ticks are evaluated "
                    + "for that run only, with --sweep-id for every active run of the sweep (published once); without "
                    + "either they are ordinary ticks for the LIVE and PAPER runs, marked \"replayed\": true.",
            "",
            "Exit codes: 0 every tick acknowledged by Kafka, 1 runtime failure, 2 invalid usage (nothing published, "
                    + "nothing deleted), 130 interrupted.",
            ""
        })
public final class ReplayTool implements Callable<Integer> {

    /** 128 + SIGINT, what a shell reports for a program stopped with Ctrl-C. */
    public static final int EXIT_INTERRUPTED = 130;

    /** How long a Ctrl-C waits for the replay to flush and report before the JVM exits anyway. */
    static final Duration STOP_GRACE = TickPublisher.DELIVERY_TIMEOUT.plusSeconds(10);

    @Option(names = "--start-ts", required = true, paramLabel = "TIME", converter = Converters.IsoInstant.class,
            description = "First event time replayed (inclusive), ISO-8601 UTC, e.g. 2024-06-01T12:00:00Z.")
    Instant start;

    @Option(names = "--end-ts", required = true, paramLabel = "TIME", converter = Converters.IsoInstant.class,
            description = "End of the window (exclusive), ISO-8601 UTC; after the last tick every bar ending at or "
                    + "before it is completed.")
    Instant end;

    @Option(names = "--speedup", required = true, paramLabel = "FACTOR|max", converter = Speedup.Converter.class,
            description = "Replay this many times faster than the original gaps (a number > 0, e.g. 10 or 0.5), "
                    + "or 'max' for no spacing at all. The schedule runs from the first tick to the last; the end "
                    + "markers follow the last tick at once.")
    Speedup speedup;

    @Option(names = "--symbols", split = ",", paramLabel = "SYMBOL",
            description = "Only these symbols (comma-separated). Default: all, or with --run-id the run's "
                    + "'symbols' parameter when it has one.")
    List<String> symbols;

    @Option(names = "--run-id", paramLabel = "UUID", converter = RunIdConverter.class,
            description = "Replay for this REPLAY run only (its ticks carry replay_run_id). Refused when the run "
                    + "already has results, unless --reset.")
    UUID runId;

    @Option(names = "--sweep-id", paramLabel = "UUID", converter = RunIdConverter.SweepIdConverter.class,
            description = "Replay once for every active run of this sweep ('ops-cli sweeps create'; its ticks carry "
                    + "replay_sweep_id). Refused when a run of the sweep already has results, unless --reset.")
    UUID sweepId;

    @Option(names = "--reset",
            description = "With --run-id or --sweep-id: first delete the run's (the sweep's runs') rows from "
                    + "strategy_metrics, strategy_positions_stream and strategy_run_summaries (one transaction).")
    boolean reset;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--kafka", paramLabel = "SERVERS",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String kafka;

    @Option(names = "--prices-topic", paramLabel = "TOPIC",
            description = "Topic the ticks go to (env PRICES_TOPIC; default ${DEFAULT-VALUE}); with --run-id or "
                    + "--sweep-id its replay topic, TOPIC-replay (created like TOPIC when missing).")
    String topic;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final boolean terminal;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    /**
     * @param env where settings not given as options come from (SPEC §2)
     * @param terminal whether progress is one line updated in place (a console) or periodic lines
     */
    public ReplayTool(Map<String, String> env, boolean terminal) {
        this.env = Map.copyOf(env);
        this.terminal = terminal;
    }

    /** Asks a running replay to stop: it flushes what it sent, reports how far it got and returns 130. */
    public void requestStop() {
        stopRequested.set(true);
    }

    boolean stopRequested() {
        return stopRequested.get();
    }

    public static void main(String[] args) {
        ReplayTool tool = new ReplayTool(System.getenv(), System.console() != null);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C (SIGINT) runs shutdown hooks: this one asks the replay to stop and waits until it has
        // flushed and printed how far it got. The JVM then exits with 130 (128 + SIGINT) by itself.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            tool.requestStop();
            try {
                finished.await(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "replay-tool-stop"));
        int code;
        try {
            code = tool.execute(out, err, args);
        } finally {
            finished.countDown();
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line against the given environment and streams (no console); returns the exit code. */
    public static int execute(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        return new ReplayTool(env, false).execute(out, err, args);
    }

    /** Runs this tool once with the given arguments; returns the exit code. */
    public int execute(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLineProgram(this, this::describeFailure).execute(env, out, err, args);
    }

    /**
     * A database error names the database (password masked) it came from, and a missing table
     * points at the migration: the two things an operator checks first. Other failures keep the
     * default wording.
     */
    private String describeFailure(Exception e) {
        if (e instanceof SQLException sql) {
            String hint = "42P01".equals(sql.getSQLState()) ? " (is the schema migrated? 'ops-cli db migrate')" : "";
            return "database error (" + database.describe() + "): " + Messages.oneLine(Messages.describe(e)) + hint;
        }
        return null;
    }

    @Override
    public Integer call() throws SQLException {
        List<String> wanted = validateArguments();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Connection db = database.connect()) {
            boolean symbolsFromRun = false;
            List<UUID> runs = List.of();
            ReplayTarget target = null;
            if (runId != null || sweepId != null) {
                runs = runId != null ? List.of(checkRun(db).id()) : checkSweep(db);
                target = runId != null ? ReplayTarget.run(runId) : ReplayTarget.sweep(sweepId);
                checkNoResults(db, runs, target);
                List<String> traded = tradedSymbols(db, runs);
                if (wanted == null && traded != null) {
                    wanted = traded;
                    symbolsFromRun = true;
                } else if (wanted != null && traded != null) {
                    List<String> ignored = wanted.stream().filter(s -> !traded.contains(s)).toList();
                    if (!ignored.isEmpty()) {
                        err.println("replay-tool: warning: " + target.describe() + " does not trade "
                                + String.join(",", ignored) + " (its symbols: " + String.join(",", traded)
                                + "); the job will ignore those ticks");
                    }
                }
            }
            if (stopRequested()) {
                err.println("replay-tool: interrupted before publishing anything");
                return EXIT_INTERRUPTED;
            }
            try (TickPublisher publisher = target != null ? TickPublisher.connectForReplayRuns(kafka, topic, err)
                    : TickPublisher.connect(kafka, topic)) {
                if (stopRequested()) {
                    err.println("replay-tool: interrupted before publishing anything");
                    return EXIT_INTERRUPTED;
                }
                if (reset) {
                    reset(db, runs, target, err);
                }
                Replay replay = new Replay(db, publisher, start, end, speedup, wanted, symbolsFromRun, target, terminal,
                        this::stopRequested, out, err);
                return replay.run();
            }
        }
    }

    /** Everything that can be checked without the database or Kafka; returns the normalised symbols (null: all). */
    private List<String> validateArguments() {
        if (!end.isAfter(start)) {
            throw new InvalidInputException("--end-ts (" + end + ") must be after --start-ts (" + start + ")");
        }
        if (runId != null && sweepId != null) {
            throw new InvalidInputException("--run-id and --sweep-id exclude each other: replay for one run or for a sweep");
        }
        if (reset && runId == null && sweepId == null) {
            throw new InvalidInputException("--reset needs --run-id or --sweep-id (it deletes that run's results)");
        }
        if (kafka == null || kafka.isBlank()) {
            throw new InvalidInputException("no Kafka bootstrap servers given (--kafka / KAFKA_BOOTSTRAP_SERVERS)");
        }
        TickPublisher.parseBootstrap(kafka);
        if (topic == null || topic.isBlank()) {
            throw new InvalidInputException("no topic given (--prices-topic / PRICES_TOPIC)");
        }
        if (database.url() == null || database.url().isBlank()) {
            throw new InvalidInputException("no database URL given (--db-url / DATABASE_URL)");
        }
        if (symbols == null) {
            return null;
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String s : symbols) {
            String symbol = s.strip();
            if (symbol.isEmpty()) {
                throw new InvalidInputException("--symbols has an empty entry: '" + String.join(",", symbols) + "'");
            }
            unique.add(symbol);
        }
        return new ArrayList<>(unique);
    }

    /** The run must exist, be a REPLAY run and be active. */
    private StrategyRun checkRun(Connection db) throws SQLException {
        Optional<StrategyRun> found = new RunStore(db).find(runId);
        if (found.isEmpty()) {
            throw new InvalidInputException("unknown run id " + runId + " (see 'ops-cli runs list')");
        }
        StrategyRun run = found.get();
        if (run.runType() != RunType.REPLAY) {
            throw new InvalidInputException("run " + runId + " is a " + run.runType() + " run: only REPLAY runs take "
                    + "--run-id (omit --run-id to replay ticks for the LIVE and PAPER runs)");
        }
        if (!run.active()) {
            throw new InvalidInputException("run " + runId + " has ended (at " + run.endedAt()
                    + "): create a new REPLAY run with 'ops-cli runs create'");
        }
        return run;
    }

    /** The sweep must exist and have an active run; returns those runs' ids. */
    private List<UUID> checkSweep(Connection db) throws SQLException {
        SweepStore sweeps = new SweepStore(db);
        if (sweeps.find(sweepId).isEmpty()) {
            throw new InvalidInputException("unknown sweep id " + sweepId + " (see 'ops-cli sweeps list')");
        }
        List<UUID> active = sweeps.runs(sweepId).stream().filter(StrategyRun::active).map(StrategyRun::id).toList();
        if (active.isEmpty()) {
            throw new InvalidInputException("sweep " + sweepId + " has no active run: every run of it has ended");
        }
        return active;
    }

    /** Unless --reset: no run of the replay may have results yet (a replay adds to them otherwise). */
    private void checkNoResults(Connection db, List<UUID> runs, ReplayTarget target) throws SQLException {
        if (reset) {
            return;
        }
        UUID[] ids = runs.toArray(UUID[]::new);
        try (PreparedStatement s = db.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM strategy_metrics WHERE strategy_run_id = ANY (?)),"
                        + " EXISTS (SELECT 1 FROM strategy_positions_stream WHERE strategy_run_id = ANY (?)),"
                        + " EXISTS (SELECT 1 FROM strategy_run_summaries WHERE strategy_run_id = ANY (?))")) {
            for (int i = 1; i <= 3; i++) {
                s.setArray(i, db.createArrayOf("uuid", ids));
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                List<String> tables = new ArrayList<>();
                String[] names = {"strategy_metrics", "strategy_positions_stream", "strategy_run_summaries"};
                for (int i = 0; i < names.length; i++) {
                    if (rs.getBoolean(i + 1)) {
                        tables.add(names[i]);
                    }
                }
                if (!tables.isEmpty()) {
                    throw new InvalidInputException(target.describe() + " already has results (rows in "
                            + String.join(" and ", tables) + "): add --reset to delete them and replay again");
                }
            }
        }
    }

    /** The symbols the runs trade (null if one trades every symbol), in first-seen order. */
    private static List<String> tradedSymbols(Connection db, List<UUID> runs) throws SQLException {
        RunStore store = new RunStore(db);
        LinkedHashSet<String> symbols = new LinkedHashSet<>();
        for (UUID id : runs) {
            List<String> traded = store.find(id).orElseThrow().params().symbols();
            if (traded == null) {
                return null;
            }
            symbols.addAll(traded);
        }
        return new ArrayList<>(symbols);
    }

    /** Deletes the runs' metrics, transitions and summaries in one transaction. */
    private void reset(Connection db, List<UUID> runs, ReplayTarget target, PrintWriter err) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try (PreparedStatement metrics = db.prepareStatement("DELETE FROM strategy_metrics WHERE strategy_run_id = ANY (?)");
             PreparedStatement positions = db.prepareStatement(
                     "DELETE FROM strategy_positions_stream WHERE strategy_run_id = ANY (?)");
             PreparedStatement summaries = db.prepareStatement(
                     "DELETE FROM strategy_run_summaries WHERE strategy_run_id = ANY (?)")) {
            java.sql.Array ids = db.createArrayOf("uuid", runs.toArray(UUID[]::new));
            metrics.setArray(1, ids);
            int m = metrics.executeUpdate();
            positions.setArray(1, ids);
            int p = positions.executeUpdate();
            summaries.setArray(1, ids);
            int r = summaries.executeUpdate();
            db.commit();
            err.println("replay-tool: --reset: deleted " + m + " strategy_metrics, " + p
                    + " strategy_positions_stream and " + r + " strategy_run_summaries rows of " + target.describe());
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }
}
