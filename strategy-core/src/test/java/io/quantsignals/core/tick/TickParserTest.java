package io.quantsignals.core.tick;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TickParserTest {

    private static TickParser.Rejection parse(String json, Tick into) {
        return TickParser.parse(json.getBytes(StandardCharsets.UTF_8), into);
    }

    @Test
    void specExampleParsesExactly() {
        Tick t = new Tick();
        assertNull(parse("{\"symbol\":\"BTCUSD\",\"price\":800.01,\"ts\":\"2013-11-25T00:00:00Z\",\"volume\":0.1}", t));
        assertEquals("BTCUSD", t.symbol);
        assertEquals(80_001_000_000L, t.priceScaled);
        assertEquals(1_385_337_600_000L, t.tsMillis);
        assertEquals(0.1, t.volume);
        assertNull(t.replayRunId);
        assertFalse(t.replayed);
    }

    @Test
    void epochMillisOffsetsSubMillisecondTruncationAndReplayFields() {
        Tick t = new Tick();
        assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":1385337600123}", t));
        assertEquals(1_385_337_600_123L, t.tsMillis);
        assertFalse(t.hasVolume());

        assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":\"2013-11-25T01:00:00.123999+01:00\"}", t));
        assertEquals(1_385_337_600_123L, t.tsMillis, "offset applied, finer digits truncated");

        assertNull(parse("{\"symbol\":\"A\",\"price\":2.5,\"ts\":0,\"replay_run_id\":\"6F9619FF-8B86-D011-B42D-00C04FC964FF\","
                + "\"replayed\":true,\"extra\":{\"ignored\":[1,2]}}", t));
        assertEquals("6f9619ff-8b86-d011-b42d-00c04fc964ff", t.replayRunId);
        assertTrue(t.replayed);
        assertEquals(250_000_000L, t.priceScaled);
    }

    @Test
    void fieldsFromAPreviousParseDoNotLeak() {
        Tick t = new Tick();
        assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"volume\":3,\"replay_run_id\":null,\"replayed\":true}", t));
        assertNull(parse("{\"symbol\":\"B\",\"price\":1,\"ts\":5}", t));
        assertFalse(t.hasVolume());
        assertFalse(t.replayed);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON             | hello                                                    | NOT_JSON",
            "truncated JSON       | {\"symbol\":\"A\",\"price\":1                            | NOT_JSON",
            "array                | [1,2]                                                    | NOT_JSON",
            "trailing garbage     | {\"symbol\":\"A\",\"price\":1,\"ts\":1} x              | NOT_JSON",
            "missing symbol       | {\"price\":1,\"ts\":1}                                   | MISSING_FIELD",
            "missing price        | {\"symbol\":\"A\",\"ts\":1}                              | MISSING_FIELD",
            "null price           | {\"symbol\":\"A\",\"price\":null,\"ts\":1}               | MISSING_FIELD",
            "missing ts           | {\"symbol\":\"A\",\"price\":1}                           | MISSING_FIELD",
            "NaN price            | {\"symbol\":\"A\",\"price\":NaN,\"ts\":1}                | INVALID_PRICE",
            "infinite price       | {\"symbol\":\"A\",\"price\":Infinity,\"ts\":1}           | INVALID_PRICE",
            "negative price       | {\"symbol\":\"A\",\"price\":-3.5,\"ts\":1}               | INVALID_PRICE",
            "zero price           | {\"symbol\":\"A\",\"price\":0,\"ts\":1}                  | INVALID_PRICE",
            "rounds to zero       | {\"symbol\":\"A\",\"price\":0.000000001,\"ts\":1}        | INVALID_PRICE",
            "string price         | {\"symbol\":\"A\",\"price\":\"800.01\",\"ts\":1}         | INVALID_PRICE",
            "huge price           | {\"symbol\":\"A\",\"price\":1e300,\"ts\":1}              | INVALID_PRICE",
            "bad ts text          | {\"symbol\":\"A\",\"price\":1,\"ts\":\"yesterday\"}      | INVALID_TIMESTAMP",
            "ts without zone      | {\"symbol\":\"A\",\"price\":1,\"ts\":\"2013-11-25T00:00:00\"} | INVALID_TIMESTAMP",
            "fractional epoch     | {\"symbol\":\"A\",\"price\":1,\"ts\":1.5}                | INVALID_TIMESTAMP",
            "negative epoch       | {\"symbol\":\"A\",\"price\":1,\"ts\":-1}                 | INVALID_TIMESTAMP",
            "epoch overflow       | {\"symbol\":\"A\",\"price\":1,\"ts\":123456789012345678901234} | INVALID_TIMESTAMP",
            "numeric symbol       | {\"symbol\":7,\"price\":1,\"ts\":1}                      | INVALID_SYMBOL",
            "empty symbol         | {\"symbol\":\"\",\"price\":1,\"ts\":1}                   | INVALID_SYMBOL",
            "negative volume      | {\"symbol\":\"A\",\"price\":1,\"ts\":1,\"volume\":-1}    | INVALID_VOLUME",
            "bad run id           | {\"symbol\":\"A\",\"price\":1,\"ts\":1,\"replay_run_id\":\"x\"} | INVALID_RUN_ID",
    })
    void badMessagesAreRejectedWithTheirReason(String name, String json, RejectReason expected) {
        TickParser.Rejection r = parse(json, new Tick());
        assertNotNull(r, name + " should be rejected");
        assertEquals(expected, r.reason(), r.text());
        assertTrue(r.text().startsWith(expected + ": "), r.text());
        assertFalse(r.text().contains("\n"));
    }

    @Test
    void replayEndMarkersNeedNoPrice() {
        Tick t = new Tick();
        assertNull(parse("{\"ts\":1717250400000,\"replay_end\":true}", t));
        assertTrue(t.replayEnd);
        assertNull(t.symbol);
        assertEquals(1_717_250_400_000L, t.tsMillis);

        assertNull(parse("{\"symbol\":\"A\",\"ts\":5,\"replay_run_id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"replay_end\":true}", t));
        assertTrue(t.replayEnd);
        assertEquals("A", t.symbol);

        assertEquals(RejectReason.MISSING_FIELD, parse("{\"replay_end\":true}", t).reason());
        assertEquals(RejectReason.MISSING_FIELD,
                parse("{\"ts\":5,\"replay_run_id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"replay_end\":true}", t).reason());
        assertNull(parse("{\"symbol\":\"A\",\"ts\":5,\"replay_run_id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"replay_reset\":true}", t));
        assertTrue(t.replayReset);
        assertEquals(RejectReason.MISSING_FIELD, parse("{\"symbol\":\"A\",\"ts\":5,\"replay_reset\":true}", t).reason());

        // Flags are booleans: a container used to be left unread (then "trailing data", NOT_JSON), a
        // string read as false (then "replayed":"yes" history was stored as a live tick).
        for (String flag : new String[] {"replayed", "replay_end", "replay_reset"}) {
            for (String value : new String[] {"{\"a\":1}", "[true]", "\"yes\"", "1"}) {
                TickParser.Rejection r = parse("{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"" + flag + "\":" + value + "}", t);
                assertEquals(new TickParser.Rejection(RejectReason.INVALID_FLAG, flag + " must be true or false"), r, flag + "=" + value);
            }
            assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"" + flag + "\":false}", t));
            assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":5,\"" + flag + "\":null}", t));
        }

        assertNull(parse("{\"symbol\":\"A\",\"price\":1,\"ts\":5}", t));
        assertFalse(t.replayEnd, "reset between messages");
        assertFalse(t.replayReset, "reset between messages");
    }

    @Test
    void emptyMessageIsNotJson() {
        assertEquals(RejectReason.NOT_JSON, TickParser.parse(new byte[0], new Tick()).reason());
        assertEquals(RejectReason.NOT_JSON, TickParser.parse(null, new Tick()).reason());
    }
}
