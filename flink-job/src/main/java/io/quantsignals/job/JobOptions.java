package io.quantsignals.job;

import io.quantsignals.cli.Durations;
import io.quantsignals.cli.EnvironmentDefaults;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.core.config.Setting;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.job.runs.DatabaseSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The job's command line: {@code flink run flink-job.jar [options]}. Every SPEC §2 setting can be
 * given as an option or an environment variable (the option wins); the rest tune the pipeline.
 */
@Command(name = "flink-job", sortOptions = false,
        description = "Quant Signals streaming job: Kafka ticks -> bars -> SMA crossover -> positions -> TimescaleDB.")
public final class JobOptions {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean helpRequested;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka brokers (env KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String kafka;

    @Option(names = "--prices-topic", paramLabel = "TOPIC", description = "Ticks topic (env PRICES_TOPIC; default ${DEFAULT-VALUE}).")
    String pricesTopic;

    @Option(names = "--db-url", paramLabel = "URL", description = "JDBC URL (env DATABASE_URL; default jdbc:postgresql://localhost:5432/quant).")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "NAME", description = "Database user (env DATABASE_USER; default ${DEFAULT-VALUE}).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (env DATABASE_PASSWORD).")
    String dbPassword;

    @Option(names = "--strategy-run-id", paramLabel = "UUID",
            description = "Evaluate only this run (env STRATEGY_RUN_ID); default: every active LIVE and PAPER run.")
    String strategyRunId;

    @Option(names = "--kill-switch-dir", paramLabel = "DIR",
            description = "Kill-switch folder, mounted on every TaskManager (env KILL_SWITCH_DIR; default ${DEFAULT-VALUE}).")
    String killSwitchDir;

    @Option(names = "--kill-switch-poll-interval", paramLabel = "DURATION", defaultValue = "100ms", converter = Durations.Converter.class,
            description = "How often the kill-switch folder is listed (default ${DEFAULT-VALUE}).")
    Duration killSwitchPollInterval;

    @Option(names = "--transaction-cost-bps", paramLabel = "BPS",
            description = "Transaction cost for runs whose params omit it (env TRANSACTION_COST_BPS; default ${DEFAULT-VALUE}).")
    String transactionCostBps;

    @Option(names = "--slippage-bps", paramLabel = "BPS",
            description = "Slippage for runs whose params omit it (env SLIPPAGE_BPS; default ${DEFAULT-VALUE}).")
    String slippageBps;

