package io.quantsignals.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/** Fills a topic with ticks through one lz4, lingering producer (key = symbol). */
final class Ticks {

    private Ticks() {
    }

    record Produced(long count, long bytes, double seconds) {
        double averageBytes() {
            return (double) bytes / count;
        }
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The benchmark stream: {@code count} ticks of {@link TickGenerator}. */
    static Produced produce(String bootstrap, String topic, long count, int symbols, long seed) {
        TickGenerator gen = new TickGenerator(seed, symbols);
        StringBuilder sb = new StringBuilder(64);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long bytes = 0;
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (long i = 0; i < count; i++) {
                gen.next();
                byte[] value = gen.json(sb);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, gen.name(gen.symbol), value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing ticks failed: " + failure.get().getMessage(), failure.get());
        }
        return new Produced(count, bytes, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The state-size stream: {@code keys} symbols, {@code perSymbol} ticks each, one round of every
     * symbol per bar of {@code barMillis} (1 ms apart within a round), so each key completes
     * {@code perSymbol - 1} bars and keeps one pending bar, as a live key does.
     */
    static long produceRounds(String bootstrap, String topic, int keys, int perSymbol, long barMillis) {
        long n = 0;
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (int round = 0; round < perSymbol; round++) {
                long base = TickGenerator.START_MILLIS + round * barMillis;
                for (int k = 0; k < keys; k++) {
                    String symbol = String.format("K%05d", k);
                    String json = "{\"symbol\":\"" + symbol + "\",\"price\":" + (100 + (k % 50) + round) + ".25,\"ts\":"
                            + (base + k % (barMillis / 2)) + "}";
                    producer.send(new ProducerRecord<>(topic, symbol, json.getBytes(StandardCharsets.US_ASCII)));
                    n++;
                }
            }
            producer.flush();
        }
        return n;
    }
}
