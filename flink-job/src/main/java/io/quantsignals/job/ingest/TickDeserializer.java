package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.Tick;
import io.quantsignals.core.tick.TickParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Turns every Kafka record into an {@link IncomingMessage}: a parsed tick, or a rejection that
 * carries the payload and reason. It never throws, so a bad message can never fail the job.
 */
public class TickDeserializer implements KafkaRecordDeserializationSchema<IncomingMessage> {

    /** Bits for the offset in {@link Tick#sourceSeq}: 2^40 offsets per partition is a lot of ticks. */
    static final int OFFSET_BITS = 40;

    private transient String lastTopic;
    private transient String lastSource;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IncomingMessage> out) {
        Tick tick = new Tick();
        TickParser.Rejection rejection = TickParser.parse(record.value(), tick);
        // The record timestamp is what makes a reprocessed rejection upsert the same row.
        long receivedAt = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
        if (rejection == null) {
            tick.source = sourceOfTopic(record.topic());
            tick.sourceSeq = sourceSeq(record.partition(), record.offset());
            tick.receivedAtMillis = receivedAt;
            out.collect(IncomingMessage.valid(tick));
        } else {
            String payload = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            out.collect(IncomingMessage.rejected(new RejectedTick(receivedAt, sourceOf(record), payload, rejection.text())));
        }
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
