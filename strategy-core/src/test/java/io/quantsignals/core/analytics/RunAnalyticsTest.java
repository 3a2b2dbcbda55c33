package io.quantsignals.core.analytics;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every analytic of {@link RunAnalytics} on small cases computed by hand (the arithmetic is in the
 * comments), plus the edge cases: no bars, one bar, all flat, an open trade at the end, tick bars.
 */
class RunAnalyticsTest {

    private static final double EPS = 1e-12;
    /** Bars of a quarter of a 365-day year: N_year = 4, √N_year = 2, which keeps the arithmetic by hand. */
    private static final long QUARTER = 31_536_000L / 4;
    private static final long MINUTE_MS = 60_000;

    /** Metric rows as SPEC §5.4 steps 6 and 7 derive them from close, position, gross return and costs. */
    private static final class Rows {
        final List<MetricRow> rows = new ArrayList<>();
        double equity = 1.0;
        double peak = 1.0;

        Rows bar(long time, double price, int position, double gross, double tc, double sc) {
            double net = (gross - tc) - sc;
            equity = equity * (1.0 + net);
            peak = Math.max(peak, equity);
            rows.add(new MetricRow(time, price, null, null, position, gross, tc, sc, net, equity - 1.0, equity / peak - 1.0));
            return this;
        }

        /** A bar whose return is r and that trades nothing: all of r is gross return. */
        Rows ret(long time, double price, int position, double r) {
            return bar(time, price, position, r, 0, 0);
        }
    }

    private static PositionTransition signal(long time, int from, int to, double price, double tc, double sc) {
        return new PositionTransition(time, from, to, price, price, tc, sc, Reason.SIGNAL);
    }

    private static RunAnalytics.SymbolResult one(long interval, List<MetricRow> rows, List<PositionTransition> transitions) {
        return RunAnalytics.of(interval, Map.of("X", rows), Map.of("X", transitions)).symbol("X");
    }

    @Test
    void returnFiguresOfAHandComputedSeries() {
        long q = QUARTER * 1000;
        // r = [0, 0.1, −0.1, 0.2], N_year = 4.
        // mean = 0.2 / 4 = 0.05; deviations −0.05, 0.05, −0.15, 0.15, squares sum 0.05;
        // sample variance 0.05 / 3, stdev 0.1290994; Sharpe = 0.05 / 0.1290994 · 2 = √0.6 = 0.7745967.
        // Downside: min(r, 0) = [0, 0, −0.1, 0], mean of squares 0.01 / 4 = 0.0025, deviation 0.05;
        // Sortino = 0.05 / 0.05 · 2 = 2.
        // Equity 1, 1.1, 0.99, 1.188: net return 0.188; drawdown at 0.99: 0.99 / 1.1 − 1 = −0.1.
        // Annualised: 1.188^(4 / 4) − 1 = 0.188; Calmar = 0.188 / 0.1 = 1.88.
        // Position [1, 1, 1, 0]: exposure 3 / 4. Closes 100 → 120: buy-and-hold 0.2.
        Rows rows = new Rows().ret(0, 100, 1, 0.0).ret(q, 105, 1, 0.1).ret(2 * q, 100, 1, -0.1).ret(3 * q, 120, 0, 0.2);
        List<PositionTransition> transitions = List.of(signal(0, 0, 1, 100, 0, 0), signal(3 * q, 1, 0, 120, 0, 0));
        RunAnalytics.SymbolResult r = one(QUARTER, rows.rows, transitions);
        Figures f = r.figures();

        assertEquals(4, f.bars());
        assertEquals(0L, f.firstTime());
        assertEquals(3 * q, f.lastTime());
        assertEquals(4.0, f.barsPerYear());
        assertEquals(Math.sqrt(0.6), f.sharpe(), EPS);
        assertEquals(2.0, f.sortino(), EPS);
        assertEquals(0.188, f.netReturn(), EPS);
        assertEquals(-0.1, f.maxDrawdown(), EPS);
        assertEquals(0.188, f.annualisedReturn(), EPS);
        assertEquals(1.88, f.calmar(), EPS);
        assertEquals(0.75, f.exposure());
        assertEquals(0.2, f.buyAndHold(), EPS);

        // One long round trip, entered at bar 0 and closed at bar 3: 1 · 1.1 · 0.9 · 1.2 − 1 = 0.188.
        assertEquals(1, r.roundTrips().size());
        RoundTrip t = r.roundTrips().get(0);
        assertTrue(t.closed());
        assertEquals(1, t.direction());
        assertEquals(0.188, t.pnl(), EPS);
        assertEquals(3 * q, t.durationMillis());
        assertEquals(120.0, t.exitPrice());
        assertEquals(Reason.SIGNAL, t.exitReason());
        TradeStats s = f.trades();
        assertEquals(1, s.closed());
        assertEquals(1.0, s.winRate());
        assertNull(s.profitFactor(), "no losing trade: undefined, not infinite");
        assertEquals(0.188, s.averagePnl(), EPS);
        assertEquals(3 * q, s.averageDurationMillis());
        assertEquals(t, s.best());
        assertEquals(t, s.worst());
    }

