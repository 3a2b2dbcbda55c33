package io.quantsignals.job.ingest;

import io.quantsignals.cli.Durations;
import io.quantsignals.core.tick.RejectReason;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.core.tick.TickParser;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns every Kafka record into an {@link IncomingMessage}: a parsed tick, or a rejection that
 * carries the payload and reason. It never throws, so a bad message can never fail the job: even
 * an exception of its own becomes an {@code UNPROCESSABLE} rejection.
 *
 * <p>A live tick further in the future than {@code maxFutureSkewMillis} past the wall clock is
 * rejected here, before it can reach its partition's watermark (one tick stamped 2099 would
 * otherwise make every later tick of the partition late, for good). Ticks of a REPLAY run are
 * exempt: they never touch the live watermark (each replay has its own clock).
 *
 * <p>Each of the job's three Kafka readers has a {@link Role}: the signal pipeline's reader of the
 * prices topic takes every message; the tick archive's reader of the same topic emits nothing for a
 * record the replay tool sent ({@link #REPLAYED_HEADER}), counted as {@code replayRecordsSkipped};
 * the reader of the replay topic ({@link io.quantsignals.core.tick.ReplayTopic}) rejects every
 * message that is not for a REPLAY run or sweep.
 */
public class TickDeserializer implements KafkaRecordDeserializationSchema<IncomingMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(TickDeserializer.class);

    /** Bits for the offset in {@link Tick#sourceSeq}: 2^40 offsets per partition is a lot of ticks. */
    static final int OFFSET_BITS = 40;

    /**
     * The header the replay tool puts on every record it sends ({@code replay-tool}'s
     * {@code TickPublisher.REPLAYED_HEADER}, same name): the record is replayed history, a tick or a
     * marker, which the tick archive never stores. The archive's reader ({@link Role#ARCHIVE}) drops such
     * records without parsing them; the signal pipeline ignores the header.
     */
    public static final String REPLAYED_HEADER = "qs-replay";

    /** Which topic a reader reads, and for which pipeline. */
    public enum Role {
        /** The prices topic, for the signal pipeline: every message. */
        SIGNALS,
        /** The prices topic, for the tick archive: records with {@link #REPLAYED_HEADER} dropped unparsed. */
        ARCHIVE,
        /**
         * The replay topic: messages of REPLAY runs and sweeps only. Anything else there is rejected
         * ({@code MISSING_FIELD}): that reader adds nothing to the live watermark, so a live tick read
         * from it would be evaluated against whatever the prices topic's watermark happens to be.
         */
        REPLAYS
    }

    private final long maxFutureSkewMillis;
    private final Role role;

    private transient String lastTopic;
    private transient String lastSource;
    private transient Counter replayRecordsSkipped;

    /** The signal pipeline's reader of the prices topic. */
    public TickDeserializer(Duration maxFutureSkew) {
        this(maxFutureSkew, Role.SIGNALS);
    }

    public TickDeserializer(Duration maxFutureSkew, Role role) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
        this.role = role;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        if (role == Role.ARCHIVE) {
            replayRecordsSkipped = context.getMetricGroup().counter("replayRecordsSkipped");
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IncomingMessage> out) {
        // Parsing a replayed record only to discard it cost the archive as much CPU as the signal
        // pipeline's own source (bench/README.md "The REPLAY path end to end").
        if (role == Role.ARCHIVE && record.headers().lastHeader(REPLAYED_HEADER) != null) {
            if (replayRecordsSkipped != null) {
                replayRecordsSkipped.inc();
            }
            return;
        }
        // The record timestamp is what makes a reprocessed rejection upsert the same row.
        long receivedAt = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
        IncomingMessage message;
        try {
            message = parse(record, receivedAt);
        } catch (RuntimeException e) {
            LOG.error("could not process Kafka record {}; it is stored in rejected_ticks as UNPROCESSABLE", sourceOf(record), e);
            message = rejected(record, receivedAt, RejectReason.UNPROCESSABLE + ": " + e);
        }
        out.collect(message);
    }

    private IncomingMessage parse(ConsumerRecord<byte[], byte[]> record, long receivedAt) {
        Tick tick = new Tick();
        TickParser.Rejection rejection = TickParser.parse(record.value(), tick);
        if (rejection != null) {
            return rejected(record, receivedAt, rejection.text());
        }
        if (role == Role.REPLAYS && !tick.isForReplayRuns()) {
            return rejected(record, receivedAt, RejectReason.MISSING_FIELD + ": replay_run_id or replay_sweep_id (topic '"
                    + record.topic() + "' carries the messages of REPLAY runs and sweeps only; live ticks and"
                    + " replays without a run go to the prices topic)");
        }
        long latestAllowed = System.currentTimeMillis() + maxFutureSkewMillis;
        if (!tick.isForReplayRuns() && tick.tsMillis > latestAllowed) {
            return rejected(record, receivedAt, RejectReason.FUTURE_TIMESTAMP + ": ts " + Instant.ofEpochMilli(tick.tsMillis)
                    + " is more than " + Durations.format(Duration.ofMillis(maxFutureSkewMillis))
                    + " past the job's clock (" + Instant.ofEpochMilli(latestAllowed - maxFutureSkewMillis) + ")");
        }
        tick.source = sourceOfTopic(record.topic());
        tick.sourceSeq = sourceSeq(record.partition(), record.offset());
        tick.receivedAtMillis = receivedAt;
        return IncomingMessage.valid(tick);
    }

    private static IncomingMessage rejected(ConsumerRecord<byte[], byte[]> record, long receivedAt, String reason) {
        String payload = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        return IncomingMessage.rejected(new RejectedTick(receivedAt, sourceOf(record), payload, reason));
    }

    /** {@code kafka:<topic>}, built once per topic rather than once per record. */
    private String sourceOfTopic(String topic) {
        if (!topic.equals(lastTopic)) {
            lastTopic = topic;
            lastSource = "kafka:" + topic;
        }
        return lastSource;
    }

    /** {@code kafka:<topic>/<partition>@<offset>}: names the record exactly. */
    public static String sourceOf(ConsumerRecord<?, ?> record) {
        return "kafka:" + record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    /** The same name for a parsed tick, from its {@link Tick#source} and {@link Tick#sourceSeq}. */
    public static String sourceOf(Tick tick) {
        return tick.source + "/" + (tick.sourceSeq >>> OFFSET_BITS) + "@" + (tick.sourceSeq & ((1L << OFFSET_BITS) - 1));
    }

    /** Partition and offset in one long, ordered like the records of one partition. */
    static long sourceSeq(int partition, long offset) {
        return ((long) partition << OFFSET_BITS) | offset;
    }

    @Override
    public TypeInformation<IncomingMessage> getProducedType() {
        return TypeInformation.of(IncomingMessage.class);
    }
}
