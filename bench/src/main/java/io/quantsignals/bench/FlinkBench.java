package io.quantsignals.bench;

import io.quantsignals.job.JobOptions;
import io.quantsignals.job.QuantSignalsJob;
import io.quantsignals.job.ingest.IncomingMessage;
import io.quantsignals.job.ingest.TickDeserializer.Role;
import io.quantsignals.job.killswitch.KillSwitchPoller;
import io.quantsignals.job.killswitch.KillSwitchSnapshot;
import io.quantsignals.job.killswitch.KillSwitches;
import io.quantsignals.job.runs.RunsPoller;
import io.quantsignals.job.runs.RunsReader;
import io.quantsignals.job.runs.RunsSnapshot;
import io.quantsignals.job.sink.JobSinks;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import org.apache.flink.runtime.execution.ExecutionState;

import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One in-process Flink MiniCluster (one TaskManager, {@code parallelism} slots) for every job of the
 * benchmark, and the job built exactly as production builds it ({@link QuantSignalsJob}) except for
 * the injected sources: the Kafka source has the production builder settings plus
 * {@code setBounded(latest)}, and the run/kill-switch pollers emit one snapshot and end, so the job
 * finishes when it has read the topic to its end (and every pending bar completes on the final
 * watermark).
 */
final class FlinkBench implements AutoCloseable {

    private final MiniCluster cluster;
    private final Path checkpointDir;
    final double startupSeconds;

    FlinkBench(int parallelism, Path workDir) throws Exception {
        checkpointDir = workDir.resolve("checkpoints");
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        long t0 = System.nanoTime();
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
        cluster.start();
        startupSeconds = (System.nanoTime() - t0) / 1e9;
    }

    URI restAddress() throws Exception {
        return cluster.getRestAddress().get(30, TimeUnit.SECONDS);
    }

    MiniCluster cluster() {
        return cluster;
    }

    /** A bounded run of the job: the production pipeline over the topics as they are now. */
    static QuantSignalsJob boundedJob(JobOptions options, JobSinks sinks) {
        RunsReader reader = new RunsReader(options.database(), options.strategyRunId(), options.costDefaults());
        KillSwitches killSwitches = new KillSwitches(options.killSwitchDir());
        KafkaSource<IncomingMessage> ticks = QuantSignalsJob.pricesSource(options, options.groupId(), probe(options, false, Role.SIGNALS))
                .setBounded(OffsetsInitializer.latest())
                .build();
        KafkaSource<IncomingMessage> replays = QuantSignalsJob.replaySource(options, probe(options, false, Role.REPLAYS))
                .setBounded(OffsetsInitializer.latest())
                .build();
        KafkaSource<IncomingMessage> archive = !options.tickArchive() ? null
                : QuantSignalsJob.pricesSource(options, QuantSignalsJob.archiveGroupId(options), probe(options, false, Role.ARCHIVE))
                .setBounded(OffsetsInitializer.latest())
                .build();
        return new QuantSignalsJob(options, ticks, replays, archive,
                new DataGeneratorSource<>(new RunsPoller(reader), 1, TypeInformation.of(RunsSnapshot.class)),
                new DataGeneratorSource<>(new KillSwitchPoller(killSwitches), 1, TypeInformation.of(KillSwitchSnapshot.class)),
                reader, killSwitches, sinks);
    }

    /** The job as production runs it (unbounded sources, periodic polls), ticks counted by the deserializer. */
    static QuantSignalsJob unboundedJob(JobOptions options, JobSinks sinks) {
        return unboundedJob(options, sinks, true);
    }

