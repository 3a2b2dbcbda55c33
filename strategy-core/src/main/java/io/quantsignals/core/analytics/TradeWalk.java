package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Cuts one symbol's bars into round trips and compounds each trade's share of the bars' net returns.
 *
 * <p>Why the bars and not only the transitions: a trade's PnL must be what the metrics booked (the
 * report's equity), costs included, and the metrics are the only place that says which bar carried
 * a kill-switch flatten, whose transition has the file's wall-clock time (SPEC §8) and so cannot be
 * placed among a replay's bars by time. The transitions give the boundaries, times and prices.
 *
 * <p>Bar t (metric position p before it, q after it, costs C = transaction_cost + slippage_cost):
 * <ul>
 *   <li>a trade opens at t when q ≠ 0 and an opening transition (to q, from anything else) has t's
 *       time, or q ≠ p. Its share of C is the opening transition's own costs × |q| / |q − from|
 *       (half of a flip's, all of an entry's); without a transition row, C × |q| / (|p| + |q|);</li>
 *   <li>an open trade of direction d ends at t when q ≠ d or a trade opens at t (a flatten and a
 *       re-entry before the same bar). Its last factor is 1 + net_return_t, or, when a trade opens at t
 *       too, 1 + (gross_return_t − (C − the new trade's share));</li>
 *   <li>otherwise the open trade's factor is multiplied by 1 + net_return_t.</li>
 * </ul>
 * A trade opened at t from flat starts at 1 + net_return_t (its entry costs; the gross return of a
 * flat bar is 0), one opened by a flip at 1 − its share. After the last bar, an open trade that a
 * flatten transition (KILL_SWITCH or RUN_ENDED, from d to 0) closed gets the flatten's leg as the
 * next bar would have booked it (SPEC §5.4 steps 2 and 6, §8):
 * {@code ((d × ((price / c_last) − 1.0)) − transaction_cost) − slippage_cost}; without one it stays open.
 */
final class TradeWalk {

    private final String symbol;
    private final List<PositionTransition> transitions;
    private final boolean[] used;
    private final Map<Long, List<Integer>> byTime = new HashMap<>();
    private final List<RoundTrip> trades = new ArrayList<>();
    private int previousPosition;
    private double lastClose;
    private Open open;

    private static final class Open {
        final int direction;
        final long entryTime;
        final double entryPrice;
        final Double entryFillPrice;
        double factor;

        Open(int direction, long entryTime, double entryPrice, Double entryFillPrice, double factor) {
            this.direction = direction;
            this.entryTime = entryTime;
            this.entryPrice = entryPrice;
            this.entryFillPrice = entryFillPrice;
            this.factor = factor;
        }
    }

    /** @param transitions the symbol's transitions as stored (by event time) */
    TradeWalk(String symbol, List<PositionTransition> transitions) {
        this.symbol = symbol;
        this.transitions = List.copyOf(transitions);
        this.used = new boolean[this.transitions.size()];
        for (int i = 0; i < this.transitions.size(); i++) {
            byTime.computeIfAbsent(this.transitions.get(i).eventTime(), k -> new ArrayList<>()).add(i);
        }
    }

    void add(MetricRow bar) {
        int q = bar.position();
        long t = bar.metricTime();
        int opening = q == 0 ? -1 : at(t, tr -> tr.toPosition() == q && tr.fromPosition() != q);
        boolean opens = q != 0 && (opening >= 0 || q != previousPosition);
        double costs = bar.transactionCost() + bar.slippageCost();
        double openCost = 0;
        if (opens) {
            if (opening >= 0) {
                PositionTransition o = transitions.get(opening);
                openCost = (o.transactionCost() + o.slippageCost()) * Math.abs(q) / Math.abs(q - o.fromPosition());
            } else {
                openCost = costs * Math.abs(q) / (Math.abs(previousPosition) + Math.abs(q));
            }
        }
        if (open != null) {
            if (q != open.direction || opens) {
                double exitReturn = opens ? bar.grossReturn() - (costs - openCost) : bar.netReturn();
                open.factor *= 1.0 + exitReturn;
                int d = open.direction;
                int closing = at(t, tr -> tr.fromPosition() == d && tr.toPosition() != d && tr.reason() != Reason.RUN_ENDED);
                // No transition closes it at this bar: a kill-switch flatten did, before it. Not RUN_ENDED,
                // which no bar follows.
                PositionTransition exit = closing >= 0 ? use(closing) : nextFlatten(d, open.entryTime, false);
                close(exit, t, bar.price());
            } else {
                open.factor *= 1.0 + bar.netReturn();
            }
        }
        if (opens) {
            PositionTransition o = opening >= 0 ? use(opening) : null;
            double entryReturn = previousPosition == 0 ? bar.netReturn() : -openCost;
            open = new Open(q, t, bar.price(), o == null ? null : o.fillPrice(), 1.0 + entryReturn);
        }
        previousPosition = q;
        lastClose = bar.price();
    }

    /** The round trips, by entry time; call once, after the last bar. */
    List<RoundTrip> finish() {
        if (open != null) {
            PositionTransition flatten = nextFlatten(open.direction, open.entryTime, true);
            if (flatten != null) {
                double leg = ((open.direction * ((flatten.price() / lastClose) - 1.0)) - flatten.transactionCost())
                        - flatten.slippageCost();
                open.factor *= 1.0 + leg;
                close(flatten, flatten.eventTime(), flatten.price());
            } else {
                trades.add(new RoundTrip(symbol, open.direction, open.entryTime, open.entryPrice, open.entryFillPrice,
                        null, null, null, null, open.factor - 1.0, false));
                open = null;
            }
        }
        return List.copyOf(trades);
    }

    private void close(PositionTransition exit, long barTime, double barPrice) {
        trades.add(new RoundTrip(symbol, open.direction, open.entryTime, open.entryPrice, open.entryFillPrice,
                exit == null ? barTime : exit.eventTime(), exit == null ? barPrice : exit.price(),
                exit == null ? null : exit.fillPrice(), exit == null ? null : exit.reason(), open.factor - 1.0, true));
        open = null;
    }

    /** The first unused transition at {@code time} that matches, or -1. */
    private int at(long time, Predicate<PositionTransition> matches) {
        for (int i : byTime.getOrDefault(time, List.of())) {
            if (!used[i] && matches.test(transitions.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private PositionTransition use(int index) {
        used[index] = true;
        return transitions.get(index);
    }

    /**
     * The first unused flatten of {@code direction} to flat at or after the entry: it closed a trade
     * between two bars, or after the last one ({@code afterLastBar}, where RUN_ENDED may do it too).
     */
    private PositionTransition nextFlatten(int direction, long entryTime, boolean afterLastBar) {
        for (int i = 0; i < transitions.size(); i++) {
            PositionTransition tr = transitions.get(i);
            if (!used[i] && tr.fromPosition() == direction && tr.toPosition() == 0 && tr.eventTime() >= entryTime
                    && (tr.reason() == Reason.KILL_SWITCH || (afterLastBar && tr.reason() == Reason.RUN_ENDED))) {
                return use(i);
            }
        }
        return null;
    }
}
