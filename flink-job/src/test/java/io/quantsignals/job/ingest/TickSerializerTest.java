package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.Tick;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/** Flink's own serializer test suite (copy, round trips, snapshots, concurrency) over ticks of every shape. */
class TickSerializerTest extends SerializerTestBase<Tick> {

    /** Tick has no equals (a mutable POJO): compare every field, NaN volume included. */
    TickSerializerTest() {
        super(new DeeplyEqualsChecker().withCustomCheck((a, b) -> a instanceof Tick && b instanceof Tick,
                (a, b, checker) -> describe((Tick) a).equals(describe((Tick) b))));
    }

    @Override
    protected TypeSerializer<Tick> createSerializer() {
        return TickSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Tick> getTypeClass() {
        return Tick.class;
    }

    @Override
    protected Tick[] getTestData() {
        Tick live = tick("BTCUSD", 1_717_200_000_123L, 6_512_345_000_000L);
        live.volume = 0.25;
        live.source = "kafka:prices";
        live.sourceSeq = (1L << 40) | 12_345;
        live.receivedAtMillis = 1_717_200_000_200L;
        Tick noVolume = tick("ETH-USD", -5, 1);
        noVolume.source = "kafka:prices";
        Tick replay = tick("SYMBÖL", 0, Long.MAX_VALUE);
        replay.replayRunId = "0b6f1f6e-8c1e-4c8a-9a57-3f0d2d2b8e11";
        replay.replayReset = true;
        Tick end = tick("", Long.MIN_VALUE, 0);
        end.replayed = true;
        end.replayEnd = true;
        return new Tick[] {live, noVolume, replay, end, new Tick()};
    }

    private static Tick tick(String symbol, long ts, long price) {
        return new Tick(symbol, ts, price);
    }

    private static String describe(Tick t) {
        return t.symbol + "|" + t.tsMillis + "|" + t.priceScaled + "|" + Double.doubleToRawLongBits(t.volume) + "|"
                + t.replayRunId + "|" + t.replayed + t.replayEnd + t.replayReset + "|" + t.source + "|" + t.sourceSeq
                + "|" + t.receivedAtMillis;
    }
}
