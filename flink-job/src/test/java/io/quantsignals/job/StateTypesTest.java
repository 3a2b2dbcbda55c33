package io.quantsignals.job;

import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.strategy.ReplayBarsState;
import io.quantsignals.core.strategy.RunSymbolState;
import io.quantsignals.job.control.ControlEvent;
import io.quantsignals.job.ingest.RejectedTick;
import io.quantsignals.job.killswitch.KillSwitchEvent;
import io.quantsignals.job.killswitch.KillSwitchFile;
import io.quantsignals.job.runs.RunConfig;
import io.quantsignals.job.signal.MetricRecord;
import io.quantsignals.job.signal.TransitionRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

/**
 * Every type the job keeps in state or sends between operators is serialized by Flink's POJO
 * serializer, never Kryo (the job disables the Kryo fallback, contract §6): asked of Flink itself,
 * so a field added to a state class that Flink cannot handle fails here rather than at a job's
 * start or, worse, at a savepoint's restore. Tick has its own serializer (TickSerializerTest).
 */
class StateTypesTest {

    @ParameterizedTest
    @ValueSource(classes = {RunSymbolState.class, ReplayBarsState.class, RunConfig.class, PeriodSummary.class,
            MetricRecord.class, TransitionRecord.class, RejectedTick.class, KillSwitchEvent.class,
            KillSwitchFile.class, ControlEvent.class})
    void isAFlinkPojo(Class<?> type) {
        assertSerializedAsPojoWithoutKryo(type);
    }
}
