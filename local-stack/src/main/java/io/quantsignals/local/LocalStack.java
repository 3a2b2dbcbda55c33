package io.quantsignals.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.cli.Durations;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.core.db.Migrations;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.LocalCheckpoints;
import io.quantsignals.job.QuantSignalsJob;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The whole platform on one machine, in this JVM: a real PostgreSQL (embedded binaries), Kafka's own
 * broker (KRaft), the migrations, the prices topic and its replay topic, and the Flink job on a MiniCluster with its web
 * UI. Everything lives under one data folder, the job's checkpoints included, so a new stack on the
 * same folder carries on where the last one stopped, however it stopped; {@link #close()} stops all
 * of it, in reverse order.
 */
public final class LocalStack implements AutoCloseable {

    /** How long the job may take from submission to RUNNING: seconds here, a minute on a machine under heavy load. */
    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Ports and folder of a stack; 0 ports are not allowed here (operators need stable addresses).
     * {@code metricsPort} serves Flink's metrics for Prometheus on {@code /metrics}.
     */
    public record Settings(Path dataDir, int postgresPort, int kafkaPort, int webPort, int metricsPort, String topic) {
        public Path killSwitchDir() {
            return dataDir.resolve("kill-switch");
        }

        /** The job's retained checkpoints, which the next start resumes from. */
        public Path checkpointDir() {
            return dataDir.resolve("checkpoints");
        }
    }

    private final Settings settings;
    /** Held while this stack runs: one stack per data folder (the OS releases it if the JVM dies). */
    private FileChannel dataDirLock;
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private LocalCheckpoints checkpoints;
    private JobClient job;
    /** Completes when the job ends, however: the MiniCluster stops with it. */
    private CompletableFuture<JobExecutionResult> jobResult;
    /** Newest failure of the job's exception history already reported by {@link #newJobFailures()}. */
    private long reportedFailuresUpTo;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    /** Starts everything, or stops what it started and throws with a one-line reason. */
    public static LocalStack start(Settings settings, PrintWriter log) {
        LocalStack stack = new LocalStack(settings);
        try {
            stack.startAll(log);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(PrintWriter log) {
        try {
            Files.createDirectories(settings.killSwitchDir());
        } catch (IOException e) {
            throw new StackFailure("cannot create " + settings.dataDir() + ": " + Failures.rootMessage(e), e);
        }
        lockDataDir();
        // A stack killed with kill -9 leaves its PostgreSQL running (a process of its own) on the
        // port and the folder; the Kafka broker and the job died with the JVM.
        Path postgresDir = settings.dataDir().resolve("postgres");
        PostgresServer.stopOrphanedServer(postgresDir).ifPresent(pid -> log.println("stopped PostgreSQL (pid " + pid
                + ") that the previous run left running on " + postgresDir + " (it was not shut down)"));
        requirePortsFree(settings);

        log.println("starting PostgreSQL on port " + settings.postgresPort() + " ...");
        postgres = PostgresServer.start(settings.postgresPort(), postgresDir);
        try (Connection c = postgres.connect()) {
            Migrations.apply(c);
        } catch (SQLException e) {
            throw new StackFailure("migrations failed: " + Failures.rootMessage(e), e);
        }
        log.println("starting Kafka on port " + settings.kafkaPort() + " ...");
        kafka = KafkaBroker.start(settings.kafkaPort(), settings.dataDir().resolve("kafka"));
        kafka.createTopic(settings.topic(), 2);
        kafka.createTopic(ReplayTopic.of(settings.topic()), 2);

        log.println("starting the Flink job on a MiniCluster (web UI on port " + settings.webPort() + ") ...");
        // The job's state must outlive this process as Kafka's records and PostgreSQL's rows do:
        // a restart after Ctrl-C, a crash or kill -9 resumes from the newest retained checkpoint,
        // so the rows are exactly those of a stack that never stopped (SPEC §4).
        checkpoints = LocalCheckpoints.open(settings.checkpointDir());
        StreamExecutionEnvironment env = QuantSignalsJob.localEnvironment(prometheusReporter(settings.metricsPort()),
                settings.webPort(), checkpoints, log);
        JobOptions options = JobOptions.parse(environment(), "--parallelism", "2",
                "--checkpoint-interval", "5s", "--max-out-of-orderness", "1s");
        try {
            job = QuantSignalsJob.fromOptions(options).executeAsync(env);
        } catch (Exception e) {
            throw new StackFailure("the Flink job did not start: " + Failures.rootMessage(e), e);
        }
        jobResult = job.getJobExecutionResult();
        awaitJobRunning();
    }

    /**
     * Flink's Prometheus reporter on {@code port}. On a MiniCluster one metric registry serves the
     * JobManager and the TaskManagers, so one port carries all of the job's metrics; the reporter's
     * factory is found on the classpath (a cluster would load it from its plugins folder).
     */
    static Configuration prometheusReporter(int port) {
        return Configuration.fromMap(Map.of(
                "metrics.reporter.prom.factory.class", PrometheusReporterFactory.class.getName(),
                "metrics.reporter.prom.port", String.valueOf(port)));
    }

    /**
     * Until the job is RUNNING. The submission returns before the job is scheduled (an unreadable
     * checkpoint fails the submission itself, above); a job that ends on its way to RUNNING must not
     * be announced as running, nor one that never gets there.
     */
    private void awaitJobRunning() {
        long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
        JobStatus status = null;
        while (System.nanoTime() < deadline) {
            checkJob();
            try {
                status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The job may have just ended (its MiniCluster stopped with it): checkJob says why.
                status = null;
            }
            if (status == JobStatus.RUNNING) {
                return;
            }
            sleep(100);
        }
        checkJob();
        throw new StackFailure("the Flink job was not RUNNING " + Durations.format(JOB_START_TIMEOUT) + " after its submission"
                + (status == null ? "" : " (it is " + status + ")"));
    }

    /**
     * Throws with a one-line cause when the job has ended: it is meant to run until the stack stops
     * (Flink restarts it after a failure, from its latest checkpoint), so an end is a failure that
     * restarts could not get past, e.g. a checkpoint it cannot restore.
     */
    public void checkJob() {
        if (jobResult == null || !jobResult.isDone()) {
            return;
        }
        try {
            jobResult.get();
        } catch (ExecutionException e) {
            if (Failures.causedBy(e, JobCancellationException.class)) {
                throw new StackFailure("the Flink job was cancelled (in the web UI or through the REST API),"
                        + " so the stack stops; start it again to resume from the latest checkpoint", e.getCause());
            }
            throw new StackFailure("the Flink job failed: " + Failures.rootMessage(e.getCause()), e.getCause());
        } catch (Exception e) {
            throw new StackFailure("the Flink job ended: " + Failures.rootMessage(e), e);
        }
        throw new StackFailure("the Flink job finished, which it never should (it runs until the stack stops)");
    }

    /**
     * The failures Flink restarted the job after since the last call, oldest first, each as its root
     * cause's message (from the job's exception history in the REST API). Empty if the REST API does
     * not answer: this only adds detail to what {@link #checkJob()} decides.
     */
    public List<String> newJobFailures() {
        List<String> failures = new ArrayList<>();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(webUrl() + "/jobs/" + job.getJobID()
                    + "/exceptions?maxExceptions=10")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return failures;
            }
            List<JsonNode> entries = new ArrayList<>();
            JSON.readTree(response.body()).path("exceptionHistory").path("entries").forEach(entries::add);
            entries.sort(java.util.Comparator.comparingLong(entry -> entry.path("timestamp").asLong()));
            for (JsonNode entry : entries) {
                long at = entry.path("timestamp").asLong();
                if (at > reportedFailuresUpTo) {
                    reportedFailuresUpTo = at;
                    failures.add(Failures.rootMessage(entry.path("stacktrace").asText(entry.path("exceptionName").asText(""))));
                }
            }
        } catch (IOException e) {
            // No answer: nothing new to report.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return failures;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure("interrupted while starting the Flink job");
        }
    }

    /** The SPEC §2 settings for programs talking to this stack. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", "jdbc:postgresql://localhost:" + settings.postgresPort() + "/" + PostgresServer.DATABASE);
        env.put("DATABASE_USER", PostgresServer.USER);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + settings.kafkaPort());
        env.put("PRICES_TOPIC", settings.topic());
        env.put("KILL_SWITCH_DIR", settings.killSwitchDir().toAbsolutePath().toString());
        env.put("FLINK_URL", webUrl());
        return env;
    }

    public String webUrl() {
        return "http://localhost:" + settings.webPort();
    }

    /** Flink's metrics in Prometheus's text format. */
    public String metricsUrl() {
        return "http://localhost:" + settings.metricsPort() + "/metrics";
    }

    public Connection connect() throws SQLException {
        return postgres.connect();
    }

    /** The job's status, for messages; "unknown" when the job has ended and its MiniCluster with it. */
    public String jobStatus() {
        try {
            return job.getJobStatus().get(5, TimeUnit.SECONDS).name();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void lockDataDir() {
        Path lockFile = settings.dataDir().resolve("stack.lock");
        try {
            dataDirLock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = dataDirLock.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new InvalidInputException("the data folder " + settings.dataDir()
                        + " is in use by another running stack: stop it or choose another --data-dir");
            }
        } catch (IOException e) {
            throw new StackFailure("cannot lock " + lockFile + ": " + Failures.rootMessage(e), e);
        }
    }

    /** A stack's ports: what each is for, and the option that changes it. */
    record Port(int port, String what, String option) {
    }

    static List<Port> ports(Settings settings) {
        return List.of(new Port(settings.postgresPort(), "PostgreSQL", "--postgres-port"),
                new Port(settings.kafkaPort(), "Kafka", "--kafka-port"),
                new Port(settings.webPort(), "the Flink web UI", "--web-port"),
                new Port(settings.metricsPort(), "the Prometheus metrics", "--metrics-port"));
    }

    /**
     * Every port, before anything starts: a taken one would otherwise fail the start half-way, after
     * seconds of work, with the server's own words for it. Invalid usage (exit 2): the fix is an option.
     */
    static void requirePortsFree(Settings settings) {
        List<Port> ports = ports(settings);
        for (int i = 0; i < ports.size(); i++) {
            Port p = ports.get(i);
            for (Port other : ports.subList(0, i)) {
                if (other.port() == p.port()) {
                    throw new InvalidInputException(other.option() + " and " + p.option() + " are both " + p.port()
                            + ": give each its own port");
                }
            }
            try (ServerSocket socket = new ServerSocket(p.port(), 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                throw new InvalidInputException("port " + p.port() + " for " + p.what()
                        + " is already in use: stop what uses it or choose another with " + p.option());
            }
        }
    }

    @Override
    public void close() {
        if (job != null) {
            try {
                // Cancelling the job also shuts down its MiniCluster.
                job.cancel().get(Duration.ofSeconds(30).toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // Stopping anyway.
            }
            job = null;
        }
        if (checkpoints != null) {
            checkpoints.close();
            checkpoints = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        if (dataDirLock != null) {
            try {
                dataDirLock.close(); // releases the lock
            } catch (IOException ignored) {
                // The lock goes with the channel either way.
            }
            dataDirLock = null;
        }
    }
}
