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
    /**
     * For ticks the replay tool published for a sweep ({@code --sweep-id}): the sweep's id, and every
     * active run of the sweep evaluates the tick; otherwise null. Never set together with {@link #replayRunId}.
     */
    public String replaySweepId;
    /** True for history re-published without a run id (not stored in price_ticks again). */
    public boolean replayed;
    /**
     * An end-of-replay marker from the replay tool, not a tick: no price; {@link #tsMillis} is the
     * replay's end. With {@link #replayRunId} (or {@link #replaySweepId}) it completes that run's (those
     * runs') bars of {@link #symbol} up to the end; without, it moves its Kafka partition's watermark to the end.
     */
    public boolean replayEnd;
    /**
     * A start-of-replay marker from the replay tool, not a tick: it precedes the first tick of
     * {@link #symbol} in a replay for {@link #replayRunId} (or every run of {@link #replaySweepId}), whose evaluation of that symbol then
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

    /** Whether the replay tool published it for a REPLAY run or a sweep: evaluated on a replay clock, not the live watermark. */
    public boolean isForReplayRuns() {
        return replayRunId != null || replaySweepId != null;
    }

    public boolean hasVolume() {
        return !Double.isNaN(volume);
    }

    @Override
    public String toString() {
        return "Tick{" + symbol + " @" + tsMillis + " " + priceScaled + "e-8"
                + (replayRunId != null ? " replay=" + replayRunId : "")
                + (replaySweepId != null ? " sweep=" + replaySweepId : "") + "}";
    }
}
