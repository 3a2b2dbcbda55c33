package io.quantsignals.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.core.tick.TickParser;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TickMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void scaledPricesAreWrittenAsPlainDecimalsWithoutTrailingZeros() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 50_000; i++) {
            long scaled = switch (i % 4) {
                case 0 -> random.nextLong(1, 1_000_000_000L);
                case 1 -> random.nextLong(1, Long.MAX_VALUE);
                case 2 -> random.nextLong(1, 100_000) * 100_000_000L;
                default -> random.nextLong(1, 10_000) * 1_000;
            };
            assertEquals(BigDecimal.valueOf(scaled, 8).stripTrailingZeros().toPlainString(),
                    new TickMessages.JsonBytes().putScaled(scaled).toString());
        }
    }

    @Test
    void integersAreWrittenAsJavaPrintsThem() {
        for (long v : new long[] {0, 7, 9, 10, 99, 100, -1, -10, 1_717_243_200_000L, -1_717_243_200_001L,
                Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(Long.toString(v), new TickMessages.JsonBytes().putLong(v).toString());
        }
    }

    @Test
    void aSymbolIsEncodedOnceAndReadsBackWhateverItsCharacters() throws Exception {
        TickMessages messages = new TickMessages(null);
        String wide = "\uD834\uDD1E".repeat(32) + "€"; // 32 pairs (4 UTF-8 bytes each) + 3 bytes: the buffer grows
        for (String symbol : List.of("BTCUSD", "€ÄÖ", wide, "BTCUSD", wide)) {
            String json = s(messages.tick(symbol, -5, 1.5, false, 0));
            assertEquals(symbol, JSON.readTree(json).get("symbol").asText(), json);
            assertEquals(-5, JSON.readTree(json).get("ts").longValue(), json);
        }
    }

    @Test
    void everyPriceReadsBackAsTheDecimalTheDatabaseDoubleRepresents() {
        TickMessages messages = new TickMessages(null);
        SplittableRandom random = new SplittableRandom(11);
        Tick tick = new Tick();
        for (int i = 0; i < 30_000; i++) {
            double price = switch (i % 3) {
                case 0 -> random.nextDouble(1e-6, 10);
                case 1 -> random.nextDouble(1, 1e6);
                default -> Math.round(random.nextDouble(1, 1e5) * 100) / 100.0;
            };
            byte[] json = messages.tick("BTCUSD", 1_717_243_200_000L, price, true, random.nextDouble(0, 1e9));
            assertNull(TickParser.parse(json, tick), s(json));
            assertEquals(ScaledPrice.fromDouble(price), tick.priceScaled, s(json));
            assertTrue(tick.replayed);
        }
    }

    @Test
    void volumesReadBackAsTheSameDouble() throws Exception {
        TickMessages messages = new TickMessages(null);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50_000; i++) {
            double volume = Math.scalb(random.nextDouble(), random.nextInt(-60, 80));
            String json = s(messages.tick("X", 0, 1, true, volume));
            JsonNode node = JSON.readTree(json);
            assertEquals(volume, node.get("volume").doubleValue(), json);
            assertTrue(!node.get("volume").isTextual(), json);
        }
        assertEquals("{\"symbol\":\"X\",\"price\":1,\"ts\":0,\"volume\":0,\"replayed\":true}",
                s(messages.tick("X", 0, 1, true, 0.0)));
        assertEquals("{\"symbol\":\"X\",\"price\":1,\"ts\":0,\"volume\":0.00001,\"replayed\":true}",
                s(messages.tick("X", 0, 1, true, 1e-5)));
        assertEquals("{\"symbol\":\"X\",\"price\":1,\"ts\":0,\"replayed\":true}",
                s(messages.tick("X", 0, 1, false, 0.5)));
    }

    @Test
    void runTicksAndMarkersCarryTheRunId() {
        UUID run = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        TickMessages messages = new TickMessages(ReplayTarget.run(run));
        assertEquals("{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":1717243200000,\"volume\":0.1,"
                        + "\"replay_run_id\":\"123e4567-e89b-12d3-a456-426614174000\"}",
                s(messages.tick("BTCUSD", 1_717_243_200_000L, 800.01, true, 0.1)));
        assertEquals("{\"symbol\":\"BTCUSD\",\"ts\":1717250400000,\"replay_run_id\":"
                        + "\"123e4567-e89b-12d3-a456-426614174000\",\"replay_end\":true}",
                s(messages.targetEndMarker("BTCUSD", 1_717_250_400_000L)));
        assertEquals("{\"ts\":1717250400000,\"replay_end\":true}", s(TickMessages.partitionEndMarker(1_717_250_400_000L)));

        Tick tick = new Tick();
        assertNull(TickParser.parse(messages.targetEndMarker("BTCUSD", 5), tick));
        assertTrue(tick.replayEnd);
        assertEquals("123e4567-e89b-12d3-a456-426614174000", tick.replayRunId);
        assertNull(TickParser.parse(TickMessages.partitionEndMarker(5), tick));
        assertTrue(tick.replayEnd);
    }

    @Test
    void sweepTicksAndMarkersCarryTheSweepIdAndParseBack() {
        UUID sweep = UUID.fromString("223e4567-e89b-12d3-a456-426614174000");
        TickMessages messages = new TickMessages(ReplayTarget.sweep(sweep));
        assertEquals("{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":5,"
                        + "\"replay_sweep_id\":\"223e4567-e89b-12d3-a456-426614174000\"}",
                s(messages.tick("BTCUSD", 5, 800.01, false, 0)));
        assertEquals("{\"symbol\":\"BTCUSD\",\"ts\":4,\"replay_sweep_id\":"
                        + "\"223e4567-e89b-12d3-a456-426614174000\",\"replay_reset\":true}",
                s(messages.targetResetMarker("BTCUSD", 4)));

        Tick tick = new Tick();
        assertNull(TickParser.parse(messages.tick("BTCUSD", 5, 800.01, false, 0), tick));
        assertEquals(sweep.toString(), tick.replaySweepId);
        assertNull(tick.replayRunId);
        assertTrue(tick.isForReplayRuns());
        assertNull(TickParser.parse(messages.targetEndMarker("BTCUSD", 9), tick));
        assertTrue(tick.replayEnd);
        assertEquals(sweep.toString(), tick.replaySweepId);
        assertNull(TickParser.parse(messages.targetResetMarker("BTCUSD", 4), tick));
        assertTrue(tick.replayReset);
    }

    @Test
    void symbolsAreEscapedAndUnrepresentableValuesAreLeftForTheJobToReject() throws Exception {
        TickMessages messages = new TickMessages(null);
        String json = s(messages.tick("A\"B\\C\n", 1, 2, false, 0));
        assertEquals("A\"B\\C\n", JSON.readTree(json).get("symbol").asText());

        Tick tick = new Tick();
        assertNotNull(TickParser.parse(messages.tick("A", 1, Double.NaN, false, 0), tick), "NaN price rejected");
        assertNotNull(TickParser.parse(messages.tick("A", 1, 1e12, false, 0), tick), "too large price rejected");
        assertNotNull(TickParser.parse(messages.tick("A", 1, 2, true, Double.POSITIVE_INFINITY), tick));
        JSON.readTree(messages.tick("A", 1, Double.NaN, true, Double.NaN)); // still valid JSON
    }

    @Test
    void speedupParsing() {
        assertTrue(Speedup.parse("max").isMax());
        assertTrue(Speedup.parse("MAX").isMax());
        assertEquals(10.0, Speedup.parse("10").factor());
        assertEquals(0.5, Speedup.parse("0.5").factor());
        assertEquals(1000.0, Speedup.parse("1e3").factor());
        assertEquals("0.5x", Speedup.parse("0.5").toString());
        for (String bad : new String[] {"0", "-1", "abc", "NaN", "Infinity", "1e999", "", "10d", "0x10"}) {
            try {
                Speedup.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // ok
            }
        }
    }
}
