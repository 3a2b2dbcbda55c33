package io.quantsignals.job.ingest;

import io.quantsignals.core.tick.Tick;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of a {@link Tick} stream, serialized by {@link TickSerializer} instead of Flink's POJO serializer. */
public final class TickTypeInfo extends TypeInformation<Tick> {

    private static final long serialVersionUID = 1L;

    public static final TickTypeInfo INSTANCE = new TickTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Tick> getTypeClass() {
        return Tick.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Tick> createSerializer(SerializerConfig config) {
        return TickSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Tick";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TickTypeInfo;
    }

    @Override
    public int hashCode() {
        return TickTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof TickTypeInfo;
    }
}
