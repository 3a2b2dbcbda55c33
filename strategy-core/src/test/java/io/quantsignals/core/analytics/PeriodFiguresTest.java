package io.quantsignals.core.analytics;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.MetricRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PeriodFigures}: every merged figure on periods written by hand (the arithmetic in the
 * comments), and, for periods built from a real backtest's metric rows, equality with
 * {@link RunAnalytics} per symbol to a relative 1e-9.
 */
class PeriodFiguresTest {

    private static final double EPS = 1e-12;
    private static final long DAY = PeriodSummary.PERIOD_MILLIS;
    /** Bars of a quarter of a 365-day year: N_year = 4. */
    private static final long QUARTER = 31_536_000L / 4;

    /** A period with no trades. */
    private static PeriodSummary period(String symbol, long day, long bars, long first, long last, double mean, double m2,
            double downside, double start, double end, double max, double min, double periodDd, double minDd, long exposed,
            double firstClose, double lastClose) {
        return new PeriodSummary("run", symbol, day * DAY, bars, first, last, mean, m2, downside, start, end, max, min,
                periodDd, minDd, exposed, firstClose, lastClose, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null);
    }

    private static PeriodSummary withTrades(PeriodSummary p, int closed, int won, int lost, double wonPnl, double lostPnl,
            double pnlSum, long durations, Double best, Long bestEntry, Long bestDuration, Double worst, Long worstEntry,
            Long worstDuration) {
        return new PeriodSummary(p.runId(), p.symbol(), p.periodStart(), p.bars(), p.firstBarTime(), p.lastBarTime(),
                p.returnMean(), p.returnM2(), p.downsideSquares(), p.startEquity(), p.endEquity(), p.maxEquity(),
                p.minEquity(), p.periodDrawdown(), p.minDrawdown(), p.exposedBars(), p.firstClose(), p.lastClose(), closed,
                won, lost, wonPnl, lostPnl, pnlSum, durations, best, bestEntry, bestDuration, worst, worstEntry, worstDuration);
    }

    /**
     * r = [0, 0.1 | −0.1, 0.2] in two periods (RunAnalyticsTest's series): equity 1, 1.1 | 0.99, 1.188.
     * Period A: n 2, mean 0.05, M2 = 0.05² + 0.05² = 0.005, no downside, closes 100 → 105, both bars long.
     * Period B: n 2, mean 0.05, M2 = 0.15² + 0.15² = 0.045, downside 0.1² = 0.01, start 1.1, min 0.99,
     * period drawdown 0.99 / 1.1 − 1 = −0.1, closes 100 → 120, one bar long.
     */
    private static List<PeriodSummary> twoPeriods() {
        return List.of(
                period("X", 0, 2, 0, 1000, 0.05, 0.005, 0, 1.0, 1.1, 1.1, 1.0, 0, 0, 2, 100, 105),
                period("X", 1, 2, DAY, DAY + 1000, 0.05, 0.045, 0.01, 1.1, 1.188, 1.188, 0.99, -0.1, -0.1, 1, 100, 120));
    }

    @Test
    void wholeRunMergesTheSumsLikeOneSeries() {
        Figures f = PeriodFigures.of(twoPeriods(), QUARTER);
        // Merged: n 4, δ = 0, mean 0.05, M2 = 0.005 + 0.045 = 0.05; stdev √(0.05 / 3);
        // Sharpe = 0.05 / 0.1290994 · √4 = √0.6; Sortino = 0.05 / √(0.01 / 4) · 2 = 2.
        assertEquals(4, f.bars());
        assertEquals(0L, f.firstTime());
        assertEquals(DAY + 1000, f.lastTime());
        assertEquals(4.0, f.barsPerYear(), EPS);
        assertEquals(Math.sqrt(0.6), f.sharpe(), EPS);
        assertEquals(2.0, f.sortino(), EPS);
        // Net 1.188 / 1 − 1; annualised 1.188^(4/4) − 1; max drawdown the least min_drawdown; Calmar 0.188 / 0.1.
        assertEquals(0.188, f.netReturn(), EPS);
        assertEquals(0.188, f.annualisedReturn(), EPS);
        assertEquals(-0.1, f.maxDrawdown(), EPS);
        assertEquals(1.88, f.calmar(), EPS);
        // Exposure 3 / 4; buy-and-hold: the first period's first close 100 → the last's last close 120.
        assertEquals(0.75, f.exposure(), EPS);
        assertEquals(0.2, f.buyAndHold(), EPS);
        assertEquals(0, f.trades().closed());
        assertNull(f.trades().winRate());
    }