    /** The same; {@code countRecords}: count the records parsed (an atomic increment per record). */
    static QuantSignalsJob unboundedJob(JobOptions options, JobSinks sinks, boolean countRecords) {
        RunsReader reader = new RunsReader(options.database(), options.strategyRunId(), options.costDefaults());
        KillSwitches killSwitches = new KillSwitches(options.killSwitchDir());
        return new QuantSignalsJob(options,
                QuantSignalsJob.pricesSource(options, options.groupId(), probe(options, countRecords, Role.SIGNALS)).build(),
                QuantSignalsJob.replaySource(options, probe(options, countRecords, Role.REPLAYS)).build(),
                options.tickArchive()
                        ? QuantSignalsJob.pricesSource(options, QuantSignalsJob.archiveGroupId(options), probe(options, false, Role.ARCHIVE)).build()
                        : null,
                new DataGeneratorSource<>(new RunsPoller(reader), Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(1000.0 / options.runsPollInterval().toMillis()),
                        TypeInformation.of(RunsSnapshot.class)),
                new DataGeneratorSource<>(new KillSwitchPoller(killSwitches), Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(1000.0 / options.killSwitchPollInterval().toMillis()),
                        TypeInformation.of(KillSwitchSnapshot.class)),
                reader, killSwitches, sinks);
    }

    /** The production deserializer of a reader with the given role, with the probe. */
    private static TimedTickDeserializer probe(JobOptions options, boolean countRecords, Role role) {
        return new TimedTickDeserializer(options.maxFutureSkew(), countRecords, role);
    }

    /** The job graph, with the harness's settings on top of the job's own. */
    static JobGraph jobGraph(QuantSignalsJob job, String name) {
        Configuration conf = new Configuration();
        // A bounded streaming job otherwise waits, after its input ends, for one more periodic
        // checkpoint (up to --checkpoint-interval, 10 s) before it may finish: time that says nothing
        // about throughput. Without it the sinks still flush everything at end of input.
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        job.build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        return graph.getJobGraph();
    }

    /**
     * Seconds from submission to the job's end, and from its first parsed record to its last
     * committed result row ({@link CommitProbe}).
     */
    record Timing(double submitToFinish, double firstRecordToCommitted) {
    }

    /** Submits a bounded job and waits for its end. */
    Timing runToEnd(JobGraph graph) throws Exception {
        TimedTickDeserializer.reset();
        CommitProbe.reset();
        long t0 = System.nanoTime();
        cluster.submitJob(graph).get(60, TimeUnit.SECONDS);
        JobResult result = cluster.requestJobResult(graph.getJobID()).get(60, TimeUnit.MINUTES);
        long t1 = System.nanoTime();
        failIfFailed(result);
        long first = TimedTickDeserializer.firstNanos();
        if (first == 0) {
            throw new IllegalStateException("the job finished without reading a tick");
        }
        long committed = CommitProbe.lastCommitNanos();
        if (committed == 0) {
            throw new IllegalStateException("the job finished without a flush of strategy_metrics or price_ticks");
        }
        return new Timing((t1 - t0) / 1e9, (committed - first) / 1e9);
    }

    JobID submit(JobGraph graph) throws Exception {
        TimedTickDeserializer.reset();
        cluster.submitJob(graph).get(60, TimeUnit.SECONDS);
        return graph.getJobID();
    }

    /** Waits until every task of the job is RUNNING. */
    void awaitRunning(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var graph = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
            boolean running = true;
            for (var vertex : graph.getAllExecutionVertices()) {
                if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                    running = false;
                    break;
                }
            }
            if (running) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job + " not running after " + timeout + ": " + graph.getState());
            }
            Thread.sleep(50);
        }
    }

    void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
        cluster.requestJobResult(job).get(60, TimeUnit.SECONDS);
    }

    private static void failIfFailed(JobResult result) throws Exception {
        if (!result.isSuccess()) {
            Throwable cause = result.getSerializedThrowable()
                    .map(t -> t.deserializeError(FlinkBench.class.getClassLoader()))
                    .orElse(new IllegalStateException("job ended " + result.getApplicationStatus()));
            throw new IllegalStateException("the job failed: " + cause, cause);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
