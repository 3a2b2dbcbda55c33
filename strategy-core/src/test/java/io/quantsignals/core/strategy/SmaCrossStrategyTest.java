package io.quantsignals.core.strategy;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §5 steps 1–9 and §8, with expected values worked out by hand in the comments.
 *
 * <p>Most scenarios use F = 1, S = 2: then fast = c_t and slow = (c_{t-1} + c_t) / 2, so the regime
 * is simply "did the close go up (+1), down (0, or −1 with allow_short), or stay (keep)".
 *
 * <p>Doubles are compared exactly ({@code assertEquals(double, double)} compares bits, so even
 * 0.0 and −0.0 differ). Where a value is not a short binary fraction, the expectation is written
 * as the SPEC's own formula over the literal numbers, in the SPEC's evaluation order, next to its
 * approximate decimal value.
 */
class SmaCrossStrategyTest {

    private static final long MINUTE = 60_000L;
    private static final Integer U = null; // "regime undefined" in the expected-regime tables

    /** Feeds closes as bars at 0, 1, 2, ... minutes. */
    private static List<BarResult> feed(SmaCrossStrategy strategy, String... closes) {
        return feedFrom(strategy, 0, closes);
    }

    private static List<BarResult> feedFrom(SmaCrossStrategy strategy, int firstMinute, String... closes) {
        List<BarResult> results = new ArrayList<>();
        for (int i = 0; i < closes.length; i++) {
            results.add(strategy.onBar((firstMinute + i) * MINUTE, ScaledPrice.parse(closes[i])));
        }
        return results;
    }

    private static List<Integer> positions(List<BarResult> results) {
        return results.stream().map(r -> r.metric().position()).toList();
    }

    private static void assertTransition(PositionTransition t, long eventTime, int from, int to, double price,
            double fillPrice, double transactionCost, double slippageCost, Reason reason) {
        assertNotNull(t, "expected a transition");
        assertEquals(eventTime, t.eventTime(), "event_time");
        assertEquals(from, t.fromPosition(), "from_position");
        assertEquals(to, t.toPosition(), "to_position");
        assertEquals(price, t.price(), "price");
        assertEquals(fillPrice, t.fillPrice(), "fill_price");
        assertEquals(transactionCost, t.transactionCost(), "transaction_cost");
        assertEquals(slippageCost, t.slippageCost(), "slippage_cost");
        assertEquals(reason, t.reason(), "reason");
    }

