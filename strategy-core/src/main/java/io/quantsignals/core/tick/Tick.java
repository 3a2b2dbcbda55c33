package io.quantsignals.core.tick;

/**
 * One valid price tick (SPEC §3), as the job carries it between operators.
 *
 * <p>A mutable Flink POJO on purpose (public no-arg constructor, public fields): Flink serializes
 * POJOs field by field without Kryo, and this class must stay free of Flink imports.
 */
public class Tick {
    /** The instrument, e.g. {@code BTCUSD}. */
    public String symbol;
    /** Event time in epoch milliseconds (finer digits truncated). */
    public long tsMillis;
    /** The price as a count of 10⁻⁸ units (see {@code ScaledPrice}). */
    public long priceScaled;
    /** Traded volume, or NaN when the message had none. */
    public double volume = Double.NaN;
    /** For ticks the replay tool published for one REPLAY run: that run's id; otherwise null. */
    public String replayRunId;
    /** True for history re-published without a run id (not stored in price_ticks again). */
    public boolean replayed;
    /**
     * An end-of-replay marker from the replay tool, not a tick: no price; {@link #tsMillis} is the
     * replay's end. With {@link #replayRunId} it completes that run's bars of {@link #symbol} up to
     * the end; without, it moves its Kafka partition's watermark to the end.
     */
    public boolean replayEnd;
    /**
     * A start-of-replay marker from the replay tool, not a tick: it precedes the first tick of
     * {@link #symbol} in a replay for {@link #replayRunId}, whose evaluation of that symbol then
     * starts afresh (a run replayed again with {@code --reset} must not continue from old state).
     */
    public boolean replayReset;
    /** Where the tick came from, e.g. {@code kafka:prices}. */
    public String source;
    /** Its position in that source (Kafka: partition and offset), for idempotent writes and tie order. */
    public long sourceSeq;
    /** When the source received it (Kafka: the record timestamp), epoch milliseconds. */
    public long receivedAtMillis;

    public Tick() {
    }

    public Tick(String symbol, long tsMillis, long priceScaled) {
        this.symbol = symbol;
        this.tsMillis = tsMillis;
        this.priceScaled = priceScaled;
    }

    public boolean hasVolume() {
        return !Double.isNaN(volume);
    }

    @Override
    public String toString() {
        return "Tick{" + symbol + " @" + tsMillis + " " + priceScaled + "e-8"
                + (replayRunId != null ? " replay=" + replayRunId : "") + "}";
    }
}