    @Test
    void roundTripsSplitAFlipsCostsAndCountAnOpenTradeAsOpen() {
        long m = MINUTE_MS;
        // Costs per unit traded: transaction 0.001, slippage 0.0005. Bar times in minutes: 0 1 2 3 6 10 11.
        Rows rows = new Rows()
                .bar(0, 100, 0, 0.0, 0, 0)                 // flat
                .bar(m, 100, 1, 0.0, 0.001, 0.0005)        // enter long (Δ 1): r = −0.0015
                .bar(2 * m, 102, 1, 0.02, 0, 0)            // r = 0.02
                .bar(3 * m, 103.02, -1, 0.01, 0.002, 0.001) // flip (Δ 2): the long earns 0.01, costs 0.003
                .bar(6 * m, 105.08, -1, -0.02, 0, 0)       // the short loses 0.02
                .bar(10 * m, 106.13, 0, -0.01, 0.001, 0.0005) // exit short: r = −0.0115
                .bar(11 * m, 106.13, 1, 0.0, 0.001, 0.0005); // enter long, still open at the end
        List<PositionTransition> transitions = List.of(signal(m, 0, 1, 100, 0.001, 0.0005),
                signal(3 * m, 1, -1, 103.02, 0.002, 0.001), signal(10 * m, -1, 0, 106.13, 0.001, 0.0005),
                signal(11 * m, 0, 1, 106.13, 0.001, 0.0005));
        RunAnalytics.SymbolResult r = one(60, rows.rows, transitions);
        List<RoundTrip> trips = r.roundTrips();
        assertEquals(3, trips.size());

        // Long, minute 1 → 3. Entry from flat: 1 + r = 0.9985. The flip's costs 0.003 split by units:
        // 0.0015 closes the long, 0.0015 opens the short. Exit factor 1 + (0.01 − 0.0015) = 1.0085.
        // PnL = 0.9985 · 1.02 · 1.0085 − 1 = 0.027126995.
        RoundTrip longTrade = trips.get(0);
        assertEquals(1, longTrade.direction());
        assertEquals(0.027126995, longTrade.pnl(), EPS);
        assertEquals(2 * m, longTrade.durationMillis());
        assertEquals(103.02, longTrade.exitPrice());

        // Short, minute 3 → 10: 1 − 0.0015 = 0.9985, then 1 − 0.02 = 0.98, then the exit bar 1 − 0.0115 = 0.9885.
        // PnL = 0.9985 · 0.98 · 0.9885 − 1 = −0.032723095.
        RoundTrip shortTrade = trips.get(1);
        assertEquals(-1, shortTrade.direction());
        assertEquals(-0.032723095, shortTrade.pnl(), EPS);
        assertEquals(7 * m, shortTrade.durationMillis());

        // Long from minute 11, open at the end: its entry costs so far, no exit.
        RoundTrip open = trips.get(2);
        assertFalse(open.closed());
        assertEquals(-0.0015, open.pnl(), EPS);
        assertNull(open.exitTime());
        assertNull(open.durationMillis());

        TradeStats s = r.figures().trades();
        assertEquals(2, s.closed(), "the open trade is not closed");
        assertEquals(1, s.wins());
        assertEquals(1, s.losses());
        assertEquals(0.5, s.winRate());
        // Profit factor = 0.027126995 / 0.032723095 = 0.8289862.
        assertEquals(0.027126995 / 0.032723095, s.profitFactor(), 1e-9);
        // Average PnL = (0.027126995 − 0.032723095) / 2 = −0.00279805; duration (2 + 7) / 2 = 4.5 min.
        assertEquals(-0.00279805, s.averagePnl(), EPS);
        assertEquals(270_000L, s.averageDurationMillis());
        assertEquals(longTrade, s.best());
        assertEquals(shortTrade, s.worst());
        assertEquals(List.of(open), s.open());
        // Exposure: positions 0 1 1 −1 −1 0 1 → 5 of 7 bars.
        assertEquals(5.0 / 7, r.figures().exposure(), EPS);
    }

