package io.quantsignals.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real Kafka broker: Kafka's own production server ({@link KafkaRaftServer}, the class
 * {@code bin/kafka-server-start.sh} runs) in KRaft mode as a single combined broker+controller
 * node, started inside this JVM from the jars on Maven Central. No Docker, no ZooKeeper, no
 * install. The log directory is formatted with Kafka's own {@link StorageTool} (what
 * {@code bin/kafka-storage.sh format} runs) the first time a data folder is used.
 *
 * <p>Everything listens on 127.0.0.1 only. Single-node settings: replication factor 1 and
 * min ISR 1 for every topic, the consumer-offsets topic and the transaction state log (so
 * idempotent and transactional producers, e.g. Flink's exactly-once Kafka sink, work);
 * {@code group.initial.rebalance.delay.ms=0}; topics are not auto-created: use
 * {@link #createTopic}.
 *
 * <p>Tests share one broker per JVM through {@link #shared()}; {@code ./quant-signals up} starts
 * one with a fixed port and a named data folder through {@link #start(int, Path)}, which keeps its
 * topics and records across restarts.
 *
 * <p>The broker logs through slf4j; this module ships no logging backend, so the application
 * chooses one (and its levels: the broker is chatty at INFO).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    public static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String LOG_DIR_NAME = "kraft-combined-logs";

    private static KafkaBroker shared;

    private final KafkaRaftServer server;
    private final int port;
    private final int controllerPort;
    private final Path dataDirectory;
    private final boolean deleteOnClose;
    private Duration startupTime;
    private Admin admin;
    private boolean closed;

    private KafkaBroker(KafkaRaftServer server, int port, int controllerPort, Path dataDirectory,
                        boolean deleteOnClose) {
        this.server = server;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDirectory = dataDirectory;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * Starts a broker and returns once it accepts clients. {@code port} 0 picks a free port (a
     * taken non-zero port fails at once with an {@link IllegalStateException} naming it);
     * {@code dataDirectory} null uses a fresh temporary folder that is deleted on close, otherwise
     * the folder is created and formatted if needed and reused as it is if already formatted.
     * The internal controller listener always takes a free port (the quorum is static, so it may
     * differ from one start to the next).
     */
    public static KafkaBroker start(int port, Path dataDirectory) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
        long t0 = System.nanoTime();
        int brokerPort = port == 0 ? freePort() : requireFree(port);
        int controllerPort = freePort();
        while (controllerPort == brokerPort) {
            controllerPort = freePort();
        }
        boolean temporary = dataDirectory == null;
        Path dir;
        try {
            dir = temporary ? Files.createTempDirectory("quant-kafka-")
                    : Files.createDirectories(dataDirectory.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the Kafka data folder: " + e.getMessage(), e);
        }
        KafkaRaftServer server = null;
        KafkaBroker broker = null;
        try {
            Properties props = serverProperties(brokerPort, controllerPort, dir.resolve(LOG_DIR_NAME));
            Path propsFile = dir.resolve("server.properties");
            writeProperties(props, propsFile, brokerPort);
            if (!Files.exists(dir.resolve(LOG_DIR_NAME).resolve("meta.properties"))) {
                format(propsFile);
                LOG.debug("formatted {} after {} ms", dir, millisSince(t0));
            }
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            LOG.debug("KafkaRaftServer.startup() returned after {} ms", millisSince(t0));
            broker = new KafkaBroker(server, brokerPort, controllerPort, dir, temporary);
            broker.awaitReady();
            broker.startupTime = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("Kafka {} broker ready at {} (data {}) in {} ms", kafkaVersion(), broker.bootstrapServers(), dir,
                    broker.startupTime.toMillis());
            return broker;
        } catch (RuntimeException | Error e) {
            try {
                if (broker != null) {
                    broker.close();
                } else if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (temporary) {
                deleteRecursively(dir);
            }
            throw new IllegalStateException("could not start the embedded Kafka broker on " + HOST + ":" + brokerPort
                    + ": " + e.getMessage(), e);
        }
    }

    /** One broker per JVM (temporary data, free port), stopped at JVM exit: start-up costs ~3 s, so tests share it. */
    public static synchronized KafkaBroker shared() {
        if (shared == null || shared.isClosed()) {
            shared = start(0, null);
            KafkaBroker broker = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-stop"));
        }
        return shared;
    }

    private static Properties serverProperties(int port, int controllerPort, Path logDir) {
        Properties p = new Properties();
        // One combined KRaft node with a static quorum of itself.
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // A single replica of everything, internal topics included.
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        // Consumers join at once instead of waiting 3 s for more members.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Sized for a laptop / 2-core CI box rather than a data centre; the log cleaner (needed for
        // the compacted offsets topic) would otherwise take 128 MiB of heap up front.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        p.setProperty("background.threads", "4");
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    private static void writeProperties(Properties props, Path file, int port) {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "Generated by " + KafkaBroker.class.getName() + " for the broker on port " + port
                    + "; rewritten on every start.");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code kafka-storage.sh format --config server.properties --cluster-id <random>}, without its System.exit. */
    private static void format(Path propsFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                    "format", "--config", propsFile.toString(), "--cluster-id", Uuid.randomUuid().toString()}, out);
        } catch (Exception e) {
            throw new IllegalStateException("formatting the Kafka log directory failed: " + e.getMessage()
                    + " " + output.toString(StandardCharsets.UTF_8).trim(), e);
        }
        String text = output.toString(StandardCharsets.UTF_8).trim();
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka log directory failed (exit " + rc + "): " + text);
        }
        LOG.debug("kafka-storage format: {}", text);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
            }
            sleep(50);
        }
        throw new IllegalStateException("the Kafka broker did not become ready within " + READY_TIMEOUT.toSeconds()
                + " s" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", controller " + HOST + ":" + controllerPort + ", data "
                + dataDirectory + (closed ? ", closed]" : "]");
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The folder holding {@code server.properties} and the log directory. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** From the call to {@link #start} until a client could reach the broker. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Creates a topic with replication factor 1 and the broker's defaults; see {@link #createTopic(String, int, Map)}. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic unless it exists, and returns once every partition has a leader. Idempotent:
     * an existing topic with the same partition count is left as it is (its configs untouched); one
     * with a different count is an {@link IllegalStateException}.
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try {
            admin().createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic " + name + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
        awaitTopic(name, partitions);
    }

    /** The names of the broker's topics (internal ones left out). */
    public Set<String> topicNames() {
        try {
            return admin().listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list the topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the topics", e);
        }
    }

    private void awaitTopic(String name, int partitions) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String state = "not visible yet";
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = admin().describeTopics(List.of(name)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(name);
                List<TopicPartitionInfo> ps = d.partitions();
                if (ps.size() != partitions) {
                    throw new IllegalStateException("topic " + name + " already exists with " + ps.size()
                            + " partitions, not " + partitions);
                }
                if (ps.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
                state = "partitions without a leader";
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("could not describe topic " + name + ": "
                            + e.getCause().getMessage(), e);
                }
            } catch (TimeoutException e) {
                state = "describe timed out";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + name, e);
            }
            sleep(20);
        }
        throw new IllegalStateException("topic " + name + " not ready after 30 s: " + state);
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("the Kafka broker on " + bootstrapServers() + " is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
            p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
            admin = Admin.create(p);
        }
        return admin;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Stops the broker cleanly (controlled shutdown, logs flushed and closed), frees its ports and,
     * for a temporary data folder, deletes it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long t0 = System.nanoTime();
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(dataDirectory);
        }
        LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers(), millisSince(t0));
    }

    /** Fails with a message naming the port when something already listens on it. */
    private static int requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("Kafka port " + port + " on " + HOST
                    + " is already in use (" + e.getMessage() + "): stop what listens there or choose another port", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.AppInfoParser.getVersion();
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete the Kafka data folder {}: {}", dir, e.getMessage());
        }
    }
}
