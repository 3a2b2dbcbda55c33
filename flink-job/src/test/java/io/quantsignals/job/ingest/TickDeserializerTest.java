package io.quantsignals.job.ingest;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Kafka source makes of one record: never an exception, always a tick or a storable rejection. */
class TickDeserializerTest {

    private final TickDeserializer deserializer = new TickDeserializer(Duration.ofMinutes(5));

    private IncomingMessage deserialize(String topic, String value) {
        List<IncomingMessage> out = new ArrayList<>();
        byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        deserializer.deserialize(new ConsumerRecord<>(topic, 1, 42, null, bytes), new ListCollector<>(out));
        assertEquals(1, out.size(), "exactly one message per record");
        return out.get(0);
    }

    @Test
    void aTickMoreThanTheBoundInTheFutureIsRejectedWithItsOwnReason() {
        long now = System.currentTimeMillis();
        IncomingMessage far = deserialize("prices", "{\"symbol\":\"A\",\"price\":1,\"ts\":\"2099-01-01T00:00:00Z\"}");
        assertNull(far.tick);
        assertTrue(far.rejected.reason.startsWith("FUTURE_TIMESTAMP: ts 2099-01-01T00:00:00Z is more than 5m past the job's clock"),
                far.rejected.reason);
        assertEquals("kafka:prices/1@42", far.rejected.source);

        assertNotNull(deserialize("prices", "{\"symbol\":\"A\",\"price\":1,\"ts\":" + (now + 60_000) + "}").tick,
                "a minute ahead is clock skew, within the bound");
        assertNull(deserialize("prices", "{\"symbol\":\"A\",\"price\":1,\"ts\":" + (now + 600_000) + "}").tick);
        assertNull(deserialize("prices", "{\"ts\":" + (now + 600_000) + ",\"replay_end\":true}").tick,
                "an end marker moves the watermark too");
    }

    @Test
    void theTickArchivesReaderDropsTheReplayToolsRecordsUnparsedTheSignalPipelineKeepsThem() {
        byte[] value = "{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"replayed\":true}".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> marked = new ConsumerRecord<>("prices", 0, 7, null, value);
        marked.headers().add(TickDeserializer.REPLAYED_HEADER, new byte[0]);
        ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>("prices", 0, 8, null, value);

        List<IncomingMessage> archive = new ArrayList<>();
        TickDeserializer archiveReader = new TickDeserializer(Duration.ofMinutes(5), TickDeserializer.Role.ARCHIVE);
        archiveReader.deserialize(marked, new ListCollector<>(archive));
        assertEquals(0, archive.size(), "a record the replay tool sent is not even parsed");
        archiveReader.deserialize(plain, new ListCollector<>(archive));
        assertEquals(1, archive.size(), "anything else is parsed as always (LiveTicks decides what is archived)");

        List<IncomingMessage> signals = new ArrayList<>();
        deserializer.deserialize(marked, new ListCollector<>(signals));
        assertNotNull(signals.get(0).tick, "the signal pipeline ignores the header");
    }