    @Test
    void killSwitchAndRunEndedFlattensCloseTradesWithTheLegTheMetricsBook() {
        long m = MINUTE_MS;
        // The kill-switch file's time is the wall clock: in a replay it lies far after the bars (400 days).
        long fileTime = 400L * 86_400_000;
        // Transaction cost 0.001 per unit, no slippage.
        Rows rows = new Rows()
                .bar(0, 100, 0, 0.0, 0, 0)
                .bar(m, 100, 1, 0.0, 0.001, 0)      // enter long: r = −0.001
                .bar(2 * m, 105, 1, 0.05, 0, 0)     // r = 0.05
                // Flattened at 102.9 between bars (−2 % from 105), switch released, long again at this bar:
                // gross 1 · (102.9 / 105 − 1) = −0.02, costs: the flatten's 0.001 + the entry's 0.001.
                .bar(3 * m, 101, 1, -0.02, 0.002, 0)
                .bar(4 * m, 100, 1, 0.01, 0, 0);    // r = 0.01; then the run is ended at 103
        List<PositionTransition> transitions = List.of(signal(m, 0, 1, 100, 0.001, 0),
                signal(3 * m, 0, 1, 101, 0.001, 0),
                new PositionTransition(4 * m + 20_000, 1, 0, 103, 103, 0.001, 0, Reason.RUN_ENDED),
                new PositionTransition(fileTime, 1, 0, 102.9, 102.9, 0.001, 0, Reason.KILL_SWITCH));
        RunAnalytics.SymbolResult r = one(60, rows.rows, transitions);
        List<RoundTrip> trips = r.roundTrips();
        assertEquals(2, trips.size());

        // First long: 1 − 0.001 = 0.999, × 1.05, then the bar carrying the flatten, less the new entry's
        // share 0.001 of its costs: 1 + (−0.02 − (0.002 − 0.001)) = 0.979. PnL = 0.999 · 1.05 · 0.979 − 1 = 0.02692205.
        RoundTrip first = trips.get(0);
        assertEquals(0.02692205, first.pnl(), EPS);
        assertEquals(Reason.KILL_SWITCH, first.exitReason(), "the flatten, not the later RUN_ENDED");
        assertEquals(fileTime, first.exitTime());
        assertEquals(fileTime - m, first.durationMillis(), "exit time − entry time, wall clock or not");

        // Second long: entered by a flip-free re-entry on a bar that held a position in the metrics:
        // 1 − 0.001 = 0.999, × 1.01, then RUN_ENDED after the last bar, booked as the next bar would:
        // (1 · (103 / 100 − 1)) − 0.001 = 0.029. PnL = 0.999 · 1.01 · 1.029 − 1 = 0.03825071.
        RoundTrip second = trips.get(1);
        assertTrue(second.closed());
        assertEquals(0.03825071, second.pnl(), EPS);
        assertEquals(Reason.RUN_ENDED, second.exitReason());
        assertEquals(m + 20_000, second.durationMillis());
        assertEquals(2, r.figures().trades().closed());
        assertEquals(0.8, r.figures().exposure(), EPS);
    }

