package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary state the Flink job keeps per (run, symbol) is of constant size (its POJO shape is
 * checked with the other state classes in strategy/StateShapeTest).
 */
class SummaryStateShapeTest {

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
