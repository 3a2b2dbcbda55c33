package io.quantsignals.core.strategy;

import io.quantsignals.core.params.StrategyParams;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reference evaluation of one run over a finite list of ticks, without Flink.
 *
 * <p>Why it exists: it is the oracle the Flink job's tests compare against bit for bit. It applies
 * the same rules with the simplest possible control flow: group each symbol's ticks into bars
 * ({@link Bars}, {@link PendingBar}), then feed the bars in time order to a fresh
 * {@link SmaCrossStrategy} per symbol.
 *
 * <p>Assumptions: ticks are given in ARRIVAL order (which decides close ties) and none is late —
 * every bar is complete only after all ticks are in, as if the watermark passed the last bar at
 * the end. Symbols the run does not trade ({@link StrategyParams#tradesSymbol}) are skipped. There
 * is no kill switch and no parameter change here.
 */
public final class Backtest {

    /** One input tick: symbol, event time in epoch milliseconds, scaled price. */
    public record Tick(String symbol, long timeMillis, long priceScaled) {
        public Tick {
            Objects.requireNonNull(symbol, "symbol");
            if (priceScaled <= 0) {
                throw new IllegalArgumentException("price must be a positive scaled price: " + priceScaled);
            }
        }
    }

    /**
     * The output for one symbol, everything in time order.
     *
     * @param riskHaltBarTimes bar times at which a risk halt was triggered
     */
    public record SymbolResult(String symbol, List<MetricRow> metrics, List<PositionTransition> transitions,
            List<Long> riskHaltBarTimes) {
    }

    private Backtest() {
    }

    /**
     * Runs the strategy for every traded symbol.
     *
     * @return one result per symbol that has at least one bar, by symbol name
     */
    public static SortedMap<String, SymbolResult> run(StrategyParams params, List<Tick> ticksInArrivalOrder) {
        long intervalMillis = params.barIntervalMillis();

        // symbol -> (bar time -> pending bar); TreeMap so bars come out in time order.
        Map<String, TreeMap<Long, PendingBar>> barsBySymbol = new TreeMap<>();
        for (Tick tick : ticksInArrivalOrder) {
            if (!params.tradesSymbol(tick.symbol())) {
                continue;
            }
            long barTime = Bars.barTimeOf(tick.timeMillis(), intervalMillis);
            TreeMap<Long, PendingBar> bars = barsBySymbol.computeIfAbsent(tick.symbol(), s -> new TreeMap<>());
            PendingBar bar = bars.get(barTime);
            if (bar == null) {
                bars.put(barTime, new PendingBar(barTime, tick.timeMillis(), tick.priceScaled()));
            } else {
                bar.offer(tick.timeMillis(), tick.priceScaled());
            }
        }

        SortedMap<String, SymbolResult> results = new TreeMap<>();
        for (Map.Entry<String, TreeMap<Long, PendingBar>> entry : barsBySymbol.entrySet()) {
            SmaCrossStrategy strategy = new SmaCrossStrategy(params);
            List<MetricRow> metrics = new ArrayList<>();
            List<PositionTransition> transitions = new ArrayList<>();
            List<Long> halts = new ArrayList<>();
            for (PendingBar bar : entry.getValue().values()) {
                BarResult result = strategy.onBar(bar.barTime, bar.closePrice);
                metrics.add(result.metric());
                if (result.transition() != null) {
                    transitions.add(result.transition());
                }
                if (result.riskHaltTriggered()) {
                    halts.add(bar.barTime);
                }
            }
            results.put(entry.getKey(), new SymbolResult(entry.getKey(), Collections.unmodifiableList(metrics),
                    Collections.unmodifiableList(transitions), Collections.unmodifiableList(halts)));
        }
        return Collections.unmodifiableSortedMap(results);
    }
}
