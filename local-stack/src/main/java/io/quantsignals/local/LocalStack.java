package io.quantsignals.local;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.LocalCheckpoints;
import io.quantsignals.job.QuantSignalsJob;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole platform on one machine, in this JVM: a real PostgreSQL (embedded binaries), Kafka's own
 * broker (KRaft), the migrations, the prices topic, and the Flink job on a MiniCluster with its web
 * UI. Everything lives under one data folder, the job's checkpoints included, so a new stack on the
 * same folder carries on where the last one stopped, however it stopped; {@link #close()} stops all
 * of it, in reverse order.
 */
public final class LocalStack implements AutoCloseable {

    /** Ports and folder of a stack; 0 ports are not allowed here (operators need stable addresses). */
    public record Settings(Path dataDir, int postgresPort, int kafkaPort, int webPort, String topic) {
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
            throw new UncheckedIOException("cannot create " + settings.dataDir() + ": " + e.getMessage(), e);
        }
        lockDataDir();
        // A stack killed with kill -9 leaves its PostgreSQL running (a process of its own) on the
        // port and the folder; the Kafka broker and the job died with the JVM.
        Path postgresDir = settings.dataDir().resolve("postgres");
        PostgresServer.stopOrphanedServer(postgresDir).ifPresent(pid -> log.println("stopped PostgreSQL (pid " + pid
                + ") that the previous run left running on " + postgresDir + " (it was not shut down)"));
        requireFree(settings.postgresPort(), "PostgreSQL", "--postgres-port");
        requireFree(settings.kafkaPort(), "Kafka", "--kafka-port");
        requireFree(settings.webPort(), "the Flink web UI", "--web-port");

        log.println("starting PostgreSQL on port " + settings.postgresPort() + " ...");
        postgres = PostgresServer.start(settings.postgresPort(), postgresDir);
        try (Connection c = postgres.connect()) {
            Migrations.apply(c);
        } catch (SQLException e) {
            throw new IllegalStateException("migrations failed: " + e.getMessage(), e);
        }
        log.println("starting Kafka on port " + settings.kafkaPort() + " ...");
        kafka = KafkaBroker.start(settings.kafkaPort(), settings.dataDir().resolve("kafka"));
        kafka.createTopic(settings.topic(), 2);

        log.println("starting the Flink job on a MiniCluster (web UI on port " + settings.webPort() + ") ...");
        // The job's state must outlive this process as Kafka's records and PostgreSQL's rows do:
        // a restart after Ctrl-C, a crash or kill -9 resumes from the newest retained checkpoint,
        // so the rows are exactly those of a stack that never stopped (SPEC §4).
        checkpoints = LocalCheckpoints.open(settings.checkpointDir());
        StreamExecutionEnvironment env = QuantSignalsJob.localEnvironment(settings.webPort(), checkpoints, log);
        JobOptions options = JobOptions.parse(environment(), "--parallelism", "2",
                "--checkpoint-interval", "5s", "--max-out-of-orderness", "1s");
        try {
            job = QuantSignalsJob.fromOptions(options).executeAsync(env);
        } catch (Exception e) {
            throw new IllegalStateException("the Flink job did not start: " + e.getMessage(), e);
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
        return env;
    }

    public String webUrl() {
        return "http://localhost:" + settings.webPort();
    }

    public Connection connect() throws SQLException {
        return postgres.connect();
    }

    /** Whether the job is still running (a failed job is restarted by Flink; a finished one is a bug). */
    public String jobStatus() {
        return job.getJobStatus().join().name();
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
                throw new IllegalStateException("the data folder " + settings.dataDir()
                        + " is in use by another running stack: stop it or choose another --data-dir");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static void requireFree(int port, String what, String option) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " for " + what + " is already in use: stop what uses it or choose another with "
                    + option);
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
