package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch walk of {@link RunAnalytics}: cuts one symbol's bars into round trips by
 * {@link RoundTripRules}, looking the transitions up in the symbol's whole list (the streaming
 * {@link SummaryAccumulator} applies the same rules to the transitions given since the last bar).
 */
final class TradeWalk {

    private final String symbol;
    private final RoundTripRules.Transitions transitions;
    private final RoundTripState state = new RoundTripState();
    private final List<RoundTrip> trades = new ArrayList<>();

    /** @param transitions the symbol's transitions as stored (by event time) */
    TradeWalk(String symbol, List<PositionTransition> transitions) {
        this.symbol = symbol;
        this.transitions = new RoundTripRules.Transitions(transitions);
    }

    void add(MetricRow bar) {
        RoundTrip closed = RoundTripRules.bar(symbol, state, bar, transitions);
        if (closed != null) {
            trades.add(closed);
        }
    }

    /** The round trips, by entry time; call once, after the last bar. */
    List<RoundTrip> finish() {
        RoundTrip last = RoundTripRules.end(symbol, state, transitions);
        if (last != null) {
            trades.add(last);
        }
        return List.copyOf(trades);
    }
}
