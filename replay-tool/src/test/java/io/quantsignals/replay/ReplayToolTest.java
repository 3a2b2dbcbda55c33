package io.quantsignals.replay;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.fixtures.StrategyRows;
import io.quantsignals.fixtures.TickTopics;
import io.quantsignals.replay.Fixtures.Rec;
import io.quantsignals.replay.Fixtures.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replay tool against a real PostgreSQL and a real Kafka broker. */
class ReplayToolTest {

    static final Instant START = Instant.parse("2024-06-01T12:00:00Z");
    static final Instant END = Instant.parse("2024-06-01T14:00:00Z");
    static final long START_MS = START.toEpochMilli();
    static final long END_MS = END.toEpochMilli();

    private static PostgresServer postgres;
    private static KafkaBroker kafka;

    private ReplayRunner replay;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServer.shared();
        kafka = KafkaBroker.shared();
    }

    @BeforeEach
    void clean() {
        postgres.truncateAll();
        replay = new ReplayRunner(Map.of(
                "DATABASE_URL", postgres.jdbcUrl(),
                "DATABASE_USER", PostgresServer.USER,
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
    }

    private ReplayRunner to(String topic) {
        return replay.withEnv("PRICES_TOPIC", topic);
    }

    private static Instant at(long offsetMillis) {
        return START.plusMillis(offsetMillis);
    }

    private static String tick(String symbol, String price, long ts, String volume) {
        return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"ts\":" + ts
                + (volume == null ? "" : ",\"volume\":" + volume) + ",\"replayed\":true}";
    }

    private static String runTick(String symbol, String price, long ts, String volume, UUID run) {
        return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"ts\":" + ts
                + (volume == null ? "" : ",\"volume\":" + volume) + ",\"replay_run_id\":\"" + run + "\"}";
    }

    @Test
    void publishesTheWindowInEventTimeAndArrivalOrderWithExactJson() throws Exception {
        String topic = TickTopics.newTopic(1);
        Fixtures.insertTicks(postgres, List.of(
                new Row(at(-1), "A", 1.0, 1.0),                       // before the window
                new Row(at(2_000), "B", 20.5, null),                  // volume NULL: no "volume"
                new Row(at(0), "A", 800.01, 0.1),
                new Row(at(1_000), "A", 123456.123456789, 2.0),       // 9th decimal rounds (half-even)
                new Row(at(1_000), "B", 0.00000001, 1e-5),            // same time: arrival order decides
                new Row(at(1_000), "A", 801, 1e7),
                new Row(START.plusNanos(500_000), "D", 3.5, 0.0),     // 0.5 ms after A@0: ts truncated
                new Row(END.minusMillis(1), "C", 5, 12.25),           // last millisecond of the window
                new Row(END, "A", 2.0, 1.0)));                        // end is exclusive

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max");

        assertEquals(0, r.exitCode(), r.err());
        List<Rec> records = Fixtures.readAll(kafka, topic);
        List<String> values = records.stream().map(Rec::value).toList();
        assertEquals(List.of(
                tick("A", "800.01", START_MS, "0.1"),
                tick("D", "3.5", START_MS, "0"),
                tick("A", "123456.12345679", START_MS + 1_000, "2"),
                tick("B", "0.00000001", START_MS + 1_000, "0.00001"),
                tick("A", "801", START_MS + 1_000, "10000000"),
                tick("B", "20.5", START_MS + 2_000, null),
                tick("C", "5", END_MS - 1, "12.25"),
                "{\"ts\":" + END_MS + ",\"replay_end\":true}"), values);
        assertEquals(List.of("A", "D", "A", "B", "A", "B", "C"),
                records.subList(0, 7).stream().map(Rec::key).toList(), "key = symbol");
        assertNull(records.get(7).key(), "the partition end marker has no key");
        assertTrue(r.out().startsWith("replayed 7 ticks of 4 symbols"), r.out());
    }

    @Test
    void runIdMarksTicksAndSendsOneEndMarkerPerPublishedSymbolAfterItsTicks() throws Exception {
        String topic = TickTopics.newTopicWithoutReplayTopic(3); // the tool creates the replay topic
        UUID run = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(new Row(at(i * 1_000L), List.of("A", "B", "C").get(i % 3), 100 + i, null));
        }
        Fixtures.insertTicks(postgres, rows);

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--symbols", "B,A", "--run-id", run.toString());

        assertEquals(0, r.exitCode(), r.err());
        String replayTopic = ReplayTopic.of(topic);
        assertTrue(r.err().contains("created topic '" + replayTopic + "' (3 partition(s), replication 1, as '" + topic
                + "')"), r.err());
        assertEquals(0, Fixtures.size(kafka, topic), "a REPLAY run's messages never go to the prices topic");
        List<Rec> records = Fixtures.readAll(kafka, replayTopic);
        assertEquals(20 + 4, records.size(), "A and B only, each with its reset and end marker");
        for (String symbol : List.of("A", "B")) {
            List<Rec> ofSymbol = records.stream().filter(x -> symbol.equals(x.key())).toList();
            assertEquals(12, ofSymbol.size());
            assertTrue(ofSymbol.stream().allMatch(x -> x.partition() == ofSymbol.get(0).partition()));
            List<String> expected = new ArrayList<>();
            long firstTs = START_MS + (symbol.equals("A") ? 0 : 1_000L);
            expected.add("{\"symbol\":\"" + symbol + "\",\"ts\":" + firstTs + ",\"replay_run_id\":\"" + run
                    + "\",\"replay_reset\":true}");
            for (int i = 0; i < 30; i++) {
                if (List.of("A", "B", "C").get(i % 3).equals(symbol)) {
                    expected.add(runTick(symbol, String.valueOf(100 + i), START_MS + i * 1_000L, null, run));
                }
            }
            expected.add("{\"symbol\":\"" + symbol + "\",\"ts\":" + END_MS + ",\"replay_run_id\":\"" + run
                    + "\",\"replay_end\":true}");
            assertEquals(expected, ofSymbol.stream().map(Rec::value).toList(), "reset marker first, in order, end marker last");
        }
        assertTrue(records.stream().allMatch(x -> x.key() != null), "every record keyed by its symbol");
    }

    @Test
    void withoutSymbolsARunReplaysOnlyTheSymbolsItTrades() throws Exception {
        String topic = TickTopics.newTopic(2);
        UUID run = StrategyRows.createRun(RunType.REPLAY,
                new StrategyParams(2, 5, 1, 0, 0, 60, false, List.of("B"), null));
        Fixtures.insertTicks(postgres, List.of(new Row(at(0), "A", 1, null), new Row(at(1), "B", 2, null),
                new Row(at(2), "C", 3, null)));

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--run-id", run.toString());

        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("{\"symbol\":\"B\",\"ts\":" + (START_MS + 1) + ",\"replay_run_id\":\"" + run + "\",\"replay_reset\":true}",
                        runTick("B", "2", START_MS + 1, null, run),
                        "{\"symbol\":\"B\",\"ts\":" + END_MS + ",\"replay_run_id\":\"" + run + "\",\"replay_end\":true}"),
                Fixtures.readAll(kafka, ReplayTopic.of(topic)).stream().map(Rec::value).toList());
    }

    @Test
    void withoutRunIdEveryPartitionEndsWithAnEndMarker() throws Exception {
        String topic = TickTopics.newTopic(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(new Row(at(i * 10L), "S" + (i % 7), 10 + i, 1.5));
        }
        Fixtures.insertTicks(postgres, rows);

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max");

        assertEquals(0, r.exitCode(), r.err());
        List<Rec> records = Fixtures.readAll(kafka, topic);
        assertEquals(53, records.size());
        String marker = "{\"ts\":" + END_MS + ",\"replay_end\":true}";
        for (int p = 0; p < 3; p++) {
            int partition = p;
            List<Rec> inPartition = records.stream().filter(x -> x.partition() == partition).toList();
            Rec last = inPartition.get(inPartition.size() - 1);
            assertEquals(marker, last.value(), "partition " + p + " ends with the marker");
            assertNull(last.key());
            assertEquals(1, inPartition.stream().filter(x -> x.value().equals(marker)).count());
            assertTrue(inPartition.subList(0, inPartition.size() - 1).stream()
                    .allMatch(x -> x.value().endsWith(",\"replayed\":true}")));
        }
    }

    @Test
    void anEmptyWindowIsNotAnErrorAndStillSendsTheEndMarkers() throws Exception {
        String topic = TickTopics.newTopic(2);
        Fixtures.insertTicks(postgres, List.of(new Row(START.minusSeconds(1), "A", 1, null),
                new Row(END, "A", 1, null)));

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "10");

        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("0 ticks found in [" + START + ", " + END + ")"), r.out());
        assertEquals(List.of("{\"ts\":" + END_MS + ",\"replay_end\":true}", "{\"ts\":" + END_MS + ",\"replay_end\":true}"),
                Fixtures.readAll(kafka, topic).stream().map(Rec::value).toList());

        // With a run: no symbol was published, so there is nothing to end.
        UUID run = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        String topic2 = TickTopics.newTopic(2);
        ReplayRunner.Result r2 = to(topic2).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--run-id", run.toString());
        assertEquals(0, r2.exitCode(), r2.err());
        assertTrue(r2.out().startsWith("0 ticks found"), r2.out());
        assertEquals(0, Fixtures.size(kafka, ReplayTopic.of(topic2)));
    }

    /**
     * {@code --sweep-id}: the window once, every message marked with the sweep (a reset and an end
     * marker per symbol, as for a run), only the symbols the sweep's runs trade; refused without
     * {@code --reset} once a run of the sweep has results, and {@code --reset} deletes exactly the
     * sweep's runs' results.
     */
    @Test
    void sweepReplayPublishesOnceForEveryRunOfTheSweep() throws Exception {
        String topic = TickTopics.newTopic(1);
        UUID sweep;
        try (var c = postgres.connect()) {
            sweep = new io.quantsignals.core.run.SweepStore(c).create("sma_cross", "{}",
                    io.quantsignals.core.run.StoreMetrics.SUMMARY, "test", List.of(
                            new StrategyParams(2, 5, 1, 0, 0, 60, false, List.of("A"), null),
                            new StrategyParams(3, 5, 1, 0, 0, 60, false, List.of("A"), null))).id();
        }
        UUID other = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        Fixtures.addResults(postgres, other, 3, 1);
        Fixtures.insertTicks(postgres, List.of(new Row(at(0), "A", 1, null), new Row(at(1_000), "B", 2, null),
                new Row(at(2_000), "A", 3, null)));

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--sweep-id", sweep.toString());
        assertEquals(0, r.exitCode(), r.err());
        String marking = ",\"replay_sweep_id\":\"" + sweep + "\"";
        assertEquals(List.of(
                        "{\"symbol\":\"A\",\"ts\":" + START_MS + marking + ",\"replay_reset\":true}",
                        "{\"symbol\":\"A\",\"price\":1,\"ts\":" + START_MS + marking + "}",
                        "{\"symbol\":\"A\",\"price\":3,\"ts\":" + (START_MS + 2_000) + marking + "}",
                        "{\"symbol\":\"A\",\"ts\":" + END_MS + marking + ",\"replay_end\":true}"),
                Fixtures.readAll(kafka, ReplayTopic.of(topic)).stream().map(Rec::value).toList(), "B is traded by no run of the sweep");

        UUID first;
        try (var c = postgres.connect()) {
            first = new io.quantsignals.core.run.SweepStore(c).runs(sweep).get(0).id();
        }
        Fixtures.addResults(postgres, first, 2, 1);
        ReplayRunner.Result refused = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--sweep-id", sweep.toString());
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("sweep " + sweep + " already has results") && refused.err().contains("--reset"),
                refused.err());

        ReplayRunner.Result reset = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--sweep-id", sweep.toString(), "--reset");
        assertEquals(0, reset.exitCode(), reset.err());
        assertTrue(reset.err().contains("deleted 2 strategy_metrics, 1 strategy_positions_stream and 0 "
                + "strategy_run_summaries rows of sweep " + sweep), reset.err());
        assertEquals(3, Fixtures.resultCounts(postgres, other)[0], "another run's results are kept");

        ReplayRunner.Result both = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--sweep-id", sweep.toString(), "--run-id", other.toString());
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("--run-id and --sweep-id exclude each other"), both.err());
        ReplayRunner.Result unknown = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--sweep-id", UUID.randomUUID().toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown sweep id"), unknown.err());
    }

    @Test
    void resetDeletesExactlyThatRunsResultsBeforeReplaying() throws Exception {
        String topic = TickTopics.newTopic(1);
        UUID run = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        UUID other = StrategyRows.createRun(RunType.REPLAY, StrategyParams.of(2, 5));
        Fixtures.addResults(postgres, run, 4, 2);
        Fixtures.addResults(postgres, other, 3, 1);
        Fixtures.insertTicks(postgres, List.of(new Row(at(0), "A", 1, null)));

        ReplayRunner.Result refused = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--run-id", run.toString());
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("--reset"), refused.err());

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max", "--run-id", run.toString(), "--reset");

        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("deleted 4 strategy_metrics, 2 strategy_positions_stream and 0 strategy_run_summaries rows"),
                r.err());
        assertEquals(List.of(0L, 0L), List.of(Fixtures.resultCounts(postgres, run)[0], Fixtures.resultCounts(postgres, run)[1]));
        long[] kept = Fixtures.resultCounts(postgres, other);
        assertEquals(3, kept[0]);
        assertEquals(1, kept[1]);
        assertEquals(3, Fixtures.size(kafka, ReplayTopic.of(topic)), "the reset marker, the tick and its end marker");
    }

    @Test
    void aRecordKafkaRefusesIsExitOneAndNoSuccessIsClaimed() throws Exception {
        String topic = "tiny-messages-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", "120"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(new Row(at(i), "A-SYMBOL-NAME-LONG-ENOUGH-TO-MAKE-EVERY-RECORD-TOO-LARGE-FOR-THE-TOPIC", 1 + i, 2.0));
        }
        Fixtures.insertTicks(postgres, rows);

        ReplayRunner.Result r = to(topic).run("--start-ts", START.toString(), "--end-ts", END.toString(),
                "--speedup", "max");

        assertEquals(1, r.exitCode(), r.err());
        assertEquals("", r.out(), "no summary: nothing claims success");
        String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("replay-tool: Kafka at " + kafka.bootstrapServers()
                + " did not accept a record for topic '" + topic + "'"), r.err());
        assertTrue(r.err().strip().lines().allMatch(l -> l.startsWith("replay-tool: ")), "no stack traces: " + r.err());
    }

    @Test
    void anOptionBeatsTheEnvironment() throws Exception {
        String topic = TickTopics.newTopic(1);
        Fixtures.insertTicks(postgres, List.of(new Row(at(0), "A", 1, null)));

        ReplayRunner.Result r = replay.withEnv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
                .withEnv("PRICES_TOPIC", "no-such-topic")
                .withEnv("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/quant")
                .run("--start-ts", START.toString(), "--end-ts", END.toString(), "--speedup", "max",
                        "--kafka", kafka.bootstrapServers(), "--prices-topic", topic, "--db-url", postgres.jdbcUrl());

        assertEquals(0, r.exitCode(), r.err());
        assertEquals(2, Fixtures.size(kafka, topic));
    }

    @Test
    void stopRequestedMidReplayFlushesReportsHowFarItGotAndExits130() throws Exception {
        String topic = TickTopics.newTopic(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(new Row(at(i * 100L), "A", 1 + i, null)); // 20 s of event time
        }
        Fixtures.insertTicks(postgres, rows);
        ReplayRunner runner = to(topic);
        ReplayTool tool = runner.newTool();

        CompletableFuture<ReplayRunner.Result> running = CompletableFuture.supplyAsync(() -> runner.run(tool,
                "--start-ts", START.toString(), "--end-ts", END.toString(), "--speedup", "1"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Fixtures.size(kafka, topic) < 10) { // publishing for a second at 10 ticks/s
            assertTrue(System.nanoTime() < deadline && !running.isDone(), "no ticks published");
            Thread.sleep(50);
        }
        long stopAt = System.nanoTime();
        tool.requestStop();
        ReplayRunner.Result r = running.get();
        long stopMillis = (System.nanoTime() - stopAt) / 1_000_000;

        assertEquals(130, r.exitCode(), r.err());
        assertTrue(stopMillis < 2_000, "stopped within " + stopMillis + " ms");
        Matcher m = Pattern.compile("interrupted: sent (\\d+) of 200 ticks, event time reached (\\S+) \\(all acknowledged\\)")
                .matcher(r.err());
        assertTrue(m.find(), r.err());
        int sent = Integer.parseInt(m.group(1));
        assertTrue(sent > 5 && sent < 100, "sent " + sent);
        List<Rec> records = Fixtures.readAll(kafka, topic);
        assertEquals(sent, records.size(), "every tick it reports as sent is in the topic, and no end marker");
        assertEquals(Instant.parse(m.group(2)).toEpochMilli(), START_MS + (sent - 1) * 100L);
        assertTrue(records.stream().noneMatch(x -> x.value().contains("replay_end")));
    }
}
