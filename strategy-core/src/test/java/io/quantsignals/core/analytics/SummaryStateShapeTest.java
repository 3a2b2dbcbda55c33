package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary state the Flink job keeps per (run, symbol) must be a valid Flink POJO (Flink's rules,
 * checked without Flink, as strategy/StateShapeTest does for SmaCrossState) and of constant size.
 */
class SummaryStateShapeTest {

    private static final Set<Class<?>> POJO_CLASSES = Set.of(SummaryState.class, RoundTripState.class,
            PendingTransition.class);

    private static final Set<Class<?>> ALLOWED_FIELD_TYPES = Set.of(
            boolean.class, byte.class, short.class, int.class, long.class, float.class, double.class, char.class,
            Boolean.class, Integer.class, Long.class, Double.class, String.class, PendingTransition[].class);

    @Test
    void stateClassesFollowFlinksPojoRules() throws Exception {
        for (Class<?> type : POJO_CLASSES) {
            assertTrue(Modifier.isPublic(type.getModifiers()), type + " must be public");
            assertTrue(type.getEnclosingClass() == null, type + " must be a top-level class");
            assertTrue(Modifier.isPublic(type.getConstructor().getModifiers()), type + " needs a public no-arg constructor");
            for (Field field : type.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers)) {
                    continue;
                }
                assertTrue(Modifier.isPublic(modifiers), field + " must be public");
                assertTrue(!Modifier.isFinal(modifiers), field + " must not be final");
                assertTrue(!Modifier.isTransient(modifiers), field + " must not be transient");
                assertTrue(ALLOWED_FIELD_TYPES.contains(field.getType()) || POJO_CLASSES.contains(field.getType()),
                        field + " has a type Flink would not treat as a POJO field: " + field.getType());
            }
        }
    }

    @Test
    void stateStaysTheSameSizeOverManyBarsAndTrades() {
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), "run", "X");
        double equity = 1;
        int position = 0;
        for (int i = 0; i < 20_000; i++) {
            long time = 1_704_067_200_000L + i * 300_000L;
            int next = i % 7 == 0 ? (position == 0 ? 1 : 0) : position;
            if (next != position) {
                acc.transition(new PositionTransition(time, position, next, 100, 100, 0.001, 0, Reason.SIGNAL));
            }
            double net = next != position ? -0.001 : position * 0.0001;
            equity *= 1 + net;
            acc.bar(new MetricRow(time, 100, null, null, next, 0, 0, 0, net, equity - 1, 0));
            position = next;
            assertNull(acc.state().pending, "pending transitions are dropped at every bar");
        }
        assertTrue(acc.current().tradesClosed() > 0);
    }

    @Test
    void aPendingTransitionRoundTrips() {
        PositionTransition t = new PositionTransition(5, -1, 0, 101.5, 101.6, 0.001, 0.0005, Reason.KILL_SWITCH);
        assertEquals(t, PendingTransition.of(t).toTransition());
    }
}