    @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.Converter.class,
            description = "How late in event time a tick may arrive and still count (default ${DEFAULT-VALUE}).")
    Duration maxOutOfOrderness;

    @Option(names = "--max-future-skew", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.Converter.class,
            description = "A live tick whose ts is more than this past the wall clock is rejected (FUTURE_TIMESTAMP): one such"
                    + " tick would otherwise move the watermark ahead and make every later tick late (default ${DEFAULT-VALUE}).")
    Duration maxFutureSkew;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "A Kafka partition silent this long stops holding back the watermark (default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "Checkpoint interval; results are committed at least this often (default ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--runs-poll-interval", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.Converter.class,
            description = "How often strategy_runs is read for created, updated and ended runs (default ${DEFAULT-VALUE}).")
    Duration runsPollInterval;

    @Option(names = "--sink-batch-size", paramLabel = "ROWS", defaultValue = "5000",
            description = "Rows per database batch (default ${DEFAULT-VALUE}).")
    int sinkBatchSize;

    @Option(names = "--sink-flush-interval", paramLabel = "DURATION", defaultValue = "200ms", converter = Durations.Converter.class,
            description = "Longest a row waits before it is written (default ${DEFAULT-VALUE}).")
    Duration sinkFlushInterval;

    @Option(names = "--restart-attempts", paramLabel = "N", defaultValue = "2147483647",
            description = "Restarts after failures before the job gives up (exponential back-off; 0: fail at once; default: unlimited).")
    int restartAttempts;

    @Option(names = "--starting-offsets", paramLabel = "earliest|latest", defaultValue = "earliest",
            description = "Where a job without a checkpoint starts reading when its consumer group has no committed offsets (default ${DEFAULT-VALUE}).")
    String startingOffsets;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "quant-signals-job",
            description = "Kafka consumer group for offset reporting (default ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--tick-archive", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Store every live tick in price_ticks, from a Kafka reader of its own so that the database's"
                    + " write rate never slows the signals (default: on; --no-tick-archive when another job archives the topic).")
    boolean tickArchive;

    @Option(names = "--parallelism", paramLabel = "N", description = "Job parallelism (default: the cluster's).")
    Integer parallelism;

    @Option(names = "--local", description = "Run on an embedded Flink MiniCluster with the web UI instead of submitting to a cluster.")
    boolean local;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Web UI and REST port with --local (default ${DEFAULT-VALUE}).")
    int webPort;

    // Resuming is automatic rather than a flag of its own: a --local job started without the state
    // its predecessor left reads on from the consumer group's committed offsets with empty state,
    // i.e. writes rows that differ from an uninterrupted run's. To start afresh, use an empty folder.
    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "With --local: write checkpoints as files to DIR, keep the newest when the job is cancelled or"
                    + " fails or its process is killed, and on every start resume from the newest complete one there"
                    + " (older job folders in DIR are then removed). Without it, --local checkpoints live in memory and"
                    + " a restarted process starts with empty state. Not for a cluster: there the cluster's"
                    + " checkpoint and HA settings (execution.checkpointing.dir, high-availability) and flink run -s apply.")
    Path checkpointDir;

    @Option(names = "--state-backend", paramLabel = "hashmap|rocksdb",
            description = "Where keyed state lives: hashmap (on the heap; fastest while state fits in memory) or rocksdb"
                    + " (on local disk; state larger than memory, incremental checkpoints). Default: the cluster's setting"
                    + " (state.backend.type), hashmap on --local.")
    String stateBackend;

    /** Parses a command line; throws {@link CommandLine.ParameterException} with a one-line message. */
    public static JobOptions parse(Map<String, String> env, String... args) {
        JobOptions options = new JobOptions();
        CommandLine cli = commandLine(options, env);
        cli.parseArgs(args);
        if (!options.helpRequested) {
            options.validate(cli);
        }
        return options;
    }

    static CommandLine commandLine(JobOptions options, Map<String, String> env) {
        CommandLine cli = new CommandLine(options);
        cli.setDefaultValueProvider(new EnvironmentDefaults(env));
        return cli;
    }

    private void validate(CommandLine cli) {
        if (strategyRunId != null) {
            try {
                // The one run-id rule of every program (canonical UUIDs only, so "1-2-3-4-5" is refused).
                strategyRunId = new RunIdConverter().convert(strategyRunId.strip()).toString();
            } catch (CommandLine.TypeConversionException e) {
                throw new CommandLine.ParameterException(cli, "--strategy-run-id: " + e.getMessage());
            }
        }
        if (!startingOffsets.equals("earliest") && !startingOffsets.equals("latest")) {
            throw new CommandLine.ParameterException(cli, "--starting-offsets must be earliest or latest");
        }
        if (sinkBatchSize < 1 || restartAttempts < 0 || (parallelism != null && parallelism < 1)) {
            throw new CommandLine.ParameterException(cli, "--sink-batch-size, --restart-attempts and --parallelism must be positive");
        }
        try {
            costDefaults();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        if (stateBackend != null && !stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new CommandLine.ParameterException(cli, "--state-backend must be hashmap or rocksdb");
        }
        if (checkpointDir != null && !local) {
            throw new CommandLine.ParameterException(cli, "--checkpoint-dir needs --local; on a cluster set"
                    + " execution.checkpointing.dir in its configuration and resume with flink run -s");
        }
        // Flink checks these only inside the running tasks, where a bad value means a restart loop.
        if (maxOutOfOrderness.isNegative() || maxFutureSkew.isNegative()) {
            throw new CommandLine.ParameterException(cli, "--max-out-of-orderness and --max-future-skew must not be negative");
        }
        if (idleTimeout.toMillis() < 1 || sinkFlushInterval.toMillis() < 1) {
            throw new CommandLine.ParameterException(cli, "--idle-timeout and --sink-flush-interval must be at least 1ms");
        }
        if (checkpointInterval.toMillis() < 10 || runsPollInterval.toMillis() < 10 || killSwitchPollInterval.toMillis() < 10) {
            throw new CommandLine.ParameterException(cli,
                    "--checkpoint-interval, --runs-poll-interval and --kill-switch-poll-interval must be at least 10ms");
        }
    }

    public String killSwitchDir() {
        return killSwitchDir;
    }

    public Duration killSwitchPollInterval() {
        return killSwitchPollInterval;
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    public DatabaseSettings database() {
        return new DatabaseSettings(dbUrl, dbUser, dbPassword);
    }

    public String kafka() {
        return kafka;
    }

    public String pricesTopic() {
        return pricesTopic;
    }

    /** Null: every active run. */
    public String strategyRunId() {
        return strategyRunId;
    }

    public Duration maxOutOfOrderness() {
        return maxOutOfOrderness;
    }

    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration runsPollInterval() {
        return runsPollInterval;
    }

    public int sinkBatchSize() {
        return sinkBatchSize;
    }

    public Duration sinkFlushInterval() {
        return sinkFlushInterval;
    }

    public int restartAttempts() {
        return restartAttempts;
    }

    public boolean startFromLatest() {
        return startingOffsets.equals("latest");
    }

    public String groupId() {
        return groupId;
    }

    public boolean tickArchive() {
        return tickArchive;
    }

    public Integer parallelism() {
        return parallelism;
    }

    public boolean local() {
        return local;
    }

    public int webPort() {
        return webPort;
    }

    /** With --local: the folder of retained checkpoints to resume from; null: checkpoints in memory. */
    /** Null: the cluster's setting. */
    public String stateBackend() {
        return stateBackend;
    }

    public Path checkpointDir() {
        return checkpointDir;
    }

    /** Cost defaults for runs whose stored params omit them (SPEC §2). */
    public StrategyParamsParser.CostDefaults costDefaults() {
        try {
            return StrategyParamsParser.CostDefaults.fromEnvironment(Map.of(
                    Setting.TRANSACTION_COST_BPS.envName(), transactionCostBps,
                    Setting.SLIPPAGE_BPS.envName(), slippageBps));
        } catch (InvalidParamsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
