package io.quantsignals.replay;

import io.quantsignals.core.run.RunStore;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Test data in the real PostgreSQL and reading topics back from the real Kafka broker. Fresh topics
 * and registered runs come from test-fixtures ({@code TickTopics.newTopic}, {@code StrategyRows.createRun}).
 */
final class Fixtures {

    /** A consumed record, decoded. */
    record Rec(int partition, long offset, String key, String value, long timestamp) {
    }

    /** A row for price_ticks; volume null = SQL NULL. */
    record Row(Instant time, String symbol, double price, Double volume) {
    }

    private Fixtures() {
    }

    /** Inserts in list order, so ingest_seq follows it. */
    static void insertTicks(PostgresServer pg, List<Row> rows) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO price_ticks (event_time, symbol, price, volume, source) VALUES (?, ?, ?, ?, 'test')")) {
            c.setAutoCommit(false);
            int n = 0;
            for (Row r : rows) {
                s.setObject(1, OffsetDateTime.ofInstant(r.time(), ZoneOffset.UTC));
                s.setString(2, r.symbol());
                s.setDouble(3, r.price());
                if (r.volume() == null) {
                    s.setNull(4, Types.DOUBLE);
                } else {
                    s.setDouble(4, r.volume());
                }
                s.addBatch();
                if (++n % 5_000 == 0) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
            c.commit();
        }
    }

    static void endRun(PostgresServer pg, UUID run) throws SQLException {
        try (Connection c = pg.connect()) {
            new RunStore(c).end(run);
        }
    }

    /** Gives a run {@code metrics} metric rows and {@code positions} transitions. */
    static void addResults(PostgresServer pg, UUID run, int metrics, int positions) throws SQLException {
        try (Connection c = pg.connect()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO strategy_metrics (metric_time, strategy_run_id,"
                    + " symbol, price, position, gross_return, transaction_cost, slippage_cost, net_return,"
                    + " cumulative_return, drawdown) VALUES (?, ?, 'A', 1, 0, 0, 0, 0, 0, 0, 0)")) {
                for (int i = 0; i < metrics; i++) {
                    s.setObject(1, OffsetDateTime.of(2024, 6, 1, 12, i, 0, 0, ZoneOffset.UTC));
                    s.setObject(2, run);
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO strategy_positions_stream (event_time,"
                    + " strategy_run_id, symbol, from_position, to_position, price, fill_price, transaction_cost,"
                    + " slippage_cost, reason) VALUES (?, ?, 'A', 0, 1, 1, 1, 0, 0, 'SIGNAL')")) {
                for (int i = 0; i < positions; i++) {
                    s.setObject(1, OffsetDateTime.of(2024, 6, 1, 12, i, 0, 0, ZoneOffset.UTC));
                    s.setObject(2, run);
                    s.executeUpdate();
                }
            }
        }
    }

    /** Rows of the run in strategy_metrics and strategy_positions_stream. */
    static long[] resultCounts(PostgresServer pg, UUID run) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT (SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?),"
                        + " (SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ?)")) {
            s.setObject(1, run);
            s.setObject(2, run);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    static long count(PostgresServer pg, String table) throws SQLException {
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every record in the topic (all partitions), sorted by partition then offset. */
    static List<Rec> readAll(KafkaBroker kafka, String topic) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            List<Rec> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(10)) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + ends + " from " + topic + " within 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(new Rec(r.partition(), r.offset(),
                            r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                            new String(r.value(), StandardCharsets.UTF_8), r.timestamp()));
                }
            }
            records.sort(Comparator.comparingInt(Rec::partition).thenComparingLong(Rec::offset));
            return records;
        }
    }

    /** Records in the topic, without reading them. */
    static long size(KafkaBroker kafka, String topic) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream()
                    .mapToLong(Long::longValue).sum();
        }
    }
}
