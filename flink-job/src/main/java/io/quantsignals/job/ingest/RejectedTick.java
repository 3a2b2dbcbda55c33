package io.quantsignals.job.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
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
     * storable: see {@link #storable}.
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
        this.payload = storable(truncated(payload));
        this.reason = storable(reason);
    }

    private static String truncated(String payload) {
        if (payload.length() <= MAX_PAYLOAD_CHARS) {
            return payload;
        }
        // Never cut a surrogate pair in half: the half would have no UTF-8 form.
        int end = Character.isHighSurrogate(payload.charAt(MAX_PAYLOAD_CHARS - 1)) ? MAX_PAYLOAD_CHARS - 1 : MAX_PAYLOAD_CHARS;
        return payload.substring(0, end) + "...(" + (payload.length() - end) + " more chars)";
    }

    /**
     * The text as a PostgreSQL {@code text} value can hold it: NUL, which no text column accepts
     * (one such message used to fail the sink's batch and restart the job forever), is written as
     * the six characters backslash, u, 0, 0, 0, 0; an unpaired surrogate, which has no UTF-8 form,
     * becomes U+FFFD. Everything else, other control characters included, is kept as received.
     * (Rejections are rare: no fast path.)
     */
    static String storable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                out.append("\\u0000");
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
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