    @Test
    void portfolioIsEqualWeightOverTheSymbolsAtEveryBarTime() {
        long q = QUARTER * 1000;
        // A: bars at q1, q2, q3, equity 1, 1.1, 1.21, closes 10, 11, 12.1, positions 0 1 1.
        // B: bars at q2, q3, equity 1, 0.7, closes 50, 40, positions 0 1.
        Rows a = new Rows().ret(q, 10, 0, 0.0).ret(2 * q, 11, 1, 0.1).ret(3 * q, 12.1, 1, 0.1);
        Rows b = new Rows().ret(2 * q, 50, 0, 0.0).ret(3 * q, 40, 1, -0.3);
        Map<String, List<MetricRow>> bars = new LinkedHashMap<>();
        bars.put("A", a.rows);
        bars.put("B", b.rows);
        Map<String, List<PositionTransition>> transitions = Map.of(
                "A", List.of(signal(2 * q, 0, 1, 11, 0, 0)), "B", List.of(signal(3 * q, 0, 1, 40, 0, 0)));
        List<double[]> points = new ArrayList<>();
        RunAnalytics analytics = new RunAnalytics(QUARTER, List.of("A", "B"), transitions,
                (time, equity, hold, drawdown) -> points.add(new double[] {time, equity, hold, drawdown}));
        // Time order over both symbols.
        analytics.add("A", a.rows.get(0));
        analytics.add("B", b.rows.get(0));
        analytics.add("A", a.rows.get(1));
        analytics.add("A", a.rows.get(2));
        analytics.add("B", b.rows.get(1));
        RunAnalytics.Result result = analytics.finish();

        // Points (B counts 1 before its first bar): q1 (1 + 1) / 2 = 1; q2 (1.1 + 1) / 2 = 1.05;
        // q3 (1.21 + 0.7) / 2 = 0.955. Buy-and-hold: 1; (1.1 + 1) / 2 = 1.05; (1.21 + 0.8) / 2 = 1.005.
        // Drawdown at q3: 0.955 / 1.05 − 1 = −0.0904762.
        assertEquals(3, points.size());
        double[][] expected = {{q, 1.0, 1.0, 0.0}, {2 * q, 1.05, 1.05, 0.0}, {3 * q, 0.955, 1.005, 0.955 / 1.05 - 1}};
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(expected[i][k], points.get(i)[k], EPS, "point " + i + " value " + k);
            }
        }
        // Returns [0, 0.05, 0.955 / 1.05 − 1 = −0.0904762]: mean −0.0134921, sample stdev 0.0712033,
        // Sharpe = −0.0134921 / 0.0712033 · 2 = −0.3789727. Downside √((0.0904762²) / 3) = 0.0522365,
        // Sortino = −0.0134921 / 0.0522365 · 2 = −0.5165766. Annualised 0.955^(4 / 3) − 1 = −0.0595454,
        // Calmar = −0.0595454 / 0.0904762 = −0.6581335.
        Figures p = result.portfolio();
        assertEquals(3, p.bars());
        assertEquals(-0.045, p.netReturn(), EPS, "= the mean of the symbols' net returns (0.21 − 0.3) / 2");
        assertEquals(0.955 / 1.05 - 1, p.maxDrawdown(), EPS);
        assertEquals(-0.37897272396080783, p.sharpe(), 1e-9);
        assertEquals(-0.5165765566433502, p.sortino(), 1e-9);
        assertEquals(-0.0595454135425868, p.annualisedReturn(), 1e-9);
        assertEquals(-0.6581335181022743, p.calmar(), 1e-9);
        // Exposure: the mean of A's 2/3 and B's 1/2 = 7/12. Buy-and-hold: (0.21 + (−0.2)) / 2 = 0.005.
        assertEquals(7.0 / 12, p.exposure(), EPS);
        assertEquals(0.005, p.buyAndHold(), EPS);
        assertEquals(0.21, result.symbol("A").figures().buyAndHold(), EPS);
        // Trades pooled: both symbols hold an open long; nothing closed.
        assertEquals(0, p.trades().closed());
        assertEquals(2, p.trades().open().size());
        assertNull(p.trades().winRate());
    }

    @Test
    void tickBarsAreAnnualisedFromTheMedianBarSpacing() {
        // Bar times 0, 1, 3, 4, 10 s: spacings 1000, 2000, 1000, 6000 ms, median (1000 + 2000) / 2 = 1500 ms;
        // N_year = 31,536,000,000 ms / 1500 ms = 21,024,000.
        Rows rows = new Rows().ret(0, 1, 0, 0).ret(1000, 1, 0, 0).ret(3000, 1, 0, 0).ret(4000, 1, 0, 0).ret(10_000, 1, 0, 0);
        assertEquals(21_024_000.0, one(0, rows.rows, List.of()).figures().barsPerYear(), 1e-6);
        // Odd count: spacings 1000, 2000, 5000 → median 2000 ms → 15,768,000.
        Rows odd = new Rows().ret(0, 1, 0, 0).ret(1000, 1, 0, 0).ret(3000, 1, 0, 0).ret(8000, 1, 0, 0);
        assertEquals(15_768_000.0, one(0, odd.rows, List.of()).figures().barsPerYear(), 1e-6);
        assertEquals(525_600.0, RunAnalytics.barsPerYear(60));
        assertThrows(IllegalArgumentException.class, () -> RunAnalytics.barsPerYear(0));
    }

    @Test
    void edgeCasesAreNullNotNaN() {
        // No bars at all.
        RunAnalytics.Result empty = RunAnalytics.of(60, Map.of(), Map.of());
        assertTrue(empty.symbols().isEmpty());
        Figures none = empty.portfolio();
        assertEquals(0, none.bars());
        assertNull(none.netReturn());
        assertNull(none.sharpe());
        assertNull(none.annualisedReturn());
        assertNull(none.exposure());
        assertNull(none.buyAndHold());
        assertEquals(0, none.trades().closed());
        assertNull(none.trades().best());

        // One bar: no dispersion (Sharpe, Sortino null); equity 1 annualises to 0; no drawdown → no Calmar.
        Figures one = one(60, new Rows().ret(0, 100, 0, 0.0).rows, List.of()).figures();
        assertEquals(1, one.bars());
        assertNull(one.sharpe());
        assertNull(one.sortino());
        assertEquals(0.0, one.annualisedReturn());
        assertEquals(0.0, one.maxDrawdown());
        assertNull(one.calmar());
        assertEquals(0.0, one.exposure());
        assertEquals(0.0, one.buyAndHold());
        // One tick bar: no spacing, so no N_year and nothing annualised.
        Figures oneTick = one(0, new Rows().ret(0, 100, 0, 0.0).rows, List.of()).figures();
        assertNull(oneTick.barsPerYear());
        assertNull(oneTick.annualisedReturn());

        // All flat: every return 0 → stdev 0 and no downside; no trades.
        Rows flat = new Rows();
        for (int i = 0; i < 10; i++) {
            flat.ret(i * MINUTE_MS, 100 + i, 0, 0.0);
        }
        RunAnalytics.SymbolResult allFlat = one(60, flat.rows, List.of());
        assertNull(allFlat.figures().sharpe());
        assertNull(allFlat.figures().sortino());
        assertNull(allFlat.figures().calmar());
        assertEquals(0.0, allFlat.figures().annualisedReturn());
        assertEquals(0.0, allFlat.figures().exposure());
        assertEquals(0.09, allFlat.figures().buyAndHold(), EPS, "109 / 100 − 1: the benchmark moves anyway");
        assertTrue(allFlat.roundTrips().isEmpty());
        TradeStats noTrades = allFlat.figures().trades();
        assertEquals(0, noTrades.closed());
        assertNull(noTrades.winRate());
        assertNull(noTrades.profitFactor());
        assertNull(noTrades.averagePnl());
        assertNull(noTrades.averageDurationMillis());

        // Only gains: no downside deviation → Sortino null; Sharpe defined.
        Figures gains = one(60, new Rows().ret(0, 1, 1, 0.01).ret(MINUTE_MS, 1, 1, 0.02).rows, List.of()).figures();
        assertNull(gains.sortino());
        assertTrue(gains.sharpe() > 0);

        // A 1-minute run that doubled: 2^525600 overflows → annualised and Calmar null, not Infinity.
        Figures huge = one(60, new Rows().ret(0, 1, 1, 0.0).ret(MINUTE_MS, 1, 1, -0.5).ret(2 * MINUTE_MS, 1, 1, 3.0).rows,
                List.of()).figures();
        assertNull(huge.annualisedReturn());
        assertNull(huge.calmar());

        // A short that lost everything and more: equity −0.5 → annualised −100 %, Calmar −1 / 1.5.
        Figures wiped = one(60, new Rows().ret(0, 1, -1, 0.0).ret(MINUTE_MS, 2.5, -1, -1.5).rows, List.of()).figures();
        assertEquals(-1.0, wiped.annualisedReturn());
        assertEquals(-1.0 / 1.5, wiped.calmar(), EPS);
    }

    @Test
    void refusesBarsOutOfOrderAndUnknownSymbols() {
        RunAnalytics analytics = new RunAnalytics(60, List.of("A"), Map.of(), null);
        analytics.add("A", new Rows().ret(MINUTE_MS, 1, 0, 0).rows.get(0));
        assertThrows(IllegalArgumentException.class, () -> analytics.add("A", new Rows().ret(0, 1, 0, 0).rows.get(0)));
        assertThrows(IllegalArgumentException.class, () -> analytics.add("B", new Rows().ret(MINUTE_MS, 1, 0, 0).rows.get(0)));
    }

    @Test
    void roundTripsOfARealBacktestCompoundToTheEquityWithoutFlips() {
        // A long-only backtest: every trade enters from flat and exits to flat, so each bar's net return
        // belongs to one trade or to none (flat bars earn 0), and the trades compound to the symbol's equity.
        StrategyParams params = StrategyParams.of(3, 8).withCosts(10, 5);
        List<Backtest.Tick> ticks = new ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        double price = 100;
        for (int i = 0; i < 600; i++) {
            price *= Math.exp((i / 50 % 2 == 0 ? 0.002 : -0.002) + random.nextGaussian() * 0.004);
            ticks.add(new Backtest.Tick("BTC", i * MINUTE_MS, Math.round(price * 1e8)));
        }
        Backtest.SymbolResult backtest = Backtest.run(params, ticks).get("BTC");
        SortedMap<String, List<MetricRow>> bars = new TreeMap<>(Map.of("BTC", backtest.metrics()));
        RunAnalytics.SymbolResult r = RunAnalytics.of(60, bars, Map.of("BTC", backtest.transitions())).symbol("BTC");

        assertTrue(r.roundTrips().size() >= 5, "trades: " + r.roundTrips().size());
        double product = 1;
        for (RoundTrip t : r.roundTrips()) {
            product *= 1 + t.pnl();
        }
        MetricRow last = backtest.metrics().get(backtest.metrics().size() - 1);
        assertEquals(1 + last.cumulativeReturn(), product, 1e-12);
        long entries = backtest.transitions().stream().filter(t -> t.toPosition() != 0).count();
        assertEquals(entries, r.roundTrips().size(), "one round trip per entry");
        assertEquals(last.cumulativeReturn(), r.figures().netReturn());
    }
}
