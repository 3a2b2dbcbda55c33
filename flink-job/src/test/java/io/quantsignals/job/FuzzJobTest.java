package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.core.tick.TickParser;
import io.quantsignals.fixtures.TestTick;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;

import static io.quantsignals.fixtures.Await.await;
import static io.quantsignals.fixtures.StrategyRows.*;
import static io.quantsignals.fixtures.TestServers.KAFKA;
import static io.quantsignals.fixtures.TestServers.POSTGRES;
import static io.quantsignals.fixtures.TestTick.forBacktest;
import static io.quantsignals.fixtures.TestTick.randomWalk;
import static io.quantsignals.fixtures.TickTopics.*;
import static io.quantsignals.job.JobTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's proof that no input can stop the job: 20,000 generated hostile messages
 * ({@link MessageFuzzer}) interleaved with valid ticks, through real Kafka, the job on the
 * MiniCluster and real PostgreSQL. The job runs with {@code --restart-attempts 0}, so a single task
 * failure would end it. Afterwards the job is RUNNING with an empty exception history, every message
 * is accounted for exactly once (a rejected_ticks row with the expected reason, or a price_ticks row,
 * or, for replayed history and end markers, deliberately neither), and the valid ticks' rows equal the
 * pure Backtest.
 *
 * <p>The oracle is the job's own parser ({@link TickParser}, unit-tested on its own) plus the rules
 * the job adds after parsing: the future bound, runs, the replay topic's rule (REPLAY runs' and
 * sweeps' messages only; a quarter of the mutants go there). Topic layout: partition 0 carries the valid
 * ticks and every mutant that must be rejected (so a rejected message that wrongly moved the
 * watermark, like one stamped 2099, would make valid ticks late and show in the rows); partition 1
 * carries mutants that are valid ticks of untraded symbols, whose timestamps must move their own
 * partition's watermark.
 */
class FuzzJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final long START = 1_717_243_200_000L; // 2024-06-01T12:00:00Z
    private static final int MUTANTS = 20_000;
    private static final long FUTURE_BOUND = Duration.ofMinutes(5).toMillis(); // the job's default --max-future-skew
    private static final List<String> TRADED = List.of("AAA", "BBB");

    /** What the job must do with one message ({@code replayTopic}: sent to the replay topic, else to the prices topic). */
    private record Expected(boolean replayTopic, int partition, byte[] key, byte[] value, RejectReason rejectedAs,
                            boolean archived) {
    }

    @Test
    void generatedHostileMessagesNeverStopTheJobAndEachIsAccountedFor(@InjectClusterClient RestClusterClient<?> flink)
            throws Exception {
        POSTGRES.truncateAll();
        String topic = newTopic(2);
        StrategyParams params = new StrategyParams(2, 5, 1, 3.0, 1.0, 60, true, TRADED, null);
        UUID run = createRun(RunType.PAPER, params);
        List<TestTick> valid = randomWalk(11, TRADED, 400, START);

        long now = System.currentTimeMillis();
        MessageFuzzer fuzzer = new MessageFuzzer(20261206L, START + 10 * 60_000L, now);
        List<Expected> mutants = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        java.util.Random placement = new java.util.Random(7);
        while (mutants.size() < MUTANTS) {
            MessageFuzzer.Message m = fuzzer.next();
            Expected e = expect(m, now, placement);
            if (e != null) {
                mutants.add(e);
                kinds.merge(m.kind(), 1, Integer::sum);
            }
        }
        Map<RejectReason, Integer> byReason = new EnumMap<>(RejectReason.class);
        mutants.stream().filter(e -> e.rejectedAs != null).forEach(e -> byReason.merge(e.rejectedAs, 1, Integer::sum));
        long archivedMutants = mutants.stream().filter(Expected::archived).count();
        long onReplayTopic = mutants.stream().filter(Expected::replayTopic).count();
        System.out.println("fuzz: " + kinds + "; expected rejections " + byReason + "; mutants archived " + archivedMutants
                + "; sent to the replay topic " + onReplayTopic);
        for (RejectReason reason : List.of(RejectReason.NOT_JSON, RejectReason.MISSING_FIELD, RejectReason.INVALID_PRICE,
                RejectReason.INVALID_TIMESTAMP, RejectReason.INVALID_SYMBOL, RejectReason.INVALID_VOLUME,
                RejectReason.INVALID_RUN_ID, RejectReason.FUTURE_TIMESTAMP)) {
            assertTrue(byReason.getOrDefault(reason, 0) >= 20, "the generator covers " + reason + ": " + byReason);
        }
        assertTrue(archivedMutants >= 500, "mutants that are valid ticks of untraded symbols: " + archivedMutants);
        assertTrue(onReplayTopic >= MUTANTS / 5, "mutants sent to the replay topic: " + onReplayTopic);

        JobClient job = start(QuantSignalsJob.fromOptions(options(topic, "--restart-attempts", "0")));
        try {
            // Interleave: about 25 mutants after every valid tick, in generated order.
            List<Expected> sent = new ArrayList<>();
            int perValid = MUTANTS / valid.size() + 1;
            for (int v = 0, next = 0; v < valid.size() || next < mutants.size(); v++) {
                if (v < valid.size()) {
                    TestTick t = valid.get(v);
                    sent.add(new Expected(false, 0, bytes(t.symbol()), bytes(t.json()), null, true));
                }
                for (int i = 0; i < perValid && next < mutants.size(); i++) {
                    sent.add(mutants.get(next++));
                }
            }
            Map<String, Expected> bySource = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (Expected e : sent) {
                    acks.add(producer.send(new ProducerRecord<>(e.replayTopic ? ReplayTopic.of(topic) : topic, e.partition,
                            e.key, e.value)));
                }
                producer.flush();
                for (int i = 0; i < sent.size(); i++) {
                    RecordMetadata m = acks.get(i).get();
                    bySource.put("kafka:" + m.topic() + "/" + m.partition() + "@" + m.offset(), sent.get(i));
                }
            }
            produceWatermarkSentinels(topic, 2, System.currentTimeMillis());

            Map<String, Backtest.SymbolResult> expected = Backtest.run(params, forBacktest(valid));
            long rejections = bySource.values().stream().filter(e -> e.rejectedAs != null).count();
            long archived = bySource.values().stream().filter(Expected::archived).count() + 2; // + sentinels
            await("every bar, rejection and archived tick", Duration.ofSeconds(180), () -> jobStillRunning(job)
                    && count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?", run) >= expectedMetricRows(expected)
                            && count("SELECT count(*) FROM rejected_ticks WHERE source LIKE ?", "kafka:" + topic + "%") >= rejections
                            && count("SELECT count(*) FROM price_ticks WHERE source = ?", "kafka:" + topic) >= archived,
                    () -> "metrics " + count("SELECT count(*) FROM strategy_metrics") + "/" + expectedMetricRows(expected)
                            + ", rejected " + count("SELECT count(*) FROM rejected_ticks") + "/" + rejections
                            + ", archived " + count("SELECT count(*) FROM price_ticks") + "/" + archived
                            + ", job " + job.getJobStatus().join());

            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "the job is still running");
            assertEquals(0, exceptionHistory(flink, job), "no task ever failed (restarts are off: one would have ended the job)");
            assertRowsEqualBacktest(run, expected);
            assertEachMessageAccountedFor(topic, bySource);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * What the job must do with a mutant; null to draw another (a valid tick of a traded symbol would
     * change the run's rows, and a ts within a minute of the future bound could go either way).
     */
    private static Expected expect(MessageFuzzer.Message m, long now, java.util.Random placement) {
        Tick tick = new Tick();
        TickParser.Rejection rejection = TickParser.parse(m.value(), tick);
        int anyPartition = placement.nextInt(2);
        boolean replayTopic = placement.nextInt(4) == 0;
        if (rejection != null) {
            return new Expected(replayTopic, anyPartition, m.key(), m.value(), rejection.reason(), false);
        }
        if (tick.isForReplayRuns()) {
            // No such REPLAY run or sweep.
            return new Expected(replayTopic, anyPartition, m.key(), m.value(), RejectReason.INVALID_RUN_ID, false);
        }
        if (replayTopic) {
            // Anything else on the replay topic, whatever its time or symbol.
            return new Expected(true, anyPartition, m.key(), m.value(), RejectReason.MISSING_FIELD, false);
        }
        if (Math.abs(tick.tsMillis - (now + FUTURE_BOUND)) < Duration.ofMinutes(30).toMillis()) {
            return null;
        }
        if (tick.tsMillis > now + FUTURE_BOUND) {
            return new Expected(false, anyPartition, m.key(), m.value(), RejectReason.FUTURE_TIMESTAMP, false);
        }
        if (tick.symbol != null && TRADED.contains(tick.symbol)) {
            return null;
        }
        // A live end marker moves its partition's watermark, replayed history is stored already:
        // neither is a row; a live tick is archived.
        return new Expected(false, 1, m.key(), m.value(), null, !tick.replayEnd && !tick.replayed);
    }

    /** Every message has exactly the rows the oracle expects: one rejection with its reason, or one archived tick. */
    private static void assertEachMessageAccountedFor(String topic, Map<String, Expected> bySource) throws Exception {
        Map<String, List<String>> rejected = new HashMap<>();
        Map<Long, Integer> archived = new HashMap<>();
        try (Connection c = POSTGRES.connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT source, reason FROM rejected_ticks WHERE source LIKE ?")) {
                ps.setString(1, "kafka:" + topic + "%"); // and its replay topic
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rejected.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ingest_seq FROM price_ticks WHERE source = ? AND symbol <> 'SENTINEL'")) {
                ps.setString(1, "kafka:" + topic);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        archived.merge(rs.getLong(1), 1, Integer::sum);
                    }
                }
            }
        }
        int checked = 0;
        Set<Long> expectedArchive = new HashSet<>();
        for (Map.Entry<String, Expected> entry : bySource.entrySet()) {
            String source = entry.getKey();
            Expected e = entry.getValue();
            List<String> rows = rejected.getOrDefault(source, List.of());
            String what = source + " (" + preview(e.value) + ")";
            if (e.rejectedAs != null) {
                assertEquals(1, rows.size(), "one rejected_ticks row for " + what + ": " + rows);
                assertTrue(rows.get(0).startsWith(e.rejectedAs + ": ") && rows.get(0).length() > e.rejectedAs.name().length() + 2,
                        "reason of " + what + ": " + rows.get(0));
            } else {
                assertEquals(List.of(), rows, "no rejection for " + what);
            }
            if (e.archived) {
                int at = source.lastIndexOf('@');
                int partition = Integer.parseInt(source.substring(source.lastIndexOf('/') + 1, at));
                expectedArchive.add(((long) partition << 40) | Long.parseLong(source.substring(at + 1)));
            }
            checked++;
        }
        assertEquals(expectedArchive, archived.keySet(), "exactly the valid live ticks are archived");
        assertTrue(archived.values().stream().allMatch(n -> n == 1), "each archived once");
        assertEquals(rejected.keySet().size(), rejected.values().stream().mapToInt(List::size).sum(), "one row per message");
        assertTrue(checked >= MUTANTS, "checked " + checked);
    }

    /** Fails at once when the job has ended (rather than waiting for rows that will never come). */
    private static boolean jobStillRunning(JobClient job) {
        JobStatus status = job.getJobStatus().join();
        assertTrue(!status.isGloballyTerminalState(), "the job ended: " + status);
        return true;
    }

    /** Entries in the job's exception history (each is a failure that restarted or ended it). */
    private static int exceptionHistory(RestClusterClient<?> flink, JobClient job) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(flink.getWebInterfaceURL() + "/jobs/" + job.getJobID() + "/exceptions")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode history = new ObjectMapper().readTree(response.body()).path("exceptionHistory").path("entries");
        assertTrue(history.isArray(), response.body());
        return history.size();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "2000000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String preview(byte[] value) {
        if (value == null) {
            return "null";
        }
        String s = new String(value, StandardCharsets.UTF_8);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
