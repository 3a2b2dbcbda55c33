package io.quantsignals.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.PendingBar;
import io.quantsignals.core.strategy.SmaCrossState;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.QuantSignalsJob;
import io.quantsignals.job.sink.PostgresSinks;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * (e) Keyed state per (run, symbol): the job over {@code keys} keys (one run trading
 * {@code keys} symbols), one manual checkpoint, and its size read twice: from the MiniCluster's
 * REST API ({@code /jobs/:id/checkpoints/details/:cid}, the strategy vertex's {@code state_size})
 * and from the checkpoint's {@code _metadata} (the strategy operator's managed keyed state alone,
 * without the broadcast run configuration).
 */
final class StateBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private StateBench() {
    }

    record Result(int slowWindow, long keys, long restVertexStateBytes, long keyedStateBytes, long operatorStateBytes,
                  long checkpointDirBytes) {
        double keyedBytesPerKey() {
            return (double) keyedStateBytes / keys;
        }
    }

    /** Serialized size of one full SmaCrossState (ring filled) through Flink's own POJO serializer. */
    static int serializedStateBytes(int fast, int slow) throws IOException {
        TypeSerializer<SmaCrossState> serializer =
                TypeInformation.of(SmaCrossState.class).createSerializer(new SerializerConfigImpl());
        SmaCrossStrategy strategy = new SmaCrossStrategy(new StrategyParams(fast, slow, 1, 0, 0, 60, false, null, null));
        for (int i = 0; i < slow + 5; i++) {
            strategy.onBar(TickGenerator.START_MILLIS + i * 60_000L, ScaledPrice.parse(Integer.toString(100 + i % 7)));
        }
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(strategy.state(), out);
        return out.length();
    }

    static int serializedPendingBarBytes() throws IOException {
        TypeSerializer<PendingBar> serializer = TypeInformation.of(PendingBar.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(new PendingBar(TickGenerator.START_MILLIS, TickGenerator.START_MILLIS, 1), out);
        return out.length();
    }

    static Result measure(FlinkBench flink, JobOptions options, long expectedTicks, int keys, int slowWindow)
            throws Exception {
        QuantSignalsJob job = FlinkBench.unboundedJob(options, new PostgresSinks(options.database(),
                options.sinkBatchSize(), options.sinkFlushInterval()));
        JobGraph graph = FlinkBench.jobGraph(job, "bench state slow=" + slowWindow);
        JobVertex strategyVertex = null;
        for (JobVertex v : graph.getVertices()) {
            if (v.getName().contains("sma-crossover")) {
                strategyVertex = v;
            }
        }
        if (strategyVertex == null) {
            throw new IllegalStateException("no sma-crossover vertex in the job graph");
        }
        Set<OperatorID> strategyOperators = new HashSet<>();
        for (OperatorIDPair pair : strategyVertex.getOperatorIDs()) {
            strategyOperators.add(pair.getGeneratedOperatorID());
            pair.getUserDefinedOperatorID().ifPresent(strategyOperators::add);
        }

        JobID jobId = flink.submit(graph);
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (TimedTickDeserializer.count() < expectedTicks) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the state job read " + TimedTickDeserializer.count() + " of "
                            + expectedTicks + " ticks");
                }
                Thread.sleep(100);
            }
            // A checkpoint barrier follows every record already emitted; the wait lets the periodic
            // watermark complete the bars it will complete, so each key holds what a live key holds.
            Thread.sleep(2_000);
            String pointer = flink.cluster().triggerCheckpoint(jobId).get(5, TimeUnit.MINUTES);

            URI rest = flink.restAddress();
            JsonNode overview = get(rest, "/jobs/" + jobId + "/checkpoints");
            long checkpointId = overview.path("latest").path("completed").path("id").asLong(-1);
            JsonNode details = get(rest, "/jobs/" + jobId + "/checkpoints/details/" + checkpointId);
            long restVertexState = details.path("tasks").path(strategyVertex.getID().toString()).path("state_size").asLong(-1);

            Path dir = Path.of(URI.create(pointer));
            CheckpointMetadata metadata;
            try (InputStream in = Files.newInputStream(dir.resolve("_metadata"))) {
                metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in), StateBench.class.getClassLoader(),
                        pointer);
            }
            long keyed = 0;
            long operator = 0;
            for (OperatorState os : metadata.getOperatorStates()) {
                if (!strategyOperators.contains(os.getOperatorID())) {
                    continue;
                }
                for (OperatorSubtaskState s : os.getStates()) {
                    keyed += s.getManagedKeyedState().getStateSize();
                    operator += s.getManagedOperatorState().getStateSize();
                }
            }
            long onDisk;
            try (Stream<Path> files = Files.walk(dir)) {
                onDisk = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            return new Result(slowWindow, keys, restVertexState, keyed, operator, onDisk);
        } finally {
            flink.cancel(jobId);
        }
    }

    /** GET of a MiniCluster REST path as JSON (also used by ReplayPathBench's sweep mode). */
    static JsonNode get(URI rest, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