    @Test
    void smasAreNullUntilDefined() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(2, 3));
        List<BarResult> bars = feed(strategy, "10", "11", "12", "9");

        assertNull(bars.get(0).metric().smaFast());
        assertNull(bars.get(0).metric().smaSlow());
        assertEquals(10.5, bars.get(1).metric().smaFast()); // (10 + 11) / 2
        assertNull(bars.get(1).metric().smaSlow());
        assertEquals(11.5, bars.get(2).metric().smaFast()); // (11 + 12) / 2
        assertEquals(11.0, bars.get(2).metric().smaSlow()); // (10 + 11 + 12) / 3
        assertEquals(10.5, bars.get(3).metric().smaFast()); // (12 + 9) / 2
        assertEquals(32.0 / 3.0, bars.get(3).metric().smaSlow()); // (11 + 12 + 9) / 3, nearest double

        // No regime before both SMAs exist, hence no position.
        assertEquals(SmaCrossState.REGIME_UNDEFINED, new SmaCrossStrategy(StrategyParams.of(2, 3)).state().regime);
        assertEquals(0, bars.get(1).metric().position());
        assertNull(bars.get(1).transition());
        // Bar 3: fast 11.5 > slow 11 -> long at 12. Bar 4: fast 10.5 < slow 10.67 -> flat at 9.
        assertEquals(1, bars.get(2).metric().position());
        assertEquals(0, bars.get(3).metric().position());
    }

    @Test
    void equityCumulativeReturnAndDrawdownOverAFewBars() {
        // F=1, S=2, confirmation 1, no costs. Closes 4, 8, 10, 5, 6.
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2));
        List<BarResult> bars = feed(strategy, "4", "8", "10", "5", "6");

        // Bar 1 (4): first bar, gross 0 by definition, nothing defined yet.
        MetricRow m1 = bars.get(0).metric();
        assertEquals(new MetricRow(0, 4.0, 4.0, null, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), m1);

        // Bar 2 (8): fast 8 > slow 6 -> long. gross = 0 · (8/4 − 1) = 0.
        MetricRow m2 = bars.get(1).metric();
        assertEquals(new MetricRow(MINUTE, 8.0, 8.0, 6.0, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), m2);
        assertTransition(bars.get(1).transition(), MINUTE, 0, 1, 8.0, 8.0, 0.0, 0.0, Reason.SIGNAL);

        // Bar 3 (10): gross = 1 · (10/8 − 1) = 0.25; equity 1.25 (new peak), drawdown 0.
        MetricRow m3 = bars.get(2).metric();
        assertEquals(new MetricRow(2 * MINUTE, 10.0, 10.0, 9.0, 1, 0.25, 0.0, 0.0, 0.25, 0.25, 0.0), m3);

        // Bar 4 (5): gross = 1 · (5/10 − 1) = −0.5; equity 1.25 · 0.5 = 0.625; cumulative −0.375;
        // drawdown 0.625 / 1.25 − 1 = −0.5. fast 5 < slow 7.5 -> flat at 5.
        MetricRow m4 = bars.get(3).metric();
        assertEquals(new MetricRow(3 * MINUTE, 5.0, 5.0, 7.5, 0, -0.5, 0.0, 0.0, -0.5, -0.375, -0.5), m4);
        assertTransition(bars.get(3).transition(), 3 * MINUTE, 1, 0, 5.0, 5.0, 0.0, 0.0, Reason.SIGNAL);

        // Bar 5 (6): flat, gross = 0 · (6/5 − 1) = +0.0; equity unchanged; fast 6 > slow 5.5 -> long.
        MetricRow m5 = bars.get(4).metric();
        assertEquals(new MetricRow(4 * MINUTE, 6.0, 6.0, 5.5, 1, 0.0, 0.0, 0.0, 0.0, -0.375, -0.5), m5);
        assertEquals(0.625, strategy.state().equity);
        assertEquals(1.25, strategy.state().peakEquity);
    }

    @Test
    void confirmationWindowOfThreeIgnoresAFlipThatDoesNotLast() {
        // F=1, S=2, confirmation 3. The regime is the direction of the last move.
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2).withConfirmation(3));
        String[] closes =       {"10", "11", "12", "11", "12", "13", "14", "13", "12", "11"};
        Integer[] regimes =     {U,    1,    1,    0,    1,    1,    1,    0,    0,    0};
        long[] streaks =        {0,    1,    2,    1,    1,    2,    3,    1,    2,    3};
        int[] expectedPositions = {0,  0,    0,    0,    0,    0,    1,    1,    1,    0};
        // Bars 2-3 are bullish for only 2 bars, then bar 4 dips: no entry. Bars 5-7 reach 3: long
        // at 14. Bar 8 turns bearish but only bar 10 confirms it: flat at 11.
        List<BarResult> bars = new ArrayList<>();
        for (int i = 0; i < closes.length; i++) {
            bars.add(strategy.onBar(i * MINUTE, ScaledPrice.parse(closes[i])));
            int expectedRegime = regimes[i] == null ? SmaCrossState.REGIME_UNDEFINED : regimes[i];
            assertEquals(expectedRegime, strategy.state().regime, "regime at bar " + (i + 1));
            assertEquals(streaks[i], strategy.state().streak, "streak at bar " + (i + 1));
            assertEquals(expectedPositions[i], bars.get(i).metric().position(), "position at bar " + (i + 1));
        }

        List<PositionTransition> transitions = bars.stream().map(BarResult::transition)
                .filter(Objects::nonNull).toList();
        assertEquals(2, transitions.size());
        assertTransition(transitions.get(0), 6 * MINUTE, 0, 1, 14.0, 14.0, 0.0, 0.0, Reason.SIGNAL);
        assertTransition(transitions.get(1), 9 * MINUTE, 1, 0, 11.0, 11.0, 0.0, 0.0, Reason.SIGNAL);
        // While long through the unconfirmed dip, bar 8 earns 13/14 − 1.
        assertEquals(1 * (13.0 / 14.0 - 1), bars.get(7).metric().grossReturn());
    }

    @Test
    void allowShortCostsAndFillPricesOnEntryFlipAndTie() {
        // F=1, S=2, confirmation 1, allow_short, 10 bps transaction cost, 5 bps slippage.
        StrategyParams params = StrategyParams.of(1, 2).withAllowShort(true).withCosts(10, 5);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        List<BarResult> bars = feed(strategy, "10", "12", "9", "9", "11");
        assertEquals(List.of(0, 1, -1, -1, 1), positions(bars));

        // Bar 2 (12): entry long, Δ = 1: tc = 1·10/10⁴ = 0.001, sc = 1·5/10⁴ = 0.0005,
        // fill = 12 · (1 + 1·5/10⁴) ≈ 12.006; net = 0 − 0.001 − 0.0005 = −0.0015; equity 0.9985.
        BarResult b2 = bars.get(1);
        assertTransition(b2.transition(), MINUTE, 0, 1, 12.0, 12.0 * (1 + 1 * 5.0 / 1e4), 0.001, 0.0005,
                Reason.SIGNAL);
        assertEquals(12.006, b2.transition().fillPrice(), 1e-12);
        assertEquals(0.0, b2.metric().grossReturn());
        assertEquals(0.001, b2.metric().transactionCost());
        assertEquals(0.0005, b2.metric().slippageCost());
        assertEquals(0.0 - 0.001 - 0.0005, b2.metric().netReturn());
        assertEquals(-0.0015, b2.metric().netReturn(), 1e-18);
        double equity2 = 1.0 * (1 + (0.0 - 0.001 - 0.0005));
        assertEquals(equity2 - 1, b2.metric().cumulativeReturn());

        // Bar 3 (9): fast 9 < slow 10.5 -> short: ONE transition 1 -> −1 with Δ = 2:
        // tc = 2·10/10⁴ = 0.002, sc = 2·5/10⁴ = 0.001, fill = 9 · (1 − 5/10⁴) ≈ 8.9955 (a sale).
        // gross = 1 · (9/12 − 1) = −0.25, net = −0.25 − 0.002 − 0.001 = −0.253.
        BarResult b3 = bars.get(2);
        assertTransition(b3.transition(), 2 * MINUTE, 1, -1, 9.0, 9.0 * (1 + (-1) * 5.0 / 1e4), 0.002, 0.001,
                Reason.SIGNAL);
        assertEquals(8.9955, b3.transition().fillPrice(), 1e-12);
        assertEquals(-0.25, b3.metric().grossReturn());
        assertEquals(-0.25 - 0.002 - 0.001, b3.metric().netReturn());
        double equity3 = equity2 * (1 + (-0.25 - 0.002 - 0.001));
        assertEquals(equity3 - 1, b3.metric().cumulativeReturn());
        assertEquals(equity3 / 1.0 - 1, b3.metric().drawdown()); // the peak is still the initial 1

        // Bar 4 (9): fast 9 == slow 9, the short regime is kept. Short and unchanged price:
        // gross = −1 · (9/9 − 1) = −1 · 0.0 = −0.0, exactly as the SPEC's formula evaluates.
        BarResult b4 = bars.get(3);
        assertNull(b4.transition());
        assertEquals(-0.0, b4.metric().grossReturn());
        assertEquals(-0.0, b4.metric().netReturn());
        assertEquals(equity3 - 1, b4.metric().cumulativeReturn());

        // Bar 5 (11): back to long, Δ = 2 again; fill = 11 · (1 + 5/10⁴) ≈ 11.0055.
        // gross = −1 · (11/9 − 1) ≈ −0.2222.
        BarResult b5 = bars.get(4);
        assertTransition(b5.transition(), 4 * MINUTE, -1, 1, 11.0, 11.0 * (1 + 1 * 5.0 / 1e4), 0.002, 0.001,
                Reason.SIGNAL);
        assertEquals(11.0055, b5.transition().fillPrice(), 1e-12);
        assertEquals(-1 * (11.0 / 9.0 - 1), b5.metric().grossReturn());
        assertEquals(-0.2222222222222222, b5.metric().grossReturn(), 1e-15);
    }

    @Test
    void exitWithoutShortingSellsAtTheSlippedPrice() {
        // Same closes without allow_short: bar 3 exits to flat with Δ = 1.
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2).withCosts(10, 5));
        List<BarResult> bars = feed(strategy, "10", "12", "9", "8");
        assertEquals(List.of(0, 1, 0, 0), positions(bars));
        assertTransition(bars.get(2).transition(), 2 * MINUTE, 1, 0, 9.0, 9.0 * (1 + (-1) * 5.0 / 1e4), 0.001,
                0.0005, Reason.SIGNAL);
        assertEquals(8.9955, bars.get(2).transition().fillPrice(), 1e-12);
        // Bar 3 carries the exit costs and the long's last return 9/12 − 1 = −0.25.
        assertEquals(-0.25 - 0.001 - 0.0005, bars.get(2).metric().netReturn());
        // Bar 4 (8): flat while the price falls: gross = 0 · (8/9 − 1) = −0.0 (the SPEC's formula).
        assertEquals(-0.0, bars.get(3).metric().grossReturn());
        assertEquals(0.0, bars.get(3).metric().transactionCost());
    }

    @Test
    void exactlyEqualSmasKeepThePreviousRegimeAndCountTowardItsStreak() {
        // F=1, S=2, confirmation 2. Closes 10, 10, 10, 11, 11, 11.
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2).withConfirmation(2));
        String[] closes = {"10", "10", "10", "11", "11", "11"};
        // Bar 2-3: equal SMAs and no previous regime -> stays undefined (no streak).
        // Bar 4: 11 > 10.5 -> +1, streak 1 (not confirmed). Bar 5: 11 == 11 keeps +1, streak 2 ->
        // confirmed: long at 11. Bar 6: still equal, streak 3.
        Integer[] regimes = {U, U, U, 1, 1, 1};
        long[] streaks = {0, 0, 0, 1, 2, 3};
        int[] expectedPositions = {0, 0, 0, 0, 1, 1};
        for (int i = 0; i < closes.length; i++) {
            BarResult r = strategy.onBar(i * MINUTE, ScaledPrice.parse(closes[i]));
            assertEquals(regimes[i] == null ? SmaCrossState.REGIME_UNDEFINED : regimes[i], strategy.state().regime,
                    "regime at bar " + (i + 1));
            assertEquals(streaks[i], strategy.state().streak, "streak at bar " + (i + 1));
            assertEquals(expectedPositions[i], r.metric().position(), "position at bar " + (i + 1));
            if (i == 4) {
                assertTransition(r.transition(), 4 * MINUTE, 0, 1, 11.0, 11.0, 0.0, 0.0, Reason.SIGNAL);
            } else {
                assertNull(r.transition(), "no transition at bar " + (i + 1));
            }
        }
    }

    @Test
    void aDecimalTieThatNaiveDoubleSumsWouldBreakKeepsThePreviousRegime() {
        // F=2, S=4, confirmation 1. Closes 900, 970.00, 976.26, 970.00, 976.26.
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(2, 4));
        List<BarResult> bars = feed(strategy, "900", "970.00", "976.26", "970.00", "976.26");

        // Bar 4: fast (976.26 + 970)/2 = 973.13 > slow (900 + 970 + 976.26 + 970)/4 = 954.065 -> long.
        assertTransition(bars.get(3).transition(), 3 * MINUTE, 0, 1, 970.0, 970.0, 0.0, 0.0, Reason.SIGNAL);
        assertEquals(954.065, bars.get(3).metric().smaSlow());

        // Bar 5: fast (970.00 + 976.26)/2 = 973.13 and slow (970.00 + 976.26 + 970.00 + 976.26)/4
        // = 3892.52/4 = 973.13: exactly equal decimals, so the long regime is kept.
        BarResult tie = bars.get(4);
        assertEquals(973.13, tie.metric().smaFast());
        assertEquals(973.13, tie.metric().smaSlow());
        assertEquals(1, tie.metric().position());
        assertNull(tie.transition());
        assertEquals(1, strategy.state().regime);
        assertEquals(2, strategy.state().streak);

        // A naive double implementation disagrees: it sees fast < slow and would have exited.
        double naiveFast = (970.00 + 976.26) / 2;
        double naiveSlow = (((970.00 + 976.26) + 970.00) + 976.26) / 4;
        assertTrue(naiveFast < naiveSlow, naiveFast + " vs " + naiveSlow);
        assertEquals(973.13, naiveFast);
        assertEquals(973.1300000000001, naiveSlow);
    }

    @Test
    void maxDrawdownHaltsFromTheNextBarUntilParamsAreUpdated() {
        // F=1, S=2, confirmation 2, 10 bps transaction cost, no slippage, max_drawdown 0.2.
        StrategyParams params = StrategyParams.of(1, 2).withConfirmation(2).withCosts(10, 0).withMaxDrawdown(0.2);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        List<BarResult> bars = feed(strategy, "10", "11", "12", "9", "10", "11", "12");

        // Bar 3 (12): +1 confirmed (streak 2): long at 12, tc 0.001 -> equity 0.999.
        double equity3 = 1.0 * (1 + (0.0 - 0.001 - 0.0));
        assertTransition(bars.get(2).transition(), 2 * MINUTE, 0, 1, 12.0, 12.0, 0.001, 0.0, Reason.SIGNAL);
        assertEquals(equity3 - 1, bars.get(2).metric().cumulativeReturn());

        // Bar 4 (9): bearish but unconfirmed (streak 1 < 2): still long. gross = 9/12 − 1 = −0.25,
        // equity 0.999 · 0.75 = 0.74925, drawdown ≈ −0.25075 < −0.2: the halt triggers HERE.
        BarResult b4 = bars.get(3);
        double equity4 = equity3 * (1 + (-0.25 - 0.0 - 0.0));
        assertEquals(1, b4.metric().position());
        assertNull(b4.transition());
        assertEquals(equity4 / 1.0 - 1, b4.metric().drawdown());
        assertEquals(-0.25075, b4.metric().drawdown(), 1e-15);
        assertTrue(b4.riskHaltTriggered());

        // Bar 5 (10): forced flat without confirmation, reason RISK_LIMIT; it still earns the long's
        // return 10/9 − 1 and carries the exit cost 0.001.
        BarResult b5 = bars.get(4);
        assertTransition(b5.transition(), 4 * MINUTE, 1, 0, 10.0, 10.0, 0.001, 0.0, Reason.RISK_LIMIT);
        assertEquals(1 * (10.0 / 9.0 - 1), b5.metric().grossReturn());
        assertEquals((10.0 / 9.0 - 1) - 0.001 - 0.0, b5.metric().netReturn());
        assertEquals(0, b5.metric().position());
        assertFalse(b5.riskHaltTriggered()); // one event per halt

        // Bars 6-7: bullish and confirmed (streak 2, 3), but halted: rows go on, position stays 0.
        for (BarResult halted : bars.subList(5, 7)) {
            assertEquals(0, halted.metric().position());
            assertNull(halted.transition());
            assertFalse(halted.riskHaltTriggered());
        }
        assertEquals(3, strategy.state().streak);
        assertTrue(strategy.isHaltedByRisk());

        // A parameter update lifts the halt; the regime (streak 4 >= 2) is re-entered at once.
        strategy.applyParams(params.withMaxDrawdown(0.3));
        assertFalse(strategy.isHaltedByRisk());
        BarResult b8 = strategy.onBar(7 * MINUTE, ScaledPrice.parse("13"));
        assertTransition(b8.transition(), 7 * MINUTE, 0, 1, 13.0, 13.0, 0.001, 0.0, Reason.SIGNAL);
        assertFalse(b8.riskHaltTriggered()); // drawdown ≈ −0.169, inside the new 0.3 limit
    }

    @Test
    void killSwitchFlattensAtTheLatestTickAndTheBarAccountsForIt() {
        // F=1, S=2, confirmation 2, 10 bps transaction cost, 5 bps slippage.
        StrategyParams params = StrategyParams.of(1, 2).withConfirmation(2).withCosts(10, 5);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        List<BarResult> bars = feed(strategy, "10", "11", "12"); // long at 12 on bar 3
        assertEquals(1, strategy.position());

        // Ticks inside bar 4 (minute 3): the latest by event time is 13 at +20 s; 12.5 at +10 s
        // arrives afterwards but is older.
        long bar4 = 3 * MINUTE;
        strategy.observeTick(bar4 + 20_000, ScaledPrice.parse("13"));
        strategy.observeTick(bar4 + 10_000, ScaledPrice.parse("12.5"));

        strategy.setKillSwitchEngaged(true);
        PositionTransition flatten = strategy.flatten(bar4 + 30_000, Reason.KILL_SWITCH);
        // Sale at 13: fill 13 · (1 − 5/10⁴) ≈ 12.9935, tc 0.001, sc 0.0005.
        assertTransition(flatten, bar4 + 30_000, 1, 0, 13.0, 13.0 * (1 + (-1) * 5.0 / 1e4), 0.001, 0.0005,
                Reason.KILL_SWITCH);
        assertEquals(12.9935, flatten.fillPrice(), 1e-12);
        assertNull(strategy.flatten(bar4 + 31_000, Reason.KILL_SWITCH), "already flat");

        // Bar 4 closes at 14: it accounts the long from 12 to the flatten price 13, and carries
        // the flatten's costs. Regime +1 (14 > 12) goes on counting (streak 3) but no position.
        BarResult b4 = strategy.onBar(bar4, ScaledPrice.parse("14"));
        assertEquals(0, b4.metric().position());
        assertNull(b4.transition());
        assertEquals(1 * (13.0 / 12.0 - 1), b4.metric().grossReturn());
        assertEquals(0.08333333333333326, b4.metric().grossReturn(), 1e-15);
        assertEquals(0.001, b4.metric().transactionCost());
        assertEquals(0.0005, b4.metric().slippageCost());
        assertEquals((13.0 / 12.0 - 1) - 0.001 - 0.0005, b4.metric().netReturn());
        assertEquals(3, strategy.state().streak);

        // Bar 5 (15): still engaged: flat, nothing earned or paid.
        BarResult b5 = strategy.onBar(4 * MINUTE, ScaledPrice.parse("15"));
        assertEquals(0, b5.metric().position());
        assertEquals(0.0, b5.metric().grossReturn()); // 0 · (15/14 − 1)
        assertEquals(0.0, b5.metric().transactionCost());
        assertEquals(4, strategy.state().streak);

        // Released: the +1 regime has held for 5 bars >= 2, so bar 6 re-enters at once.
        strategy.setKillSwitchEngaged(false);
        BarResult b6 = strategy.onBar(5 * MINUTE, ScaledPrice.parse("16"));
        assertTransition(b6.transition(), 5 * MINUTE, 0, 1, 16.0, 16.0 * (1 + 1 * 5.0 / 1e4), 0.001, 0.0005,
                Reason.SIGNAL);
        assertEquals(16.008, b6.transition().fillPrice(), 1e-12);
        assertEquals(List.of(0, 0, 1), positions(bars));
    }

    @Test
    void aBarAfterFlattenAndReleaseCarriesBothTheFlattenAndTheReEntryCosts() {
        StrategyParams params = StrategyParams.of(1, 2).withCosts(10, 5);
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        feed(strategy, "10", "12"); // long at 12
        strategy.observeTick(2 * MINUTE + 5_000, ScaledPrice.parse("13"));
        strategy.setKillSwitchEngaged(true);
        assertNotNull(strategy.flatten(2 * MINUTE + 6_000, Reason.KILL_SWITCH));
        strategy.setKillSwitchEngaged(false);

        // Bar 3 (14): gross = 1 · (13/12 − 1); re-entry at 14 (Δ = 1). Costs: flatten + entry.
        BarResult b3 = strategy.onBar(2 * MINUTE, ScaledPrice.parse("14"));
        assertEquals(1 * (13.0 / 12.0 - 1), b3.metric().grossReturn());
        assertEquals(0.001 + 0.001, b3.metric().transactionCost());
        assertEquals(0.0005 + 0.0005, b3.metric().slippageCost());
        assertEquals(1, b3.metric().position());
        // The transition row shows the entry's own costs only.
        assertTransition(b3.transition(), 2 * MINUTE, 0, 1, 14.0, 14.0 * (1 + 1 * 5.0 / 1e4), 0.001, 0.0005,
                Reason.SIGNAL);
    }

    @Test
    void runEndedFlattensAShortAtThePreviousCloseWhenNoTickWasObserved() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2).withAllowShort(true).withCosts(0, 5));
        feed(strategy, "10", "8"); // short at 8
        PositionTransition t = strategy.flatten(123L, Reason.RUN_ENDED);
        // Buying back a short pays up: fill = 8 · (1 + 5/10⁴) = 8.004.
        assertTransition(t, 123L, -1, 0, 8.0, 8.0 * (1 + 1 * 5.0 / 1e4), 0.0, 0.0005, Reason.RUN_ENDED);
        assertThrows(IllegalArgumentException.class, () -> strategy.flatten(124L, Reason.SIGNAL));
    }

    @Test
    void killSwitchEngagedWithoutAFlattenClosesThePositionAtTheNextBar() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2));
        feed(strategy, "10", "12"); // long
        strategy.setKillSwitchEngaged(true);
        BarResult b3 = strategy.onBar(2 * MINUTE, ScaledPrice.parse("13"));
        assertTransition(b3.transition(), 2 * MINUTE, 1, 0, 13.0, 13.0, 0.0, 0.0, Reason.KILL_SWITCH);
        assertEquals(13.0 / 12.0 - 1, b3.metric().grossReturn());
    }

    @Test
    void applyParamsWithLargerWindowsReseedsFromTheHeldCloses() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2));
        feed(strategy, "10", "12", "14"); // long since bar 2; the ring (S=2) holds 12, 14
        assertEquals(2, strategy.state().closes.ring.length);

        strategy.applyParams(StrategyParams.of(2, 3));
        assertEquals(3, strategy.state().closes.ring.length);
        // Bar 4 (16): the ring holds 12, 14, 16: fast (14 + 16)/2 = 15, slow (12 + 14 + 16)/3 = 14.
        BarResult b4 = strategy.onBar(3 * MINUTE, ScaledPrice.parse("16"));
        assertEquals(15.0, b4.metric().smaFast());
        assertEquals(14.0, b4.metric().smaSlow());
        assertEquals(1, b4.metric().position());
        assertEquals(3, strategy.state().streak); // +1 kept through the update
    }

    @Test
    void whileAReseededSmaIsUndefinedThePositionIsHeld() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2));
        feed(strategy, "10", "12", "14"); // long; the ring holds 12, 14
        strategy.applyParams(StrategyParams.of(2, 4));

        // Bar 4 (16): 3 closes held < 4: slow undefined -> regime undefined, streak 0, long held.
        BarResult b4 = strategy.onBar(3 * MINUTE, ScaledPrice.parse("16"));
        assertEquals(15.0, b4.metric().smaFast());
        assertNull(b4.metric().smaSlow());
        assertEquals(1, b4.metric().position());
        assertNull(b4.transition());
        assertEquals(SmaCrossState.REGIME_UNDEFINED, strategy.state().regime);
        assertEquals(0, strategy.state().streak);

        // Bar 5 (8): 12, 14, 16, 8: fast (16 + 8)/2 = 12 < slow 50/4 = 12.5 -> flat at 8.
        BarResult b5 = strategy.onBar(4 * MINUTE, ScaledPrice.parse("8"));
        assertEquals(12.0, b5.metric().smaFast());
        assertEquals(12.5, b5.metric().smaSlow());
        assertTransition(b5.transition(), 4 * MINUTE, 1, 0, 8.0, 8.0, 0.0, 0.0, Reason.SIGNAL);
    }

    @Test
    void applyParamsWithSmallerWindowsKeepsTheMostRecentCloses() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(2, 4));
        feed(strategy, "1", "2", "3", "4", "5"); // the ring holds 2, 3, 4, 5
        strategy.applyParams(StrategyParams.of(1, 2)); // keeps 4, 5
        BarResult next = strategy.onBar(5 * MINUTE, ScaledPrice.parse("6"));
        assertEquals(6.0, next.metric().smaFast());
        assertEquals(5.5, next.metric().smaSlow());
    }

    @Test
    void turningShortingOffTurnsAKeptShortRegimeIntoFlat() {
        StrategyParams shortParams = StrategyParams.of(1, 2).withAllowShort(true);
        SmaCrossStrategy strategy = new SmaCrossStrategy(shortParams);
        feed(strategy, "10", "8"); // short
        assertEquals(-1, strategy.state().regime);
        strategy.applyParams(shortParams.withAllowShort(false));
        assertEquals(0, strategy.state().regime);
        // Bar 3 (8): an exact tie keeps the (relabelled) bearish regime: flat, not short.
        BarResult b3 = strategy.onBar(2 * MINUTE, ScaledPrice.parse("8"));
        assertTransition(b3.transition(), 2 * MINUTE, -1, 0, 8.0, 8.0, 0.0, 0.0, Reason.SIGNAL);
    }

    @Test
    void barsMustArriveInTimeOrder() {
        SmaCrossStrategy strategy = new SmaCrossStrategy(StrategyParams.of(1, 2));
        strategy.onBar(MINUTE, ScaledPrice.parse("10"));
        assertThrows(IllegalStateException.class, () -> strategy.onBar(MINUTE, ScaledPrice.parse("11")));
        assertThrows(IllegalStateException.class, () -> strategy.onBar(0, ScaledPrice.parse("11")));
        assertThrows(IllegalArgumentException.class, () -> strategy.onBar(2 * MINUTE, 0));
    }

    @Test
    void resumingFromStoredStateContinuesExactly() {
        StrategyParams params = StrategyParams.of(2, 3).withCosts(3, 2).withAllowShort(true);
        String[] closes = {"10", "11", "12", "9", "8.5", "13", "13", "12.75", "14"};
        SmaCrossStrategy uninterrupted = new SmaCrossStrategy(params);
        List<BarResult> expected = feed(uninterrupted, closes);

        // Same bars, but a new strategy object (as the job builds per element) over the same state.
        SmaCrossState state = new SmaCrossState();
        List<BarResult> actual = new ArrayList<>();
        for (int i = 0; i < closes.length; i++) {
            actual.add(new SmaCrossStrategy(params, state).onBar(i * MINUTE, ScaledPrice.parse(closes[i])));
        }
        assertEquals(expected, actual);
    }
}
