package io.quantsignals.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaBrokerTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startSharedBroker() {
        long t0 = System.nanoTime();
        broker = KafkaBroker.shared();
        System.out.printf("shared Kafka broker %s: start-up %d ms (first call of shared() %d ms)%n", broker,
                broker.startupTime().toMillis(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Test
    void sharedBrokerIsOnePerJvmOnLoopback() {
        assertSame(broker, KafkaBroker.shared());
        assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
    }

    @Test
    void thousandKeyedRecordsRoundTripThroughAConsumerGroup() throws Exception {
        String topic = "roundtrip-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        broker.createTopic(topic, 2); // idempotent
        IllegalStateException wrongCount = assertThrows(IllegalStateException.class, () -> broker.createTopic(topic, 3));
        assertTrue(wrongCount.getMessage().contains("2 partitions"), wrongCount.getMessage());

        int n = 1_000;
        Set<Integer> partitionsWritten = new HashSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(broker))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "SYM" + (i % 10), Integer.toString(i))));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                partitionsWritten.add(ack.get(30, TimeUnit.SECONDS).partition());
            }
        }
        assertEquals(Set.of(0, 1), partitionsWritten, "10 keys spread over both partitions");

        String group = "group-" + UUID.randomUUID();
        Map<String, List<Integer>> byKey = new HashMap<>();
        int received = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(broker, group))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.value()));
                    received++;
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        assertEquals(n, received);
        assertEquals(10, byKey.size());
        byKey.forEach((key, values) -> {
            assertEquals(n / 10, values.size(), key);
            for (int i = 1; i < values.size(); i++) {
                assertTrue(values.get(i - 1) < values.get(i), "per-key order kept for " + key);
            }
        });

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(2, committed.size());
            assertEquals(n, committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum());
        }
    }

    @Test
    void transactionalProducerAndReadCommittedConsumerWork() throws Exception {
        // What Flink's exactly-once Kafka sink needs: the transaction state log on a single node.
        String topic = "tx-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        Properties pp = producerProps(broker);
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "aborted"));
            }
            producer.abortTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed"));
            }
            producer.commitTransaction();
        }
        Properties cp = consumerProps(broker, "tx-reader-" + UUID.randomUUID());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < 10 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            consumer.poll(Duration.ofMillis(300)).forEach(r -> values.add(r.value())); // nothing more may come
        }
        assertEquals(10, values.size(), values.toString());
        assertTrue(values.stream().allMatch("committed"::equals), values.toString());
    }

    @Test
    void aTakenFixedPortFailsNamingThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KafkaBroker.start(port, null));
            assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void closeFreesThePortAndAFixedDataFolderSurvivesARestart(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path data = dir.resolve("kafka");
        String topic = "durable";
        KafkaBroker first = KafkaBroker.start(port, data);
        try {
            assertEquals("127.0.0.1:" + port, first.bootstrapServers());
            first.createTopic(topic, 2);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(first))) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
                producer.flush();
            }
        } finally {
            first.close();
        }
        first.close(); // idempotent
        assertTrue(first.isClosed());
        assertPortFree(port);
        assertTrue(Files.exists(data.resolve("server.properties")), "a named data folder is kept");

        KafkaBroker second = KafkaBroker.start(port, data);
        try {
            second.createTopic(topic, 2); // already there: no-op
            int received = 0;
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(second, "restart"))) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received < 10 && System.nanoTime() < deadline) {
                    received += consumer.poll(Duration.ofMillis(200)).count();
                }
            }
            assertEquals(10, received, "records written before the restart are still there");
        } finally {
            second.close();
        }
        assertPortFree(port);
    }

    @Test
    void aTemporaryDataFolderIsDeletedOnClose() {
        KafkaBroker temporary = KafkaBroker.start(0, null);
        Path data = temporary.dataDirectory();
        int port = temporary.port();
        assertTrue(Files.isDirectory(data));
        temporary.close();
        assertFalse(Files.exists(data), data + " deleted");
        assertPortFree(port);
        assertThrows(IllegalStateException.class, () -> temporary.createTopic("after-close", 1));
    }

    private static Properties producerProps(KafkaBroker b) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static Properties consumerProps(KafkaBroker b, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void assertPortFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " still taken after close(): " + e.getMessage(), e);
        }
    }
}
