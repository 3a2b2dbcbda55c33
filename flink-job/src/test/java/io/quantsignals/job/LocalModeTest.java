package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TickTopics.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --local}: the job's own main on an embedded MiniCluster with the web UI, its custom
 * metrics visible through the Flink REST API (SPEC §6), and with {@code --checkpoint-dir} its
 * checkpoints written there and kept when the job is cancelled.
 */
class LocalModeTest {

    @TempDir
    Path checkpoints;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void localModeServesTheWebUiAndTheJobsMetrics() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String topic = newTopic(1);
        UUID run = createRun(RunType.PAPER, new StrategyParams(2, 4, 1, 1.0, 1.0, 0, true, List.of("BTCUSD"), null));
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread main = new Thread(() -> {
            try {
                QuantSignalsJob.main(new String[] {"--local", "--web-port", String.valueOf(port),
                        "--kafka", KAFKA.bootstrapServers(), "--prices-topic", topic, "--db-url", POSTGRES.jdbcUrl(),
                        "--strategy-run-id", run.toString(), "--max-out-of-orderness", "0s", "--checkpoint-interval", "1s",
                        "--checkpoint-dir", checkpoints.toString()});
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "local-job");
        main.setDaemon(true);
        main.start();

        String[] jobId = new String[1];
        int webPort = port;
        await("the job RUNNING behind the web UI", Duration.ofSeconds(60), () -> {
            try {
                for (JsonNode job : get(webPort, "/jobs/overview").get("jobs")) {
                    if (job.get("state").asText().equals("RUNNING")) {
                        jobId[0] = job.get("jid").asText();
                        return true;
                    }
                }
            } catch (Exception | AssertionError e) {
                // not up yet
            }
            return false;
        });
        try {
            produceRaw(topic, List.of(
                    new String[] {"BTCUSD", "{\"symbol\":\"BTCUSD\",\"price\":100,\"ts\":1000}"},
                    new String[] {"BTCUSD", "{\"symbol\":\"BTCUSD\",\"price\":101,\"ts\":2000}"},
                    new String[] {"BTCUSD", "not json"},
                    new String[] {"BTCUSD", "{\"symbol\":\"BTCUSD\",\"price\":102,\"ts\":3000}"}));
            await("bars written", Duration.ofSeconds(30),
                    () -> count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) == 2);

            Set<String> names = new HashSet<>();
            await("the custom metrics in the REST API", Duration.ofSeconds(30), () -> {
                try {
                    for (JsonNode vertex : get(webPort, "/jobs/" + jobId[0]).get("vertices")) {
                        // Ids look like "<subtask>.<operator>.<metric>" or "<subtask>.<operator>.rejectReason.<CODE>.<metric>".
                        for (JsonNode metric : get(webPort, "/jobs/" + jobId[0] + "/vertices/" + vertex.get("id").asText() + "/metrics")) {
                            String id = metric.get("id").asText();
                            names.add(id.substring(id.lastIndexOf('.') + 1));
                        }
                    }
                } catch (Exception e) {
                    return false;
                }
                return names.containsAll(List.of("ticksIn", "ticksValid", "ticksRejected", "ticksRouted",
                        "bars", "transitions", "activeRuns", "eventTimeLagMillis"));
            }, () -> "metrics seen: " + names);

            await("a completed checkpoint in the folder", Duration.ofSeconds(30),
                    () -> Files.exists(checkpoints.resolve(jobId[0])) && completedCheckpoints(jobId[0]) > 0);
        } finally {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + jobId[0] + "?mode=cancel"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            main.join(30_000);
        }
        assertTrue(!main.isAlive(), "main returns once the job is cancelled");
        assertTrue(completedCheckpoints(jobId[0]) > 0, "the newest checkpoint is retained on cancellation");
    }

    private long completedCheckpoints(String jobId) {
        try (Stream<Path> dirs = Files.list(checkpoints.resolve(jobId))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata"))).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
