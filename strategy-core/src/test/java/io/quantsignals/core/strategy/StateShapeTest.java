package io.quantsignals.core.strategy;

import io.quantsignals.core.analytics.PendingTransition;
import io.quantsignals.core.analytics.RoundTripState;
import io.quantsignals.core.analytics.SummaryState;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state classes the Flink job keeps in keyed state (per (run, symbol), per replay stream, a
 * sweep run's summary) must be valid Flink POJOs (checked here by Flink's rules, without Flink on
 * the classpath; flink-job's StateTypesTest asks Flink itself) and O(slow window) in size.
 */
class StateShapeTest {

    /** Every class the job keeps in keyed state, and the classes of their fields. */
    private static final Set<Class<?>> POJO_CLASSES = Set.of(RunSymbolState.class, SmaCrossState.class,
            ExactSmaPair.class, PendingBar.class, PendingBars.class, ReplayBarsState.class, SummaryState.class,
            RoundTripState.class, PendingTransition.class);

    private static final Set<Class<?>> ALLOWED_FIELD_TYPES = Set.of(
            boolean.class, byte.class, short.class, int.class, long.class, float.class, double.class, char.class,
            Boolean.class, Integer.class, Long.class, Double.class, String.class, long[].class, double[].class,
            PendingBar[].class, PendingTransition[].class);

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
    void perKeyStateIsOneRingOfTheSlowWindow() throws Exception {
        StrategyParams params = StrategyParams.of(5, 50);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        for (int i = 0; i < 1_000; i++) {
            strategy.onBar(i * 60_000L, ScaledPrice.parse(Integer.toString(100 + (i * 7) % 13)));
        }
        assertEquals(50, totalArrayLength(strategy.state()));
        assertEquals(50, strategy.state().closes.ring.length);

        strategy.applyParams(StrategyParams.of(5, 20));
        assertEquals(20, totalArrayLength(strategy.state()));
    }

    /** Sum of the lengths of every array reachable from the state's fields. */
    private static int totalArrayLength(Object pojo) throws IllegalAccessException {
        int total = 0;
        for (Field field : pojo.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value = field.get(pojo);
            if (value instanceof long[] longs) {
                total += longs.length;
            } else if (value instanceof double[] doubles) {
                total += doubles.length;
            } else if (value != null && POJO_CLASSES.contains(value.getClass())) {
                total += totalArrayLength(value);
            }
        }
        return total;
    }
}
