package io.quantsignals.bench;

import io.quantsignals.embedded.PostgresServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live market feed and a stopwatch on what the job makes of it: one tick per partition every
 * {@link #TICK_MILLIS} (symbol {@code LIVE<p>} sent to partition p, stamped with the wall clock),
 * and a poller that notes when each of the LIVE run's bars becomes visible in {@code
 * strategy_metrics}. A bar's delay is measured from the moment it could complete at the earliest:
 * its end plus the job's out-of-orderness (the watermark trails the newest tick by that), so what
 * remains is the pipeline's own delay (Kafka, the job, the periodic watermark, the sink's flush,
 * the poll).
 */
final class LiveFeed implements AutoCloseable {

    static final long TICK_MILLIS = 20;
    static final long POLL_MILLIS = 10;

    /** One bar seen: when it could complete at the earliest, and how long after that it was visible. */
    record Bar(long completableAtMillis, long delayMillis) {
    }

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final PostgresServer database;
    private final UUID run;
    private final long barMillis;
    private final long outOfOrdernessMillis;
    private final List<Bar> bars = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stop;
    private Thread producer;
    private Thread poller;

    LiveFeed(String bootstrap, String topic, int partitions, PostgresServer database, UUID run, long barMillis,
             long outOfOrdernessMillis) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.database = database;
        this.run = run;
        this.barMillis = barMillis;
        this.outOfOrdernessMillis = outOfOrdernessMillis;
    }

    /** The symbols the feed sends, one per partition: the LIVE run must trade these. */
    static List<String> symbols(int partitions) {
        List<String> symbols = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            symbols.add("LIVE" + p);
        }
        return symbols;
    }

    void start() {
        producer = new Thread(this::produce, "bench-live-feed");
        poller = new Thread(this::poll, "bench-live-poller");
        producer.start();
        poller.start();
    }

    /** The bars that could complete within [from, to) (wall-clock ms). */
    synchronized List<Bar> completableBetween(long from, long to) {
        return bars.stream().filter(b -> b.completableAtMillis >= from && b.completableAtMillis < to).toList();
    }

    private void produce() {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "0");
        List<String> symbols = symbols(partitions);
        double price = 100;
        java.util.Random random = new java.util.Random(1);
        try (KafkaProducer<byte[], byte[]> kafka = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long next = System.currentTimeMillis();
            while (!stop) {
                price = Math.max(1, price + random.nextInt(21) - 10);
                long now = System.currentTimeMillis();
                for (int partition = 0; partition < partitions; partition++) {
                    String json = "{\"symbol\":\"" + symbols.get(partition) + "\",\"price\":" + (long) price + ",\"ts\":" + now + "}";
                    kafka.send(new ProducerRecord<>(topic, partition, symbols.get(partition).getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
                }
                next += TICK_MILLIS;
                Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private void poll() {
        Set<String> seen = new HashSet<>();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT symbol, metric_time FROM strategy_metrics WHERE strategy_run_id = ? AND metric_time >= ?")) {
            long since = System.currentTimeMillis() - 60_000;
            while (!stop) {
                s.setObject(1, run);
                s.setTimestamp(2, new Timestamp(since));
                long now;
                try (ResultSet rs = s.executeQuery()) {
                    now = System.currentTimeMillis();
                    while (rs.next()) {
                        long barTime = rs.getTimestamp(2).getTime();
                        if (seen.add(rs.getString(1) + "@" + barTime)) {
                            long completable = barTime + barMillis + outOfOrdernessMillis;
                            synchronized (this) {
                                bars.add(new Bar(completable, now - completable));
                            }
                        }
                    }
                }
                since = Math.max(since, now - 30_000);
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Stops the feed; also for one never started (the job failed to start), so that failure is the one reported. */
    @Override
    public void close() throws Exception {
        stop = true;
        if (producer != null) {
            producer.join();
            poller.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