    @Test
    void meansThatDifferMergeWithTheParallelCorrection() {
        // A: r = [0.1, 0.3] (mean 0.2, M2 0.02); B: r = [−0.2] (mean −0.2, M2 0).
        // All three: mean 0.2 / 3 = 0.0666667; M2 = Σ (r − mean)² = 0.0011111 + 0.0544444 + 0.0711111 = 0.1266667,
        // and by the merge: 0.02 + 0 + 0.4² · 2 · 1 / 3 = 0.02 + 0.1066667. Sample variance 0.0633333.
        List<PeriodSummary> p = List.of(
                period("X", 0, 2, 0, 1, 0.2, 0.02, 0, 1.0, 1.43, 1.43, 1.1, 0, 0, 2, 1, 1),
                period("X", 1, 1, DAY, DAY, -0.2, 0, 0.04, 1.43, 1.144, 1.144, 1.144, -0.2, -0.2, 0, 1, 1));
        Figures f = PeriodFigures.of(p, QUARTER);
        double mean = 0.2 / 3;
        assertEquals(mean / Math.sqrt(0.38 / 3 / 2) * 2, f.sharpe(), 1e-12);
        // Downside √(0.04 / 3).
        assertEquals(mean / Math.sqrt(0.04 / 3) * 2, f.sortino(), 1e-12);
        // Annualised over 3 bars: 1.144^(4/3) − 1.
        assertEquals(Math.pow(1.144, 4.0 / 3) - 1, f.annualisedReturn(), EPS);
    }

    @Test
    void aWindowThatStartsMidRunIsRebasedToItsStartEquity() {
        Figures f = PeriodFigures.window(twoPeriods(), DAY, 2 * DAY, QUARTER);
        // Period B alone: n 2, mean 0.05, stdev √0.045 = 0.2121320: Sharpe = 0.05 / 0.2121320 · 2 = 0.4714045;
        // downside √(0.01 / 2) = 0.0707107: Sortino = 0.05 / 0.0707107 · 2 = 1.4142136.
        assertEquals(2, f.bars());
        assertEquals(DAY, f.firstTime());
        assertEquals(0.05 / Math.sqrt(0.045) * 2, f.sharpe(), EPS);
        assertEquals(Math.sqrt(2), f.sortino(), EPS);
        // Net 1.188 / 1.1 − 1 = 0.08; annualised 1.08^(4/2) − 1 = 0.1664; drawdown from the window's start
        // equity: min(0.99 / 1.1 − 1, −0.1) = −0.1; Calmar 1.664.
        assertEquals(0.08, f.netReturn(), EPS);
        assertEquals(0.1664, f.annualisedReturn(), EPS);
        assertEquals(-0.1, f.maxDrawdown(), EPS);
        assertEquals(1.664, f.calmar(), EPS);
        assertEquals(0.5, f.exposure(), EPS);
        assertEquals(0.2, f.buyAndHold(), EPS);
        // The bounds: [from, to) of period starts.
        assertEquals(4, PeriodFigures.window(twoPeriods(), 0, DAY + 1, QUARTER).bars());
        assertEquals(2, PeriodFigures.window(twoPeriods(), 0, DAY, QUARTER).bars());
    }

