package io.quantsignals.job.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.quantsignals.core.db.StorableText;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.Tick;

/** One row of {@code rejected_ticks}: a message the job did not process, and why (SPEC §3). */
public class RejectedTick {
    /** When the message reached Kafka (the record timestamp), so a reprocessed message maps to the same row. */
    public long receivedAtMillis;
    /** Where it came from: {@code kafka:<topic>/<partition>@<offset>}. */
    public String source;
    /**
     * The message as received (decoded as UTF-8, truncated to {@link #MAX_PAYLOAD_CHARS}), made
     * storable ({@link StorableText}: NUL written out).
     */
    public String payload;
    /** {@code CODE: detail}, see {@link io.quantsignals.core.tick.RejectReason}. */
    public String reason;

    /** Keeps a garbage multi-megabyte message from bloating the table; the head is enough to diagnose. */
    public static final int MAX_PAYLOAD_CHARS = 4096;

    public RejectedTick() {
    }

    public RejectedTick(long receivedAtMillis, String source, String payload, String reason) {
        this.receivedAtMillis = receivedAtMillis;
        this.source = source;
        this.payload = StorableText.of(StorableText.truncated(payload, MAX_PAYLOAD_CHARS));
        this.reason = StorableText.of(reason);
    }

    /** The row for a parsed tick the job did not evaluate (late, or for an unknown run); the payload is its canonical JSON. */
    public static RejectedTick of(Tick tick, RejectReason reason, String detail) {
        String payload = "{\"symbol\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(tick.symbol))
                + "\",\"price\":" + ScaledPrice.toBigDecimal(tick.priceScaled).stripTrailingZeros().toPlainString()
                + ",\"ts\":" + tick.tsMillis
                + (tick.replayRunId != null ? ",\"replay_run_id\":\"" + tick.replayRunId + "\"" : "") + "}";
        return new RejectedTick(tick.receivedAtMillis, TickDeserializer.sourceOf(tick), payload, reason + ": " + detail);
    }

    @Override
    public String toString() {
        return "RejectedTick{" + source + " " + reason + "}";
    }
}