    @Test
    void theReplayTopicsReaderTakesReplayRunsAndSweepsAndRejectsEverythingElse() {
        TickDeserializer replayReader = new TickDeserializer(Duration.ofMinutes(5), TickDeserializer.Role.REPLAYS);
        List<IncomingMessage> out = new ArrayList<>();
        for (String value : List.of(
                "{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"replay_run_id\":\"8f6d8a4e-5a3b-4c1e-9a57-0d8b1f1c2b3a\"}",
                "{\"symbol\":\"A\",\"ts\":9,\"replay_sweep_id\":\"8f6d8a4e-5a3b-4c1e-9a57-0d8b1f1c2b3a\",\"replay_end\":true}",
                "{\"symbol\":\"A\",\"price\":1,\"ts\":5}",
                "{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"replayed\":true}",
                "{\"ts\":9,\"replay_end\":true}",
                "{\"symbol\":\"A\",\"price\":-1,\"ts\":5,\"replay_run_id\":\"8f6d8a4e-5a3b-4c1e-9a57-0d8b1f1c2b3a\"}")) {
            replayReader.deserialize(new ConsumerRecord<>("prices-replay", 0, out.size(), null,
                    value.getBytes(StandardCharsets.UTF_8)), new ListCollector<>(out));
        }
        assertNotNull(out.get(0).tick, "a REPLAY run's tick");
        assertNotNull(out.get(1).tick, "a sweep's end marker");
        for (int i = 2; i <= 4; i++) {
            assertNull(out.get(i).tick, "live ticks and replays without a run belong in the prices topic");
            assertEquals("MISSING_FIELD: replay_run_id or replay_sweep_id (topic 'prices-replay' carries the messages of"
                    + " REPLAY runs and sweeps only; live ticks and replays without a run go to the prices topic)",
                    out.get(i).rejected.reason);
            assertEquals("kafka:prices-replay/0@" + i, out.get(i).rejected.source);
        }
        assertTrue(out.get(5).rejected.reason.startsWith("INVALID_PRICE"), "the message's own problem comes first");
    }

    @Test
    void aReplayRunsTicksAreExemptTheyNeverTouchTheLiveWatermark() {
        IncomingMessage replayed = deserialize("prices", "{\"symbol\":\"A\",\"price\":1,\"ts\":\"2099-01-01T00:00:00Z\","
                + "\"replay_run_id\":\"8f6d8a4e-5a3b-4c1e-9a57-0d8b1f1c2b3a\"}");
        assertNotNull(replayed.tick);
    }

    @Test
    void rejectionsAreStorableInATextColumn() {
        IncomingMessage nul = deserialize("prices", "{\"symbol\":\"BTC\u0000USD\",\"price\":1,\"ts\":5}");
        assertTrue(nul.rejected.reason.startsWith("NOT_JSON: "), nul.rejected.reason); // a raw control character in a string
        assertEquals("{\"symbol\":\"BTC\\u0000USD\",\"price\":1,\"ts\":5}", nul.rejected.payload, "NUL written out, not stored");

        IncomingMessage escaped = deserialize("prices", "{\"symbol\":\"BTC\\u0000USD\",\"price\":1,\"ts\":5}");
        assertEquals("INVALID_SYMBOL: symbol contains the control character U+0000", escaped.rejected.reason);

        IncomingMessage surrogate = deserialize("prices", "{\"symbol\":\"A\",\"price\":1,\"ts\":\"\\ud800\"}");
        assertTrue(surrogate.rejected.reason.startsWith("INVALID_TIMESTAMP: "), surrogate.rejected.reason);
        assertTrue(surrogate.rejected.reason.chars().noneMatch(c -> Character.isSurrogate((char) c)), surrogate.rejected.reason);

        String emojis = "\uD83D\uDCB0".repeat(3_000); // 6,000 chars: cut at the payload limit, between two pairs
        IncomingMessage cut = deserialize("prices", "x" + emojis);
        assertTrue(cut.rejected.payload.chars().noneMatch(c -> c == 0xFFFD) && !Character.isHighSurrogate(
                cut.rejected.payload.charAt(RejectedTick.MAX_PAYLOAD_CHARS - 1)), "no pair cut in half");
        assertEquals("", deserialize("prices", null).rejected.payload, "a null value (tombstone)");
    }

    @Test
    void aFailureOfItsOwnBecomesAnUnprocessableRejection() {
        // A record whose topic turns null after construction: a stand-in for a bug in the deserializer.
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("prices", 0, 7, null,
                "{\"symbol\":\"A\",\"price\":1,\"ts\":5}".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public String topic() {
                return null;
            }
        };
        List<IncomingMessage> out = new ArrayList<>();
        deserializer.deserialize(record, new ListCollector<>(out));
        IncomingMessage message = out.get(0);
        assertNull(message.tick);
        assertTrue(message.rejected.reason.startsWith("UNPROCESSABLE: java.lang.NullPointerException"), message.rejected.reason);
    }
}
