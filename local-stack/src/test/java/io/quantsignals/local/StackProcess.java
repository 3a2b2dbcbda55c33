package io.quantsignals.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.embedded.PostgresServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ./quant-signals up} as a JVM of its own (the test's classpath, {@link QuantSignals}), on
 * one data folder and four free ports, for tests that kill it, cancel its job or read what it
 * prints; and the clients to talk to it (REST, Kafka, PostgreSQL).
 */
final class StackProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Path dataDir;
    final int postgresPort;
    final int kafkaPort;
    final int webPort;
    final int metricsPort;
    /** Each started process's stdout and stderr, together, in {@code <name>.log}. */
    private final Path logDir;
    private final List<String> started = new ArrayList<>();

    StackProcess(Path dataDir, Path logDir) throws IOException {
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.postgresPort = freePort();
        this.kafkaPort = freePort();
        this.webPort = freePort();
        this.metricsPort = freePort();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code up} on this folder and these ports; its output goes to {@code <name>.log}. */
    Process start(String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        started.add(name);
        // The JVM itself, not a shell around it: destroyForcibly() must SIGKILL the stack.
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                QuantSignals.class.getName(), "up", "--data-dir", dataDir.toString(),
                "--postgres-port", String.valueOf(postgresPort), "--kafka-port", String.valueOf(kafkaPort),
                "--web-port", String.valueOf(webPort), "--metrics-port", String.valueOf(metricsPort))
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + ".log").toFile())
                .start();
    }

    String log(String name) {
        try {
            return Files.readString(logDir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Every started process's output, for failure messages. */
    String logs() {
        StringBuilder all = new StringBuilder();
        for (String name : started) {
            all.append("---- ").append(name).append(":\n").append(log(name)).append('\n');
        }
        return all.toString();
    }

    /** SIGTERM, so the stack's shutdown hook stops everything; SIGKILL if it hangs. */
    static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops the processes and, whatever happened, the PostgreSQL server a killed one may have left running. */
    void stopAll(Process... processes) throws InterruptedException {
        // Also after a time-out (which interrupts this thread): leave no process behind.
        boolean interrupted = Thread.interrupted();
        for (Process p : processes) {
            stop(p);
        }
        PostgresServer.stopOrphanedServer(dataDir.resolve("postgres"));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The id of the stack's RUNNING job, once there is one. */
    String awaitRunningJob(Process stack, String name) throws Exception {
        String[] id = new String[1];
        await("the " + name + " stack's job RUNNING", Duration.ofSeconds(120), () -> {
            try {
                for (JsonNode job : get("/jobs/overview").get("jobs")) {
                    if (job.get("state").asText().equals("RUNNING")) {
                        id[0] = job.get("jid").asText();
                        return true;
                    }
                }
            } catch (IOException e) {
                // not up yet
            }
            return false;
        }, stack);
        return id[0];
    }

    /** The id of the first completed checkpoint that was triggered after {@code afterMillis}. */
    long awaitCheckpointTriggeredAfter(String jobId, long afterMillis, Process stack) throws Exception {
        long[] id = new long[1];
        await("a checkpoint after " + afterMillis, Duration.ofSeconds(60), () -> {
            try {
                JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
                if (!completed.isMissingNode() && !completed.isNull()
                        && completed.get("trigger_timestamp").asLong() > afterMillis) {
                    id[0] = completed.get("id").asLong();
                    return true;
                }
            } catch (IOException e) {
                // REST busy: ask again
            }
            return false;
        }, stack);
        return id[0];
    }

    /** GET on the stack's Flink REST API, as JSON. */
    JsonNode get(String path) throws IOException {
        return JSON.readTree(http("GET", URI.create("http://localhost:" + webPort + path)));
    }

    /** The body of a request, which must answer 2xx. */
    static String http(String method, URI uri) throws IOException {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException(method + " " + uri + ": HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Polls {@code condition}; fails with every process's output if the stack exits or time runs out. */
    void await(String what, Duration timeout, BooleanSupplier condition, Process stack) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!stack.isAlive()) {
                fail("the stack exited (" + stack.exitValue() + ") while waiting for " + what + ":\n" + logs());
            }
            Thread.sleep(200);
        }
        fail("timed out after " + timeout + " waiting for " + what + ":\n" + logs());
    }

    KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort + "/" + PostgresServer.DATABASE,
                PostgresServer.USER, "");
    }
}
