package io.quantsignals.cluster;

import io.quantsignals.embedded.PostgresServer;

import java.time.Duration;
import java.util.List;

import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;

/**
 * The job's arguments on the standalone cluster and the cluster tests' clock. The helpers these
 * tests share with the job tests (the suite's Kafka broker and PostgreSQL, ticks, topics, await,
 * rows compared with the pure strategy class) are in test-fixtures ({@code io.quantsignals.fixtures}),
 * which has no Flink dependency: this module's tests keep Flink off their classpath.
 */
final class ClusterTestSupport {

    static final long START = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    /** Far beyond every test's ticks: pushes each partition's watermark past all bars. */
    static final long SENTINEL_TS = START + Duration.ofDays(30).toMillis();

    private ClusterTestSupport() {
    }

    /**
     * The job's options as the README gives them to operators, plus test-friendly timings
     * (checkpoints every 500 ms, no out-of-orderness). The idle timeout stays at its default (10 s):
     * with 1 s, both partitions went idle while the job waited for its first ticks, the partition
     * whose consumer fetched first then drove the watermark alone, and the other partition's first
     * ticks were rejected as LATE (seen here on a real cluster: 1 to 64 of 1,800 ticks). Every test
     * ends with a sentinel tick on every partition, so no bar waits for idleness.
     */
    static List<String> jobArgs(String topic, StandaloneFlinkCluster cluster) {
        return List.of("--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--kill-switch-dir", cluster.killSwitchDir().toString(),
                "--checkpoint-interval", "500ms", "--max-out-of-orderness", "0s");
    }
}
