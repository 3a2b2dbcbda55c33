package io.quantsignals.bench;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.QuantSignalsJob;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Issue 5's benchmark: reaction time from a kill-switch file appearing to the flatten row being
 * committed in strategy_positions_stream, with a position open and no tick arriving meanwhile.
 * Real Kafka, real PostgreSQL, the job on a MiniCluster with its production defaults (folder listed
 * every 100 ms, sinks flushed every 200 ms). Usage: {@code KillSwitchBench [--trials 20]}.
 */
public final class KillSwitchBench {

    private static final String SYMBOL = "BTCUSD";

    public static void main(String[] args) throws Exception {
        int trials = args.length == 2 && args[0].equals("--trials") ? Integer.parseInt(args[1]) : 20;
        int warmUp = 2;
        Path killSwitchDir = Files.createTempDirectory("kill-switch-bench");
        try (KafkaBroker kafka = KafkaBroker.start(0, null); PostgresServer postgres = PostgresServer.start(0, null)) {
            try (Connection c = postgres.connect()) {
                Migrations.apply(c);
            }
            kafka.createTopic("prices", 1);
            UUID run;
            try (Connection c = postgres.connect()) {
                run = new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.PAPER,
                        new StrategyParams(2, 4, 1, 1.0, 1.0, 0, false, List.of(SYMBOL), null), "bench").id();
            }
            JobOptions options = JobOptions.parse(Map.of(), "--kafka", kafka.bootstrapServers(), "--db-url",
                    postgres.jdbcUrl(), "--db-user", "quant", "--kill-switch-dir", killSwitchDir.toString(),
                    "--parallelism", "1", "--max-out-of-orderness", "0s");
            JobClient job = QuantSignalsJob.fromOptions(options).executeAsync(StreamExecutionEnvironment.createLocalEnvironment());
            List<Long> millis = new ArrayList<>();
            // One open connection for the polling, so connecting is not part of the measured time.
            try (KafkaProducer<String, String> producer = producer(kafka); Connection db = postgres.connect()) {
                long ts = 0;
                for (int trial = 0; trial < warmUp + trials; trial++) {
                    // Rising ticks until the run is long (re-entered at once after the last release).
                    do {
                        for (int i = 0; i < 3; i++) {
                            ts += 1_000;
                            producer.send(new ProducerRecord<>("prices", SYMBOL,
                                    "{\"symbol\":\"" + SYMBOL + "\",\"price\":" + (100 + ts / 1_000) + ",\"ts\":" + ts + "}"));
                        }
                        producer.flush();
                        Thread.sleep(300);
                    } while (latestPosition(db, run) != 1);

                    long flattensBefore = flattens(db, run);
                    Path tmp = killSwitchDir.resolve(".KILL_SWITCH.tmp");
                    Files.writeString(tmp, "{\"reason\":\"bench\"}");
                    long start = System.nanoTime();
                    Files.move(tmp, killSwitchDir.resolve("KILL_SWITCH"), StandardCopyOption.ATOMIC_MOVE);
                    while (flattens(db, run) == flattensBefore) {
                        Thread.sleep(2);
                    }
                    long reaction = (System.nanoTime() - start) / 1_000_000;
                    if (trial >= warmUp) {
                        millis.add(reaction);
                    }
                    Files.delete(killSwitchDir.resolve("KILL_SWITCH"));
                    Thread.sleep(500); // the release reaches the strategy before the next ticks
                }
            } finally {
                job.cancel().get();
            }
            Collections.sort(millis);
            System.out.println(Machine.describe());
            System.out.printf("kill switch: file created -> flatten row committed, %d trials (after %d warm-up):%n",
                    millis.size(), warmUp);
            System.out.printf("  p50 %d ms, p99 %d ms, min %d ms, max %d ms (target p99 <= 1000 ms)%n",
                    percentile(millis, 50), percentile(millis, 99), millis.get(0), millis.get(millis.size() - 1));
            System.out.println("  all: " + millis);
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static int latestPosition(Connection c, UUID run) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT position FROM strategy_metrics WHERE strategy_run_id = ? ORDER BY metric_time DESC LIMIT 1")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static long flattens(Connection c, UUID run) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM strategy_positions_stream WHERE strategy_run_id = ? AND reason = 'KILL_SWITCH'")) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBroker kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
