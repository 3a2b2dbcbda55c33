package io.quantsignals.core.strategy;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.Backtest.SymbolResult;
import io.quantsignals.core.strategy.Backtest.Tick;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BacktestTest {

    private static Tick tick(String symbol, long timeMillis, String price) {
        return new Tick(symbol, timeMillis, ScaledPrice.parse(price));
    }

    private static List<Long> times(SymbolResult result) {
        return result.metrics().stream().map(MetricRow::metricTime).toList();
    }

    private static List<Double> prices(SymbolResult result) {
        return result.metrics().stream().map(MetricRow::price).toList();
    }

    @Test
    void sixtySecondBarsTakeTheLatestTickAndSkipEmptyBuckets() {
        StrategyParams params = StrategyParams.of(1, 2); // 60 s bars by default
        List<Tick> arrivalOrder = List.of(
                tick("A", 0, "10"),
                tick("A", 30_000, "11"),
                tick("A", 59_999, "12"),
                tick("A", 59_999, "13"),     // same time as 12, arrived later: the close of bar 0
                tick("A", 45_000, "50"),     // arrives last but is older: not the close
                // nothing in [60 s, 120 s): no bar
                tick("A", 130_000, "20"),
                tick("A", 125_000, "21"),
                tick("A", 130_000, "22"));   // close of bar 120 s
        SymbolResult a = Backtest.run(params, arrivalOrder).get("A");

        assertEquals(List.of(0L, 120_000L), times(a));
        assertEquals(List.of(13.0, 22.0), prices(a));
        // 22 > 17.5 (the mean of 13 and 22): long at the 120 s bar.
        assertEquals(List.of(new PositionTransition(120_000, 0, 1, 22.0, 22.0, 0.0, 0.0, Reason.SIGNAL)),
                a.transitions());
        // The gross return spans the gap: 0 · (22/13 − 1).
        assertEquals(0.0, a.metrics().get(1).grossReturn());
    }

    @Test
    void tickBarsGroupTicksSharingATimestampInEventTimeOrder() {
        StrategyParams params = StrategyParams.of(1, 2).withBarIntervalSeconds(0);
        List<Tick> arrivalOrder = List.of(
                tick("A", 1_000, "10"),
                tick("A", 1_000, "11"),   // same timestamp: one bar, closing at the last arrival
                tick("A", 500, "9"),      // arrives later, but is an earlier bar
                tick("A", 2_000, "12"));
        SymbolResult a = Backtest.run(params, arrivalOrder).get("A");

        assertEquals(List.of(500L, 1_000L, 2_000L), times(a));
        assertEquals(List.of(9.0, 11.0, 12.0), prices(a));
        // 11 > 10 (mean of 9 and 11): long at 1000; 12 > 11.5: stays long and earns 12/11 − 1.
        assertEquals(1, a.transitions().size());
        assertEquals(1_000L, a.transitions().get(0).eventTime());
        assertEquals(1 * (12.0 / 11.0 - 1), a.metrics().get(2).grossReturn());
    }

    @Test
    void symbolsAreIndependentAndFilteredByTheRun() {
        StrategyParams params = StrategyParams.of(1, 2).withSymbols(List.of("A", "B"));
        List<Tick> arrivalOrder = List.of(
                tick("A", 0, "10"), tick("B", 0, "100"), tick("C", 0, "1"),
                tick("A", 60_000, "11"), tick("B", 60_000, "90"), tick("C", 60_000, "2"));
        SortedMap<String, SymbolResult> results = Backtest.run(params, arrivalOrder);

        assertEquals(List.of("A", "B"), List.copyOf(results.keySet()));
        assertEquals(1, results.get("A").metrics().get(1).position());
        assertEquals(0, results.get("B").metrics().get(1).position());
    }

    @Test
    void matchesFeedingTheBarsToTheStrategyDirectly() {
        // The reference must be nothing more than bars + strategy: check on a longer random walk
        // with costs, shorting and a risk limit.
        StrategyParams params = StrategyParams.of(3, 8).withConfirmation(2).withCosts(7.5, 2.5)
                .withAllowShort(true).withMaxDrawdown(0.05);
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        List<Tick> ticks = new ArrayList<>();
        long price = 10_000_000_000L; // 100.00
        for (int i = 0; i < 2_000; i++) {
            price = Math.max(1_000_000L, price + random.nextLong(-50_000_000L, 50_000_001L));
            ticks.add(new Tick("X", i * 20_000L, price));
        }
        SymbolResult x = Backtest.run(params, ticks).get("X");

        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        List<MetricRow> expected = new ArrayList<>();
        for (int bar = 0; bar < 2_000 / 3 + 1; bar++) {
            // Three ticks per minute (0, 20, 40 s); the close is the last of them.
            int last = Math.min(bar * 3 + 2, ticks.size() - 1);
            expected.add(strategy.onBar(bar * 60_000L, ticks.get(last).priceScaled()).metric());
        }
        assertEquals(expected, x.metrics());
        // The 5 % limit is breached once; from the next bar on the symbol stays flat.
        assertEquals(1, x.riskHaltBarTimes().size());
        long haltBar = x.riskHaltBarTimes().get(0);
        x.metrics().stream().filter(m -> m.metricTime() > haltBar)
                .forEach(m -> assertEquals(0, m.position(), "flat after the halt at " + m.metricTime()));
        assertTrue(x.transitions().stream().allMatch(t -> t.eventTime() <= haltBar + 60_000));
    }
}