    @Test
    void maxDrawdownOfAWindowKeepsARunningPeakAcrossItsPeriods() {
        // The run peaks at 1.5 in period 0 and ends it at 1.0. Period 1: equity 0.9, 1.2, 1.05 (max 1.2,
        // min 0.9; its own drawdown from max(start 1.0, peak so far): −0.1, 0, 1.05 / 1.2 − 1 = −0.125;
        // from the run's peak 1.5: 0.9 / 1.5 − 1 = −0.4). Period 2: start 1.05, equity 1.1, 1.0 (own
        // drawdown 1.0 / 1.1 − 1 = −0.0909; from the run's peak 1.0 / 1.5 − 1 = −0.3333).
        List<PeriodSummary> p = List.of(
                period("X", 0, 2, 0, 1, 0, 0, 0, 1.0, 1.0, 1.5, 1.0, -1.0 / 3, -1.0 / 3, 0, 1, 1),
                period("X", 1, 3, DAY, DAY + 2, 0, 0, 0, 1.0, 1.05, 1.2, 0.9, -0.125, -0.4, 0, 1, 1),
                period("X", 2, 2, 2 * DAY, 2 * DAY + 1, 0, 0, 0, 1.05, 1.0, 1.1, 1.0, 1.0 / 1.1 - 1, -1.0 / 3, 0, 1, 1));
        // Window of periods 1 and 2: P = 1.0; period 1: min(0.9 / 1.0 − 1, −0.125) = −0.125; P = 1.2;
        // period 2: min(1.0 / 1.2 − 1, −0.0909) = −0.1666667: the fall from period 1's peak to period 2's low.
        assertEquals(1.0 / 1.2 - 1, PeriodFigures.window(p, DAY, 3 * DAY, QUARTER).maxDrawdown(), EPS);
        // Period 2 alone: P = 1.05; min(1.0 / 1.05 − 1, −0.0909) = −0.0909.
        assertEquals(1.0 / 1.1 - 1, PeriodFigures.window(p, 2 * DAY, 3 * DAY, QUARTER).maxDrawdown(), EPS);
        // From the run's start: the least min_drawdown, the drawdown column's own minimum.
        assertEquals(-0.4, PeriodFigures.of(p, QUARTER).maxDrawdown(), 0.0);
        assertEquals(-0.4, PeriodFigures.window(p, 0, 2 * DAY, QUARTER).maxDrawdown(), 0.0);
        // Net return of periods 1..2: 1.0 / 1.0 − 1 = 0, so Calmar is 0 over a drawdown.
        assertEquals(0.0, PeriodFigures.window(p, DAY, 3 * DAY, QUARTER).netReturn(), EPS);
    }

    @Test
    void tradeStatisticsAddUpThePeriodsSums() {
        List<PeriodSummary> two = twoPeriods();
        // Period A: 2 closed (+0.05 entered at 100 for 1000 ms, −0.02 entered at 500 for 2000 ms).
        // Period B: 2 closed, both won (+0.05 entered at DAY + 10 for 4000 ms, +0.01 for 1 ms).
        List<PeriodSummary> p = List.of(
                withTrades(two.get(0), 2, 1, 1, 0.05, -0.02, 0.03, 3000, 0.05, 100L, 1000L, -0.02, 500L, 2000L),
                withTrades(two.get(1), 2, 2, 0, 0.06, 0, 0.06, 4001, 0.05, DAY + 10, 4000L, 0.01, DAY + 20, 1L));
        TradeStats t = PeriodFigures.of(p, QUARTER).trades();
        // 4 closed, 3 won, 1 lost: win rate 0.75; profit factor 0.11 / 0.02 = 5.5; average PnL 0.09 / 4;
        // average duration 7001 / 4 = 1750.25 → 1750 ms; best +0.05 twice: the earlier entry (100).
        assertEquals(4, t.closed());
        assertEquals(3, t.wins());
        assertEquals(1, t.losses());
        assertEquals(0.75, t.winRate(), EPS);
        assertEquals(5.5, t.profitFactor(), EPS);
        assertEquals(0.0225, t.averagePnl(), EPS);
        assertEquals(1750L, t.averageDurationMillis());
        assertEquals(0.05, t.best().pnl(), 0.0);
        assertEquals(100L, t.best().entryTime());
        assertEquals(1100L, t.best().exitTime());
        assertEquals(1000L, t.best().durationMillis());
        assertEquals(-0.02, t.worst().pnl(), 0.0);
        assertEquals(500L, t.worst().entryTime());
        assertEquals(0, t.best().direction(), "a summary does not know the direction");
        assertTrue(t.open().isEmpty());
        // Period B alone: no losses: profit factor undefined, win rate 1, worst +0.01.
        TradeStats b = PeriodFigures.window(p, DAY, 2 * DAY, QUARTER).trades();
        assertEquals(2, b.closed());
        assertEquals(1.0, b.winRate(), EPS);
        assertNull(b.profitFactor());
        assertEquals(0.01, b.worst().pnl(), 0.0);
        assertEquals(DAY + 10, b.best().entryTime());
    }

