package io.quantsignals.bench;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.core.tick.TickParser;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * (a) The baseline: one plain {@link KafkaConsumer} (default fetch settings) that reads the whole
 * topic from the beginning and parses every message with the job's own {@link TickParser}, one new
 * {@link Tick} per message as the job's deserializer does.
 */
final class ConsumerBench {

    private ConsumerBench() {
    }

    /** Seconds from the first poll until {@code expected} ticks are parsed. */
    static double run(String bootstrap, String topic, long expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long parsed = 0;
            long rejected = 0;
            long checksum = 0;
            long t0 = System.nanoTime();
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            while (parsed + rejected < expected) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Tick tick = new Tick();
                    if (TickParser.parse(r.value(), tick) == null) {
                        parsed++;
                        checksum += tick.priceScaled ^ tick.tsMillis;
                    } else {
                        rejected++;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumer read only " + (parsed + rejected) + " of " + expected);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (rejected > 0) {
                throw new IllegalStateException(rejected + " ticks failed to parse (checksum " + checksum + ")");
            }
            return seconds;
        }
    }
}
