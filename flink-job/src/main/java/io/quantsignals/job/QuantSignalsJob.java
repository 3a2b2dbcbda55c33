package io.quantsignals.job;

import io.quantsignals.cli.UsageErrors;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.ingest.IncomingMessage;
import io.quantsignals.job.ingest.LiveTicks;
import io.quantsignals.job.ingest.TickTypeInfo;
import io.quantsignals.job.killswitch.KillSwitchChanges;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchPoller;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.ingest.TickDeserializer;
import io.quantsignals.job.ingest.ValidateTicks;
import io.quantsignals.job.runs.RunDirectory;
import io.quantsignals.job.runs.RunsPoller;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.SignalFunction;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Quant Signals streaming job (SPEC §6):
 *
 * <pre>
 * Kafka prices ─▶ validate ─┬─▶ rejected_ticks ◀──────────── (late ticks, unknown replay runs)
 * Kafka replays ─▶ validate ┴─▶ keyBy(symbol) ─▶ bars ▶ SMA crossover, per run ─┬─▶ strategy_metrics
 *   strategy_runs (polled) ───┬─ broadcast ──────────┘                          ├─▶ strategy_positions_stream
 *   kill-switch folder (polled)┘──▶ changes ─▶ kill_switch_events ◀── risk halts ┘
 *
 * Kafka prices (own reader) ─▶ live ticks ─▶ price_ticks               (the tick archive, --tick-archive)
 * </pre>
 *
 * The tick archive reads the prices topic with a Kafka source of its own: one row per tick is bound
 * by the database's write rate (~280k price_ticks rows/s here, bench/README.md (b+)), the signals
 * are not, and two separate pipelines never backpressure each other. REPLAY runs' and sweeps'
 * messages come from the replay topic ({@link ReplayTopic}), so a replay at full speed never queues
 * ahead of live ticks and the archive never fetches it; that source adds nothing to the live
 * watermark (a replay keeps its own clock). Sources and sinks are injected
 * through the constructor so tests can swap them; {@link #build} wires the pipeline top-down. Every
 * operator has a stable uid so savepoints survive upgrades.
 */
public class QuantSignalsJob {

    private final JobOptions options;
    private final Source<IncomingMessage, ?, ?> tickSource;
    /** The replay topic's reader (REPLAY runs and sweeps). */
    private final Source<IncomingMessage, ?, ?> replaySource;
    /** The tick archive's own reader of the topic; null: no archive (--no-tick-archive). */
    private final Source<IncomingMessage, ?, ?> archiveSource;
    private final Source<RunsSnapshot, ?, ?> runsSource;
    private final Source<KillSwitchSnapshot, ?, ?> killSwitchSource;
    private final RunsReader runsReader;
    private final KillSwitches killSwitches;
    private final JobSinks sinks;

    public QuantSignalsJob(JobOptions options, Source<IncomingMessage, ?, ?> tickSource,
                           Source<IncomingMessage, ?, ?> replaySource, Source<IncomingMessage, ?, ?> archiveSource,
                           Source<RunsSnapshot, ?, ?> runsSource, Source<KillSwitchSnapshot, ?, ?> killSwitchSource,
                           RunsReader runsReader, KillSwitches killSwitches, JobSinks sinks) {
        this.options = options;
        this.tickSource = tickSource;
        this.replaySource = replaySource;
        this.archiveSource = archiveSource;
        this.runsSource = runsSource;
        this.killSwitchSource = killSwitchSource;
        this.runsReader = runsReader;
        this.killSwitches = killSwitches;
        this.sinks = sinks;
    }

    /** The production wiring: Kafka in, PostgreSQL/TimescaleDB out. */
    public static QuantSignalsJob fromOptions(JobOptions options) {
        return withSinks(options, new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval()));
    }

    /** The production sources with other sinks (tests inject failures this way). */
    public static QuantSignalsJob withSinks(JobOptions options, JobSinks sinks) {
        RunsReader reader = new RunsReader(options.database(), options.strategyRunId(), options.costDefaults());
        KillSwitches killSwitches = new KillSwitches(options.killSwitchDir());
        return new QuantSignalsJob(options, pricesSource(options, options.groupId(), TickDeserializer.Role.SIGNALS).build(),
                replaySource(options).build(),
                options.tickArchive() ? pricesSource(options, archiveGroupId(options), TickDeserializer.Role.ARCHIVE).build() : null,
                runsSource(reader, options.runsPollInterval()),
                killSwitchSource(killSwitches, options.killSwitchPollInterval()), reader, killSwitches, sinks);
    }

    /** The tick archive reports its progress under a consumer group of its own. */
    public static String archiveGroupId(JobOptions options) {
        return options.groupId() + "-archive";
    }

    /** So does the replay topic's reader. */
    public static String replayGroupId(JobOptions options) {
        return options.groupId() + "-replay";
    }

    /**
     * How often the replay topic's reader looks for the topic and its partitions. The topic may be
     * created after the job starts (the replay tool creates it when missing); partitions found later
     * are read from their start, so nothing published before is missed.
     */
    static final Duration REPLAY_TOPIC_DISCOVERY = Duration.ofSeconds(10);

    /**
     * A reader of the prices topic with the production settings, open for what the benchmark adds
     * (a bounded end, a probing deserializer) so that it measures exactly these.
     */
    public static KafkaSourceBuilder<IncomingMessage> pricesSource(JobOptions options, String groupId,
                                                                   TickDeserializer.Role role) {
        return pricesSource(options, groupId, new TickDeserializer(options.maxFutureSkew(), role));
    }

    public static KafkaSourceBuilder<IncomingMessage> pricesSource(JobOptions options, String groupId,
                                                                   TickDeserializer deserializer) {
        return kafkaSourceBuilder(options, groupId, deserializer).setTopics(options.pricesTopic());
    }

    /**
     * The replay topic's reader. Subscribed by pattern: a topic list makes the source fail while the
     * topic does not exist, and a job must not fail, nor need a restart, because nobody has replayed yet.
     */
    public static KafkaSourceBuilder<IncomingMessage> replaySource(JobOptions options) {
        return replaySource(options, new TickDeserializer(options.maxFutureSkew(), TickDeserializer.Role.REPLAYS));
    }

    public static KafkaSourceBuilder<IncomingMessage> replaySource(JobOptions options, TickDeserializer deserializer) {
        return kafkaSourceBuilder(options, replayGroupId(options), deserializer)
                .setTopicPattern(Pattern.compile(Pattern.quote(ReplayTopic.of(options.pricesTopic()))))
                .setProperty("partition.discovery.interval.ms", String.valueOf(REPLAY_TOPIC_DISCOVERY.toMillis()));
    }

    private static KafkaSourceBuilder<IncomingMessage> kafkaSourceBuilder(JobOptions options, String groupId,
                                                                          TickDeserializer deserializer) {
        OffsetResetStrategy reset = options.startFromLatest() ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST;
        return KafkaSource.<IncomingMessage>builder()
                .setBootstrapServers(options.kafka())
                .setGroupId(groupId)
                // Offsets live in Flink's checkpoints; the committed group offsets only pick the start
                // of a job that has no checkpoint or savepoint, and show progress to Kafka tools.
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(deserializer)
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    /** Reads strategy_runs at a fixed rate; a DataGeneratorSource gives a checkpointed, rate-limited loop. */
    static DataGeneratorSource<RunsSnapshot> runsSource(RunsReader reader, Duration pollInterval) {
        return new DataGeneratorSource<>(new RunsPoller(reader), Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(perSecond(pollInterval)), TypeInformation.of(RunsSnapshot.class));
    }

    /** Lists the kill-switch folder at a fixed rate. */
    static DataGeneratorSource<KillSwitchSnapshot> killSwitchSource(KillSwitches killSwitches, Duration pollInterval) {
        return new DataGeneratorSource<>(new KillSwitchPoller(killSwitches), Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(perSecond(pollInterval)), TypeInformation.of(KillSwitchSnapshot.class));
    }

    private static double perSecond(Duration interval) {
        return 1000.0 / Math.max(10, interval.toMillis());
    }

    /** Defines the pipeline on {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        configure(env);

        SingleOutputStreamOperator<Tick> liveTicks = env
                .fromSource(tickSource, tickWatermarks(), "kafka-ticks").uid("kafka-ticks")
                .process(new ValidateTicks()).returns(TickTypeInfo.INSTANCE)
                .name("validate-ticks").uid("validate-ticks");
        SingleOutputStreamOperator<Tick> replayTicks = env
                .fromSource(replaySource, controlWatermarks(), "kafka-replays").uid("kafka-replays")
                .process(new ValidateTicks()).returns(TickTypeInfo.INSTANCE)
                .name("validate-replays").uid("validate-replays");

        DataStream<KillSwitchSnapshot> killSwitchFolder = env
                .fromSource(killSwitchSource, controlWatermarks(), "kill-switch-folder")
                .uid("kill-switch-folder").setParallelism(1);
        SingleOutputStreamOperator<KillSwitchEvent> killSwitchChanges = killSwitchFolder
                .keyBy(snapshot -> 0)
                .process(new KillSwitchChanges())
                .name("kill-switch-changes").uid("kill-switch-changes").setParallelism(1);

        // Runs and kill switches reach every strategy operator through one broadcast.
        BroadcastStream<ControlEvent> control = env
                .fromSource(runsSource, controlWatermarks(), "strategy-runs")
                .uid("strategy-runs").setParallelism(1)
                .map(ControlEvent::of).name("runs-control").uid("runs-control").setParallelism(1)
                .union(killSwitchFolder.map(ControlEvent::of).name("kill-switch-control").uid("kill-switch-control")
                        .setParallelism(1))
                .broadcast(RunDirectory.RUNS, RunDirectory.RUNS_META, KillSwitches.ENGAGED);

        SingleOutputStreamOperator<MetricRecord> metrics = liveTicks.union(replayTicks)
                .keyBy(tick -> tick.symbol)
                .connect(control)
                .process(new SignalFunction(runsReader, killSwitches, options.maxOutOfOrderness().toMillis()))
                .name("sma-crossover").uid("sma-crossover");

        metrics.sinkTo(sinks.metrics()).name("strategy_metrics").uid("metrics-sink");
        metrics.getSideOutput(SideOutputs.TRANSITIONS)
                .sinkTo(sinks.transitions()).name("strategy_positions_stream").uid("transitions-sink");
        metrics.getSideOutput(SideOutputs.RUN_SUMMARIES)
                .sinkTo(sinks.runSummaries()).name("strategy_run_summaries").uid("run-summaries-sink");
        liveTicks.getSideOutput(SideOutputs.REJECTED)
                .union(replayTicks.getSideOutput(SideOutputs.REJECTED), metrics.getSideOutput(SideOutputs.REJECTED))
                .sinkTo(sinks.rejectedTicks()).name("rejected_ticks").uid("rejected-ticks-sink");
        killSwitchChanges
                .union(metrics.getSideOutput(SideOutputs.KILL_SWITCH_EVENTS))
                .sinkTo(sinks.killSwitchEvents()).name("kill_switch_events").uid("kill-switch-events-sink");

        if (archiveSource != null) {
            // Rejected messages are recorded by the signal pipeline above; replayed history is stored already.
            env.fromSource(archiveSource, WatermarkStrategy.noWatermarks(), "kafka-ticks-archive")
                    .uid("kafka-ticks-archive")
                    .flatMap(new LiveTicks()).returns(TickTypeInfo.INSTANCE).name("live-ticks").uid("live-ticks")
                    .sinkTo(sinks.priceTicks()).name("price_ticks").uid("price-ticks-sink");
        }
    }

    /** Builds and submits the job; returns at once with a handle (tests cancel it). */
    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(jobName());
    }

    public void execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        env.execute(jobName());
    }

    private String jobName() {
        return "quant-signals" + (options.strategyRunId() != null ? " run " + options.strategyRunId() : "");
    }

    private void configure(StreamExecutionEnvironment env) {
        env.enableCheckpointing(options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        Configuration conf = new Configuration();
        if (options.restartAttempts() == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(500));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, options.restartAttempts());
        }
        // Every record and state type is a POJO with a generated serializer (or, for Tick, one of its
        // own); fail at submission rather than fall back to (slow, schema-fragile) Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // No operator keeps or mutates a record after emitting it, so chained operators may pass
        // records on without a defensive copy (which cost ~5% of the source task).
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        if (options.stateBackend() != null) {
            conf.set(StateBackendOptions.STATE_BACKEND, options.stateBackend());
        }
        env.configure(conf);
        if (options.parallelism() != null) {
            env.setParallelism(options.parallelism());
        }
    }

    /**
     * Event time from each tick, per Kafka partition (the source tracks watermarks per split), with
     * the configured bounded out-of-orderness; a silent partition stops holding the watermark back
     * after the idle timeout.
     */
    private WatermarkStrategy<IncomingMessage> tickWatermarks() {
        long outOfOrderness = options.maxOutOfOrderness().toMillis();
        return WatermarkStrategy.<IncomingMessage>forBoundedOutOfOrderness(options.maxOutOfOrderness())
                .withTimestampAssigner((message, kafkaTimestamp) -> watermarkTime(message, outOfOrderness))
                .withIdleness(options.idleTimeout());
    }

    /**
     * What a message contributes to its partition's watermark. Rejected messages and everything of
     * a REPLAY run contribute nothing: a replay of history has its own event-time clock per run
     * (see {@link SignalFunction}) and must neither hold back nor push the live watermark. An
     * end-of-replay marker without a run counts as a tick at end + out-of-orderness, so the
     * watermark reaches the end and the replay's last bar completes.
     */
    static long watermarkTime(IncomingMessage message, long outOfOrdernessMillis) {
        Tick tick = message.tick;
        if (tick == null || tick.isForReplayRuns()) {
            return Long.MIN_VALUE;
        }
        return tick.replayEnd ? tick.tsMillis + outOfOrdernessMillis : tick.tsMillis;
    }

    /**
     * The control streams (runs, kill switches) and the replay topic carry no live event time, so
     * they declare themselves idle:
     * a two-input operator then takes its watermark from the ticks alone. (Pinning it at the maximum instead would be wrong:
     * while the ticks are idle too, the operator's watermark would jump to the maximum, complete every
     * open bar and make every later tick late.)
     */
    private static <T> WatermarkStrategy<T> controlWatermarks() {
        return WatermarkStrategy.forGenerator(context -> new WatermarkGenerator<>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
                output.markIdle();
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }

    public static void main(String[] args) throws Exception {
        JobOptions options;
        try {
            options = JobOptions.parse(System.getenv(), args);
        } catch (CommandLine.ParameterException e) {
            // One line, as ops-cli and replay-tool print it: a misspelt --db-password's value is never
            // shown (picocli quotes it), and the error is not buried under the usage in a flink run log.
            PrintWriter err = new PrintWriter(System.err, true);
            err.println("flink-job: " + UsageErrors.describe(e, args, System.getenv()) + " (see --help)");
            System.exit(2);
            return;
        }
        if (options.helpRequested()) {
            JobOptions.commandLine(new JobOptions(), System.getenv()).usage(System.out);
            return;
        }
        if (!options.local()) {
            fromOptions(options).execute(StreamExecutionEnvironment.getExecutionEnvironment());
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true);
        if (options.checkpointDir() == null) {
            fromOptions(options).execute(localEnvironment(options.webPort(), null, out));
            return;
        }
        LocalCheckpoints checkpoints;
        try {
            checkpoints = LocalCheckpoints.open(options.checkpointDir());
        } catch (IllegalStateException e) {
            new PrintWriter(System.err, true).println("flink-job: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (checkpoints) {
            fromOptions(options).execute(localEnvironment(options.webPort(), checkpoints, out));
        }
    }

    /**
     * The environment of {@code --local} and of {@code ./quant-signals up}: an embedded MiniCluster
     * with the web UI and REST API on {@code webPort}. With {@code checkpoints} (null: none), the job
     * checkpoints into that folder, retained, and resumes from the newest complete checkpoint there;
     * {@code log} gets a line saying which, or that there is none.
     */
    public static StreamExecutionEnvironment localEnvironment(int webPort, LocalCheckpoints checkpoints, PrintWriter log) {
        return localEnvironment(new Configuration(), webPort, checkpoints, log);
    }

    /**
     * The same on top of {@code conf} (copied), for what the caller adds to the MiniCluster, e.g.
     * the local stack's metric reporter.
     */
    public static StreamExecutionEnvironment localEnvironment(Configuration base, int webPort, LocalCheckpoints checkpoints,
                                                              PrintWriter log) {
        Configuration conf = new Configuration(base);
        conf.set(RestOptions.PORT, webPort);
        if (checkpoints != null) {
            Optional<Path> resumeFrom = checkpoints.configure(conf);
            log.println(resumeFrom.map(checkpoint -> "resuming the job from checkpoint " + checkpoint)
                    .orElse("no checkpoint in " + checkpoints.folder() + " yet: the job starts with empty state"));
        }
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    }
}