    @Test
    void tickBarsAreAnnualisedFromTheMeanBarSpacing() {
        // Bars at 0, 1000, 3000 | DAY, DAY + 1000: mean spacing (DAY + 1000) / 4 ms, where ReturnSeries
        // would take the median spacing (1000 + 2000) / 2: the sums cannot give a median.
        List<PeriodSummary> p = List.of(
                period("X", 0, 3, 0, 3000, 0.01, 0.001, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1),
                period("X", 1, 2, DAY, DAY + 1000, 0.01, 0.001, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1));
        assertEquals(31_536_000_000.0 / ((DAY + 1000) / 4.0), PeriodFigures.of(p, 0).barsPerYear(), 1e-6);
        // One bar: no spacing, no N_year, so no Sharpe, Sortino, annualised return or Calmar.
        Figures one = PeriodFigures.of(List.of(period("X", 0, 1, 5, 5, 0.01, 0, 0, 1, 1.01, 1.01, 1.01, 0, 0, 1, 1, 1)), 0);
        assertNull(one.barsPerYear());
        assertNull(one.sharpe());
        assertNull(one.annualisedReturn());
        assertNull(one.calmar());
        assertEquals(0.01, one.netReturn(), EPS);
    }

    @Test
    void undefinedFiguresAreNull() {
        // All flat: returns 0 → stdev 0 and no downside; no drawdown → no Calmar.
        Figures flat = PeriodFigures.of(List.of(period("X", 0, 3, 0, 2, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 10, 11)), 60);
        assertNull(flat.sharpe());
        assertNull(flat.sortino());
        assertNull(flat.calmar());
        assertEquals(0.0, flat.annualisedReturn(), EPS);
        assertEquals(0.1, flat.buyAndHold(), EPS);
        // An equity at or below 0 annualises to −100 %.
        Figures bust = PeriodFigures.of(List.of(period("X", 0, 2, 0, 1, -0.6, 0.08, 0.8, 1, -0.2, 1, -0.2, -1.2, -1.2, 2, 1, 1)), 60);
        assertEquals(-1.0, bust.annualisedReturn(), 0.0);
        // An empty window: no bars, every figure null but a fixed interval's N_year.
        Figures none = PeriodFigures.window(twoPeriods(), 5 * DAY, 6 * DAY, 60);
        assertEquals(0, none.bars());
        assertNull(none.netReturn());
        assertNull(none.exposure());
        assertNull(none.buyAndHold());
        assertNull(none.sharpe());
        assertEquals(525_600.0, none.barsPerYear(), EPS);
        assertEquals(0, none.trades().closed());
    }

