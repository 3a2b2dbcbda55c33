package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.Tick;

/**
 * What the Kafka source emits for each record: exactly one of a valid {@link Tick} or a
 * {@link RejectedTick}. Parsing happens in the source's deserializer so that the event-time
 * timestamp (and hence per-partition watermarks) comes from the parsed tick.
 */
public class IncomingMessage {
    public Tick tick;
    public RejectedTick rejected;

    public IncomingMessage() {
    }

    public static IncomingMessage valid(Tick tick) {
        IncomingMessage m = new IncomingMessage();
        m.tick = tick;
        return m;
    }

    public static IncomingMessage rejected(RejectedTick rejected) {
        IncomingMessage m = new IncomingMessage();
        m.rejected = rejected;
        return m;
    }
}
