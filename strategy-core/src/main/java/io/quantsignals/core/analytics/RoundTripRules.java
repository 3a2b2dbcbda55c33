package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The round-trip rules (docs/contract.md §9.1 "Round trips"), shared by the batch walk of
 * {@link RunAnalytics} ({@link TradeWalk}: all of a symbol's transitions at once) and the streaming
 * {@link SummaryAccumulator} (the transitions given since the last bar): one symbol's bars are cut
 * into round trips and each trade compounds its share of the bars' net returns. The memory between
 * bars is a {@link RoundTripState}; the transitions are found through {@link Transitions}.
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
 *       too, 1 + (gross_return_t − (C − the new trade's share)). Its exit is the unused transition at
 *       t from d (not RUN_ENDED, which no bar follows), else the first unused KILL_SWITCH flatten from
 *       d to 0 at or after its entry (it closed the trade between two bars), else the bar itself;</li>
 *   <li>otherwise the open trade's factor is multiplied by 1 + net_return_t.</li>
 * </ul>
 * A trade opened at t from flat starts at 1 + net_return_t (its entry costs; the gross return of a
 * flat bar is 0), one opened by a flip at 1 − its share. After the last bar, an open trade that a
 * flatten transition (KILL_SWITCH or RUN_ENDED, from d to 0, at or after its entry) closed gets the
 * flatten's leg as the next bar would have booked it (SPEC §5.4 steps 2 and 6, §8):
 * {@code ((d × ((price / c_last) − 1.0)) − transaction_cost) − slippage_cost}; without one it stays open.
 */
final class RoundTripRules {

    private RoundTripRules() {
    }

    /**
     * Where the rules look transitions up: a list, each transition usable once. "First" is in the
     * list's order.
     */
    static final class Transitions {

        /** No transitions (stateless: nothing to use up). */
        static final Transitions NONE = new Transitions(List.of());

        /** Above this many transitions, {@link #at} looks them up by time instead of scanning. */
        private static final int SCAN_LIMIT = 8;

        private final PositionTransition[] list;
        private final boolean[] used;
        private final Map<Long, List<Integer>> byTime;

        /** @param transitions one symbol's transitions: by event time (as stored), or in the order they were emitted */
        Transitions(List<PositionTransition> transitions) {
            this.list = transitions.toArray(new PositionTransition[0]);
            this.used = new boolean[list.length];
            if (list.length > SCAN_LIMIT) {
                byTime = new HashMap<>();
                for (int i = 0; i < list.length; i++) {
                    byTime.computeIfAbsent(list[i].eventTime(), k -> new ArrayList<>()).add(i);
                }
            } else {
                byTime = null;
            }
        }

        /** The first unused transition at {@code time} to {@code to} from anything else, or -1. */
        int opening(long time, int to) {
            if (byTime == null) {
                for (int i = 0; i < list.length; i++) {
                    if (list[i].eventTime() == time && isOpening(i, to)) {
                        return i;
                    }
                }
                return -1;
            }
            for (int i : byTime.getOrDefault(time, List.of())) {
                if (isOpening(i, to)) {
                    return i;
                }
            }
            return -1;
        }

        /** The first unused transition at {@code time} from {@code from} to anything else, not RUN_ENDED, or -1. */
        int closing(long time, int from) {
            if (byTime == null) {
                for (int i = 0; i < list.length; i++) {
                    if (list[i].eventTime() == time && isClosing(i, from)) {
                        return i;
                    }
                }
                return -1;
            }
            for (int i : byTime.getOrDefault(time, List.of())) {
                if (isClosing(i, from)) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * The first unused flatten of {@code direction} to flat at or after {@code entryTime}: a
         * KILL_SWITCH one closed a trade between two bars, or after the last one ({@code afterLastBar},
         * where RUN_ENDED may do it too); -1 if none.
         */
        int flatten(int direction, long entryTime, boolean afterLastBar) {
            for (int i = 0; i < list.length; i++) {
                PositionTransition tr = list[i];
                if (!used[i] && tr.fromPosition() == direction && tr.toPosition() == 0 && tr.eventTime() >= entryTime
                        && (tr.reason() == Reason.KILL_SWITCH || (afterLastBar && tr.reason() == Reason.RUN_ENDED))) {
                    return i;
                }
            }
            return -1;
        }

        /** Transition {@code index}, marked as used. */
        PositionTransition use(int index) {
            used[index] = true;
            return list[index];
        }

        private boolean isOpening(int i, int to) {
            PositionTransition tr = list[i];
            return !used[i] && tr.toPosition() == to && tr.fromPosition() != to;
        }

        private boolean isClosing(int i, int from) {
            PositionTransition tr = list[i];
            return !used[i] && tr.fromPosition() == from && tr.toPosition() != from && tr.reason() != Reason.RUN_ENDED;
        }
    }

    /**
     * Walks one bar: updates {@code s} and uses up the transitions the bar opened or closed a trade with.
     *
     * @return the trade this bar closed (at most one), or null
     */
    static RoundTrip bar(String symbol, RoundTripState s, MetricRow bar, Transitions transitions) {
        int q = bar.position();
        long t = bar.metricTime();
        int opening = q == 0 ? -1 : transitions.opening(t, q);
        boolean opens = q != 0 && (opening >= 0 || q != s.previousPosition);
        double costs = bar.transactionCost() + bar.slippageCost();
        double openCost = 0;
        if (opens) {
            if (opening >= 0) {
                PositionTransition o = transitions.list[opening];
                openCost = (o.transactionCost() + o.slippageCost()) * Math.abs(q) / Math.abs(q - o.fromPosition());
            } else {
                openCost = costs * Math.abs(q) / (Math.abs(s.previousPosition) + Math.abs(q));
            }
        }
        RoundTrip closed = null;
        if (s.open) {
            if (q != s.direction || opens) {
                double exitReturn = opens ? bar.grossReturn() - (costs - openCost) : bar.netReturn();
                s.factor *= 1.0 + exitReturn;
                int d = s.direction;
                int closing = transitions.closing(t, d);
                // No transition closes it at this bar: a kill-switch flatten did, before it. Not RUN_ENDED,
                // which no bar follows.
                if (closing < 0) {
                    closing = transitions.flatten(d, s.entryTime, false);
                }
                PositionTransition exit = closing >= 0 ? transitions.use(closing) : null;
                closed = closedTrade(symbol, s, s.factor, exit, t, bar.price());
                s.open = false;
            } else {
                s.factor *= 1.0 + bar.netReturn();
            }
        }
        if (opens) {
            PositionTransition o = opening >= 0 ? transitions.use(opening) : null;
            double entryReturn = s.previousPosition == 0 ? bar.netReturn() : -openCost;
            s.open = true;
            s.direction = q;
            s.entryTime = t;
            s.entryPrice = bar.price();
            s.entryFillPrice = o == null ? null : o.fillPrice();
            s.factor = 1.0 + entryReturn;
        }
        s.previousPosition = q;
        s.lastClose = bar.price();
        return closed;
    }

    /**
     * The trade still open after the last bar as the run's end leaves it, without changing {@code s}
     * or using transitions up: closed by a flatten after the last bar (with the flatten's leg), else
     * open (PnL so far); null when no trade is open.
     */
    static RoundTrip end(String symbol, RoundTripState s, Transitions transitions) {
        if (!s.open) {
            return null;
        }
        int i = transitions.flatten(s.direction, s.entryTime, true);
        if (i < 0) {
            return new RoundTrip(symbol, s.direction, s.entryTime, s.entryPrice, s.entryFillPrice,
                    null, null, null, null, s.factor - 1.0, false);
        }
        PositionTransition flatten = transitions.list[i];
        double leg = ((s.direction * ((flatten.price() / s.lastClose) - 1.0)) - flatten.transactionCost())
                - flatten.slippageCost();
        return closedTrade(symbol, s, s.factor * (1.0 + leg), flatten, flatten.eventTime(), flatten.price());
    }

    private static RoundTrip closedTrade(String symbol, RoundTripState s, double factor, PositionTransition exit,
            long barTime, double barPrice) {
        return new RoundTrip(symbol, s.direction, s.entryTime, s.entryPrice, s.entryFillPrice,
                exit == null ? barTime : exit.eventTime(), exit == null ? barPrice : exit.price(),
                exit == null ? null : exit.fillPrice(), exit == null ? null : exit.reason(), factor - 1.0, true);
    }
}