    @Test
    void aRunOfSeveralSymbolsIsTheMeanOfTheDefinedPerSymbolFiguresWithTradesPooled() {
        List<PeriodSummary> x = twoPeriods();
        // Y: flat all along (Sharpe, Sortino, Calmar undefined), net return 0, one losing trade.
        List<PeriodSummary> y = List.of(withTrades(
                period("Y", 0, 4, 0, 3, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 50, 40), 1, 0, 1, 0, -0.04, -0.04, 10, -0.04, 1L, 10L,
                -0.04, 1L, 10L));
        Figures xs = PeriodFigures.of(x, QUARTER);
        Figures f = PeriodFigures.run(List.of(x, y), QUARTER);
        assertEquals(8, f.bars());
        assertEquals(0L, f.firstTime());
        assertEquals(DAY + 1000, f.lastTime());
        // Net (0.188 + 0) / 2; max drawdown (−0.1 + 0) / 2; buy-and-hold (0.2 − 0.2) / 2; exposure (0.75 + 0) / 2.
        assertEquals(0.094, f.netReturn(), EPS);
        assertEquals(-0.05, f.maxDrawdown(), EPS);
        assertEquals(0.0, f.buyAndHold(), EPS);
        assertEquals(0.375, f.exposure(), EPS);
        assertEquals((0.188 + 0.0) / 2, f.annualisedReturn(), EPS);
        // Defined for X only: X's value.
        assertEquals(xs.sharpe(), f.sharpe(), 0.0);
        assertEquals(xs.calmar(), f.calmar(), 0.0);
        // Trades pooled: Y's one loss; X has none.
        assertEquals(1, f.trades().closed());
        assertEquals(1, f.trades().losses());
        assertEquals("Y", f.trades().worst().symbol());
        // One symbol: its own figures.
        assertEquals(xs, PeriodFigures.run(List.of(x), QUARTER));
    }

    @Test
    void refusesPeriodsOutOfOrderOrOfTwoKeys() {
        List<PeriodSummary> p = twoPeriods();
        assertThrows(IllegalArgumentException.class, () -> PeriodFigures.of(List.of(p.get(1), p.get(0)), 60));
        PeriodSummary other = period("Z", 2, 1, 2 * DAY, 2 * DAY, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> PeriodFigures.of(List.of(p.get(0), p.get(1), other), 60));
        assertThrows(IllegalArgumentException.class, () -> PeriodFigures.of(p, -1));
    }

    // ---- against RunAnalytics on a real backtest -------------------------------------------------

    private static final long START = 1_717_200_000_000L; // 2024-06-01T00:00:00Z

    /** A seeded random walk with a slowly changing drift, one tick every {@code step} ms. */
    private static List<Backtest.Tick> walk(long seed, String symbol, int ticks, long step) {
        Random random = new Random(seed);
        List<Backtest.Tick> list = new ArrayList<>();
        double price = 100;
        double drift = 0;
        for (int i = 0; i < ticks; i++) {
            if (i % 120 == 0) {
                drift = random.nextGaussian() * 0.0004;
            }
            price *= Math.exp(drift + random.nextGaussian() * 0.004);
            list.add(new Backtest.Tick(symbol, START + 7 * 3_600_000L + i * step, Math.round(price * 1e8)));
        }
        return list;
    }

    private static StrategyParams params(String json) throws Exception {
        return StrategyParamsParser.parse(json, StrategyParamsParser.CostDefaults.ZERO);
    }

