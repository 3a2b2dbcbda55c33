package io.quantsignals.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.embedded.PostgresServer;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TickTopics.partitions;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The job on the MiniCluster: its options for tests, its start, its state backend. The helpers the
 * job tests share with the other modules' tests (the real Kafka broker and PostgreSQL, ticks,
 * topics, await, rows compared with the pure Backtest) are in test-fixtures
 * ({@code io.quantsignals.fixtures}).
 */
final class JobTestSupport {

    /**
     * The state backend the job tests run on, when set: the build runs them on the heap (the
     * MiniCluster's default) and again on RocksDB, where state is a copy that must be written back.
     */
    static final String STATE_BACKEND_PROPERTY = "quantsignals.test.stateBackend";

    private JobTestSupport() {
    }

    /**
     * Options as an operator would pass them, tuned for quick tests (sub-second checkpoints and
     * polls). The parallelism equals the topic's partitions, so every source reader has a partition;
     * the idle timeout is longer than any test, so no partition goes idle mid-test (a reader's
     * watermark would then race ahead of a partition that resumes).
     */
    static JobOptions options(String topic, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic,
                "--db-url", POSTGRES.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--checkpoint-interval", "300ms", "--runs-poll-interval", "200ms",
                "--max-out-of-orderness", "0s", "--idle-timeout", "60s",
                "--sink-flush-interval", "100ms", "--parallelism", String.valueOf(partitions(topic).orElse(2)),
                "--group-id", "test-" + topic));
        String stateBackend = System.getProperty(STATE_BACKEND_PROPERTY);
        if (stateBackend != null) {
            args.addAll(List.of("--state-backend", stateBackend));
        }
        args.addAll(List.of(extra));
        return JobOptions.parse(Map.of(), args.toArray(String[]::new));
    }

    /** The job runs on the state backend the build asked for (the checkpoint config names it). */
    static void assertStateBackend(RestClusterClient<?> flink, JobClient job) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                flink.getWebInterfaceURL() + "/jobs/" + job.getJobID() + "/checkpoints/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        String backend = new ObjectMapper().readTree(response.body()).path("state_backend").asText();
        String wanted = System.getProperty(STATE_BACKEND_PROPERTY);
        assertEquals("rocksdb".equals(wanted) ? "EmbeddedRocksDBStateBackend" : "HashMapStateBackend", backend, response.body());
    }

    static JobClient start(QuantSignalsJob job) throws Exception {
        return job.executeAsync(StreamExecutionEnvironment.getExecutionEnvironment());
    }
}
