package io.quantsignals.replay;

import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.Messages;
import io.quantsignals.core.tick.ReplayTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kafka side of a replay: an idempotent producer ({@code acks=all}) whose every send is
 * checked through its callback. The first failure is kept; the next {@link #send} or
 * {@link #flush} reports it, so the tool never claims success for a record the broker did not
 * acknowledge.
 *
 * <p>Time limits (all well inside the ~15 s an operator waits for "Kafka is down"): a bootstrap
 * server that refuses or does not answer TCP fails within {@link #CONNECT_TIMEOUT}; topic metadata
 * and a full send buffer block at most {@code max.block.ms} = 10 s; a record not acknowledged
 * within {@code delivery.timeout.ms} = 15 s fails its callback.
 */
final class TickPublisher implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_BLOCK = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);

    /**
     * A header on every record: replayed history (ticks and markers alike), which the job's tick
     * archive never stores; its reader drops such records without parsing them (flink-job's
     * {@code TickDeserializer.REPLAYED_HEADER}, same name). Every record this tool sends is such history,
     * so the header says nothing the JSON does not; it only spares the archive the parse.
     */
    static final String REPLAYED_HEADER = "qs-replay";
    private static final List<Header> REPLAYED = List.of(new RecordHeader(REPLAYED_HEADER, new byte[0]));

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String bootstrap;
    private final int partitions;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Callback callback = this::onCompletion;

    private TickPublisher(KafkaProducer<byte[], byte[]> producer, String bootstrap, String topic, int partitions) {
        this.producer = producer;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
    }

    /**
     * Checks that a bootstrap server answers, creates the producer and reads the topic's partitions.
     *
     * @throws InvalidInputException for a malformed bootstrap list
     * @throws ReplayFailedException when Kafka cannot be reached or the topic does not exist
     */
    static TickPublisher connect(String bootstrap, String topic) {
        return connect(bootstrap, topic, Map.of());
    }

    /** The same with producer settings replaced or added (the benchmark compares settings this way). */
    static TickPublisher connect(String bootstrap, String topic, Map<String, String> overrides) {
        List<InetSocketAddress> addresses = parseBootstrap(bootstrap);
        probe(bootstrap, addresses);

        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, "replay-tool");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // Batching for --speedup max; at a paced speed a record waits at most linger.ms, which
        // does not move it in event time (the job works in event time).
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK.toMillis()));
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT.toMillis()));
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT.toMillis()));
        overrides.forEach(p::setProperty);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new ReplayFailedException("cannot create a Kafka producer for " + bootstrap + ": "
                    + Messages.describe(e), e);
        }
        try {
            List<PartitionInfo> infos = producer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new ReplayFailedException("topic '" + topic + "' has no partitions on Kafka at " + bootstrap);
            }
            return new TickPublisher(producer, bootstrap, topic, infos.size());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            producer.close(Duration.ZERO);
            throw new ReplayFailedException("topic '" + topic + "' not found on Kafka at " + bootstrap + " within "
                    + MAX_BLOCK.toSeconds() + " s: create it or set --prices-topic / PRICES_TOPIC (or the broker is"
                    + " not answering Kafka requests)", e);
        } catch (KafkaException | ReplayFailedException e) {
            producer.close(Duration.ZERO);
            if (e instanceof ReplayFailedException r) {
                throw r;
            }
            throw new ReplayFailedException("cannot read topic '" + topic + "' from Kafka at " + bootstrap + ": "
                    + Messages.describe(e), e);
        }
    }

    /**
     * The publisher of a replay for a REPLAY run or sweep: to the replay topic ({@link ReplayTopic}),
     * which is created first when it does not exist, with the prices topic's partitions and
     * replication (a deployment from before the replay topic existed). The job finds a topic created
     * after its start within its discovery interval and reads it from the start.
     *
     * @param notices where the creation is reported
     */
    static TickPublisher connectForReplayRuns(String bootstrap, String pricesTopic, PrintWriter notices) {
        probe(bootstrap, parseBootstrap(bootstrap));
        String replayTopic = ReplayTopic.of(pricesTopic);
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "replay-tool");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT.toMillis()));
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(MAX_BLOCK.toMillis()));
        try (Admin admin = Admin.create(p)) {
            createIfMissing(admin, bootstrap, pricesTopic, replayTopic, notices);
        } catch (ExecutionException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ReplayFailedException("cannot read the topics of Kafka at " + bootstrap + ": "
                    + Messages.describe(cause), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ReplayFailedException("Kafka at " + bootstrap + " did not list its topics within "
                    + MAX_BLOCK.toSeconds() + " s (the broker is not answering Kafka requests)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayFailedException("interrupted while reading the topics of Kafka at " + bootstrap, e);
        }
        return connect(bootstrap, replayTopic);
    }

    /** Creates the replay topic with the prices topic's partitions and replication, unless it exists. */
    private static void createIfMissing(Admin admin, String bootstrap, String pricesTopic, String replayTopic,
                                        PrintWriter notices)
            throws ExecutionException, java.util.concurrent.TimeoutException, InterruptedException {
        Set<String> topics = admin.listTopics().names().get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS);
        if (topics.contains(replayTopic)) {
            return;
        }
        if (!topics.contains(pricesTopic)) {
            throw new ReplayFailedException("topic '" + pricesTopic + "' not found on Kafka at " + bootstrap
                    + ": create it or set --prices-topic / PRICES_TOPIC (the replay topic '" + replayTopic
                    + "' is made like it)");
        }
        List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(pricesTopic)).allTopicNames()
                .get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS).get(pricesTopic).partitions();
        short replication = (short) partitions.get(0).replicas().size();
        try {
            admin.createTopics(List.of(new NewTopic(replayTopic, partitions.size(), replication))).all()
                    .get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // created meanwhile
            }
            throw new ReplayFailedException("cannot create topic '" + replayTopic + "' on Kafka at " + bootstrap
                    + ": " + Messages.describe(e.getCause()) + " (create it with " + partitions.size()
                    + " partitions, as '" + pricesTopic + "')", e.getCause());
        }
        notices.println("replay-tool: created topic '" + replayTopic + "' (" + partitions.size()
                + " partition(s), replication " + replication + ", as '" + pricesTopic
                + "') for the replays of REPLAY runs and sweeps");
    }

    /** {@code host:port[,host:port...]}; IPv6 literals in brackets. Unresolved: DNS is the probe's job. */
    static List<InetSocketAddress> parseBootstrap(String bootstrap) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new InvalidInputException("no Kafka bootstrap servers given (--kafka / KAFKA_BOOTSTRAP_SERVERS)");
        }
        List<InetSocketAddress> result = new ArrayList<>();
        for (String raw : bootstrap.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String host = colon > 0 ? entry.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(entry.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                // below
            }
            if (host.isEmpty() || port < 1 || port > 65_535) {
                throw new InvalidInputException("invalid Kafka bootstrap server '" + entry + "' (expected host:port)");
            }
            result.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (result.isEmpty()) {
            throw new InvalidInputException("no Kafka bootstrap servers given (--kafka / KAFKA_BOOTSTRAP_SERVERS)");
        }
        return result;
    }

    /**
     * Fails fast, with a clear cause, when no bootstrap server accepts a TCP connection: the Kafka
     * client itself would only report "topic not present in metadata" after {@code max.block.ms}.
     */
    private static void probe(String bootstrap, List<InetSocketAddress> addresses) {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        String lastCause = "no address";
        for (InetSocketAddress address : addresses) {
            InetAddress[] resolved;
            try {
                resolved = InetAddress.getAllByName(address.getHostString());
            } catch (UnknownHostException e) {
                lastCause = "unknown host " + address.getHostString();
                continue;
            }
            for (InetAddress ip : resolved) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new ReplayFailedException("cannot reach Kafka at " + bootstrap + " within "
                            + CONNECT_TIMEOUT.toSeconds() + " s: " + lastCause);
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip, address.getPort()), (int) Math.min(left, Integer.MAX_VALUE));
                    return;
                } catch (IOException e) {
                    lastCause = Messages.describe(e)
                            + (addresses.size() > 1 || resolved.length > 1 ? " (" + ip.getHostAddress() + ":" + address.getPort() + ")" : "");
                }
            }
        }
        throw new ReplayFailedException("cannot reach Kafka at " + bootstrap + ": " + lastCause);
    }

    int partitions() {
        return partitions;
    }

    String topic() {
        return topic;
    }

    String bootstrap() {
        return bootstrap;
    }

    /** Records sent so far (acknowledged or not). */
    long sent() {
        return sent.get();
    }

    /** Records the broker acknowledged so far. */
    long acknowledged() {
        return acknowledged.get();
    }

    /** Sends one keyed record (partition chosen by the key); reports an earlier failure first. */
    void send(byte[] key, byte[] value) {
        send(new ProducerRecord<>(topic, null, key, value, REPLAYED));
    }

    /** Sends one record with no key to an explicit partition. */
    void sendToPartition(int partition, byte[] value) {
        send(new ProducerRecord<>(topic, partition, (byte[]) null, value, REPLAYED));
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        checkFailure();
        try {
            producer.send(record, callback);
            sent.incrementAndGet();
        } catch (KafkaException e) {
            throw failed(e);
        }
    }

    /** Waits until every record sent so far is acknowledged or failed; throws on any failure. */
    void flush() {
        try {
            producer.flush();
        } catch (InterruptException e) {
            throw failed(e);
        }
        checkFailure();
        long unacknowledged = sent.get() - acknowledged.get();
        if (unacknowledged != 0) {
            // flush() returned although records are outstanding: cannot happen with this client, but
            // success must never be claimed without every acknowledgement.
            throw new ReplayFailedException(unacknowledged + " record(s) not acknowledged by Kafka at " + bootstrap);
        }
    }

    /** The first send failure, if any. */
    Exception failure() {
        return failure.get();
    }

    private void checkFailure() {
        Exception e = failure.get();
        if (e != null) {
            throw failed(e);
        }
    }

    private ReplayFailedException failed(Exception e) {
        return new ReplayFailedException("Kafka at " + bootstrap + " did not accept a record for topic '" + topic
                + "': " + Messages.describe(e), e);
    }

    private void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        } else {
            acknowledged.incrementAndGet();
        }
    }

    /** Closes the producer, waiting at most {@code timeout} for records still in flight. */
    void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