    private static void assertClose(Double expected, Double actual, String what) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, what);
            return;
        }
        assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-15, what);
    }

    private static void assertSameFigures(Figures expected, Figures actual, boolean withTrades) {
        assertEquals(expected.bars(), actual.bars());
        assertEquals(expected.firstTime(), actual.firstTime());
        assertEquals(expected.lastTime(), actual.lastTime());
        assertClose(expected.netReturn(), actual.netReturn(), "net return");
        assertClose(expected.maxDrawdown(), actual.maxDrawdown(), "max drawdown");
        assertClose(expected.barsPerYear(), actual.barsPerYear(), "N_year");
        assertClose(expected.annualisedReturn(), actual.annualisedReturn(), "annualised");
        assertClose(expected.sharpe(), actual.sharpe(), "sharpe");
        assertClose(expected.sortino(), actual.sortino(), "sortino");
        assertClose(expected.calmar(), actual.calmar(), "calmar");
        assertClose(expected.exposure(), actual.exposure(), "exposure");
        assertClose(expected.buyAndHold(), actual.buyAndHold(), "buy-and-hold");
        if (!withTrades) {
            return;
        }
        TradeStats e = expected.trades();
        TradeStats a = actual.trades();
        assertEquals(e.closed(), a.closed());
        assertEquals(e.wins(), a.wins());
        assertEquals(e.losses(), a.losses());
        assertClose(e.winRate(), a.winRate(), "win rate");
        assertClose(e.profitFactor(), a.profitFactor(), "profit factor");
        assertClose(e.averagePnl(), a.averagePnl(), "average PnL");
        assertEquals(e.averageDurationMillis(), a.averageDurationMillis());
        assertEquals(e.best().pnl(), a.best().pnl(), 0.0);
        assertEquals(e.best().entryTime(), a.best().entryTime());
        assertEquals(e.best().durationMillis(), a.best().durationMillis());
        assertEquals(e.worst().pnl(), a.worst().pnl(), 0.0);
        assertEquals(e.worst().entryTime(), a.worst().entryTime());
        assertEquals(e.worst().durationMillis(), a.worst().durationMillis());
    }

    @Test
    void periodsOfARealBacktestGiveRunAnalyticsFiguresPerSymbol() throws Exception {
        // About 45 days of 10-minute ticks in hourly bars, two symbols, costs, shorts: many trades and days.
        StrategyParams p = params("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"transaction_cost_bps\": 5,"
                + " \"slippage_bps\": 2, \"bar_interval_seconds\": 3600, \"allow_short\": true}");
        List<Backtest.Tick> ticks = new ArrayList<>(walk(7, "AAA", 6_480, 600_000));
        ticks.addAll(walk(8, "BBB", 6_000, 650_000));
        ticks.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
        SortedMap<String, Backtest.SymbolResult> results = Backtest.run(p, ticks);
        for (Backtest.SymbolResult r : results.values()) {
            RunAnalytics.SymbolResult expected = RunAnalytics.of(3600, Map.of(r.symbol(), r.metrics()),
                    Map.of(r.symbol(), r.transitions())).symbol(r.symbol());
            assertTrue(expected.figures().trades().closed() > 10, "a test with trades");
            assertTrue(expected.figures().trades().losses() > 0, "and losses");
            List<PeriodSummary> periods = SummaryRows.of("run", r.symbol(), r.metrics(), expected.roundTrips());
            assertTrue(periods.size() >= 44, "about 45 days: " + periods.size());
            Figures actual = PeriodFigures.of(periods, 3600);
            assertSameFigures(expected.figures(), actual, true);
            // The whole run's drawdown is the column's minimum exactly.
            assertEquals(expected.figures().maxDrawdown(), actual.maxDrawdown(), 0.0);

            // A window that starts mid-run equals RunAnalytics of the same bars rebased to the window's
            // start equity (returns as they are, equity and peak from the window's start).
            long from = periods.get(10).periodStart();
            long to = periods.get(30).periodStart();
            List<MetricRow> rebased = new ArrayList<>();
            double start = Double.NaN;
            double peak = 1.0;
            double previous = 1.0;
            for (MetricRow m : r.metrics()) {
                double equity = 1.0 + m.cumulativeReturn();
                long period = PeriodSummary.periodOf(m.metricTime());
                if (period >= from && period < to) {
                    if (Double.isNaN(start)) {
                        start = previous;
                    }
                    double e = equity / start;
                    peak = Math.max(peak, e);
                    rebased.add(new MetricRow(m.metricTime(), m.price(), null, null, m.position(), m.grossReturn(),
                            m.transactionCost(), m.slippageCost(), m.netReturn(), e - 1.0, e / peak - 1.0));
                }
                previous = equity;
            }
            Figures window = RunAnalytics.of(3600, Map.of(r.symbol(), rebased), Map.of()).symbol(r.symbol()).figures();
            assertSameFigures(window, PeriodFigures.window(periods, from, to, 3600), false);
            long closedInWindow = expected.roundTrips().stream()
                    .filter(t -> t.closed() && t.exitTime() >= from && t.exitTime() < to).count();
            assertEquals(closedInWindow, PeriodFigures.window(periods, from, to, 3600).trades().closed());
        }
        // The run's figure: the mean of the two symbols' per-symbol figures.
        List<List<PeriodSummary>> both = new ArrayList<>();
        double netSum = 0;
        for (Backtest.SymbolResult r : results.values()) {
            RunAnalytics.SymbolResult s = RunAnalytics.of(3600, Map.of(r.symbol(), r.metrics()),
                    Map.of(r.symbol(), r.transitions())).symbol(r.symbol());
            both.add(SummaryRows.of("run", r.symbol(), r.metrics(), s.roundTrips()));
            netSum += s.figures().netReturn();
        }
        assertClose(netSum / 2, PeriodFigures.run(both, 3600).netReturn(), "mean net return");
    }

    @Test
    void evenlySpacedTickBarsMatchRunAnalyticsToo() throws Exception {
        // Tick bars one minute apart: the mean spacing is the median, so N_year agrees.
        StrategyParams p = params("{\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"bar_interval_seconds\": 0,"
                + " \"transaction_cost_bps\": 1}");
        Backtest.SymbolResult r = Backtest.run(p, walk(3, "AAA", 4_000, 60_000)).get("AAA");
        RunAnalytics.SymbolResult expected = RunAnalytics.of(0, Map.of("AAA", r.metrics()), Map.of("AAA", r.transitions()))
                .symbol("AAA");
        List<PeriodSummary> periods = SummaryRows.of("run", "AAA", r.metrics(), expected.roundTrips());
        assertSameFigures(expected.figures(), PeriodFigures.of(periods, 0), true);
    }

    @Test
    void periodsOfTheJobsAccumulatorGiveRunAnalyticsFiguresToo() throws Exception {
        // The same as above with the rows the job writes: SummaryAccumulator fed as the job feeds it
        // (a bar's own transition before the bar), the open period taken at the end.
        StrategyParams p = params("{\"sma_fast_window\": 4, \"sma_slow_window\": 15, \"transaction_cost_bps\": 5,"
                + " \"slippage_bps\": 2, \"bar_interval_seconds\": 3600, \"allow_short\": true}");
        Backtest.SymbolResult r = Backtest.run(p, walk(21, "AAA", 6_480, 600_000)).get("AAA");
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), "run", "AAA");
        List<PeriodSummary> periods = new ArrayList<>();
        int next = 0;
        for (MetricRow m : r.metrics()) {
            while (next < r.transitions().size() && r.transitions().get(next).eventTime() == m.metricTime()) {
                acc.transition(r.transitions().get(next++));
            }
            PeriodSummary done = acc.bar(m);
            if (done != null) {
                periods.add(done);
            }
        }
        periods.add(acc.current());
        RunAnalytics.SymbolResult expected = RunAnalytics.of(3600, Map.of("AAA", r.metrics()), Map.of("AAA", r.transitions()))
                .symbol("AAA");
        assertTrue(expected.figures().trades().closed() > 10);
        assertSameFigures(expected.figures(), PeriodFigures.of(periods, 3600), true);
        assertEquals(expected.figures().maxDrawdown(), PeriodFigures.of(periods, 3600).maxDrawdown(), 0.0);
        // And the accumulator's rows are the test's own builder's.
        assertEquals(SummaryRows.of("run", "AAA", r.metrics(), expected.roundTrips()), periods);
    }
}
