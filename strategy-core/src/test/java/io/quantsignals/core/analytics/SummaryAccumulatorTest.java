package io.quantsignals.core.analytics;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.Backtest;
import io.quantsignals.core.strategy.BarResult;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SummaryAccumulator} against an independent computation: the strategy (or the reference
 * {@link Backtest}) over seeded random walks of several UTC days, the accumulator fed as the job
 * feeds it, and each period's columns recomputed directly from the metric rows by their definitions
 * (PeriodSummary's javadoc) with the trade columns from {@link RunAnalytics}' round trips bucketed by
 * the period of the bar that booked their exit. The doubles are compared bit for bit: the test sums
 * in bar order with the same formulas (Welford's is the definition of mean and M2). Plus hand-computed
 * cases of a few bars and one trade.
 */
class SummaryAccumulatorTest {

    private static final String RUN = "6f1c2a9e-0000-4000-8000-000000000001";
    private static final String SYMBOL = "BTC";
    private static final long HOUR = 3_600_000L;
    private static final long DAY = PeriodSummary.PERIOD_MILLIS;
    /** 2024-01-01T00:00:00Z: the replayed bars' days. */
    private static final long D = 1_704_067_200_000L;
    /** 2026-12-06: a kill-switch file's (wall-clock) time, far after a replay's bars (contract §8). */
    private static final long WALL_CLOCK = 1_796_550_000_000L;
    private static final double EPS = 1e-12;

    // ---------------------------------------------------------------------------------------------
    // Random walks through the strategy, against the metric rows and RunAnalytics.

    /**
     * One simulated (run, symbol).
     *
     * @param tickBars bar_interval_seconds 0 (params must say so too)
     * @param killSwitch engage the switch at a day boundary while a position is open, flatten, release later
     * @param wallClockFile the flatten's time is the file's wall-clock time (else a tick time just after the last bar)
     * @param runEnded a RUN_ENDED flatten after the last bar (when a position is open)
     */
    private record Scenario(StrategyParams params, long seed, int bars, boolean tickBars, boolean killSwitch,
            boolean wallClockFile, boolean runEnded) {
    }

    /** What a scenario produced: the rows as the job emits them, and what the accumulators returned. */
    private static final class Outcome {
        final List<MetricRow> metrics = new ArrayList<>();
        /** In emission order. */
        final List<PositionTransition> transitions = new ArrayList<>();
        /** A flatten's event time → the index of the bar that booked it (the last bar for one after it). */
        final Map<Long, Integer> flattenBookedBy = new HashMap<>();
        /** From an accumulator whose current() is called after every bar (it must change nothing). */
        final List<PeriodSummary> summaries = new ArrayList<>();
        /** From one that is never asked before the end. */
        final List<PeriodSummary> quietSummaries = new ArrayList<>();
        int riskHalts;
    }

    private static Outcome simulate(Scenario sc) {
        Random random = new Random(sc.seed());
        StrategyParams params = sc.params();
        SmaCrossStrategy strategy = new SmaCrossStrategy(params);
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        SummaryAccumulator quiet = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        Outcome out = new Outcome();
        long interval = params.barIntervalMillis();
        long time = D + (sc.tickBars() ? random.nextInt(1_000_000) : interval * random.nextInt(100));
        double price = 100;
        Long pendingFlatten = null;
        int releaseAt = -1;
        boolean killed = false;
        for (int i = 0; i < sc.bars(); i++) {
            if (i > 0) {
                long step = sc.tickBars() ? 1 + random.nextInt(600_000)
                        : interval * (random.nextInt(20) == 0 ? 2 + random.nextInt(40) : 1);
                long previous = time;
                time += step;
                boolean newDay = PeriodSummary.periodOf(time) != PeriodSummary.periodOf(previous);
                if (sc.killSwitch() && !killed && newDay && strategy.position() != 0 && i > sc.bars() / 4) {
                    // A tick after the last bar is the flatten's price; the switch is engaged now.
                    long tickTime = previous + 1;
                    strategy.observeTick(tickTime, Math.round(price * (1 + random.nextGaussian() * 0.003) * 1e8));
                    strategy.setKillSwitchEngaged(true);
                    long fileTime = sc.wallClockFile() ? WALL_CLOCK + i : tickTime;
                    PositionTransition f = strategy.flatten(fileTime, Reason.KILL_SWITCH);
                    emit(out, acc, quiet, f);
                    pendingFlatten = fileTime;
                    killed = true;
                    releaseAt = i + 5 + random.nextInt(30);
                }
                if (i == releaseAt) {
                    strategy.setKillSwitchEngaged(false);
                }
                if (strategy.isHaltedByRisk() && random.nextInt(200) == 0) {
                    strategy.applyParams(params);
                }
            }
            price *= Math.exp((i / 60 % 2 == 0 ? 0.001 : -0.001) + random.nextGaussian() * 0.004);
            long close = Math.round(price * 1e8);
            strategy.observeTick(time, close);
            BarResult r = strategy.onBar(time, close);
            if (r.riskHaltTriggered()) {
                out.riskHalts++;
            }
            if (r.transition() != null) {
                emit(out, acc, quiet, r.transition());
            }
            out.metrics.add(r.metric());
            if (pendingFlatten != null) {
                out.flattenBookedBy.put(pendingFlatten, i);
                pendingFlatten = null;
            }
            PeriodSummary done = acc.bar(r.metric());
            if (done != null) {
                out.summaries.add(done);
            }
            PeriodSummary quietDone = quiet.bar(r.metric());
            if (quietDone != null) {
                out.quietSummaries.add(quietDone);
            }
            PeriodSummary now = acc.current();
            assertEquals(now, acc.current(), "current() twice");
        }
        if (sc.runEnded()) {
            long tickTime = time + 1 + random.nextInt(1000);
            strategy.observeTick(tickTime, Math.round(price * (1 + random.nextGaussian() * 0.003) * 1e8));
            PositionTransition f = strategy.flatten(tickTime, Reason.RUN_ENDED);
            if (f != null) {
                emit(out, acc, quiet, f);
                out.flattenBookedBy.put(tickTime, out.metrics.size() - 1);
            }
        }
        PeriodSummary last = acc.current();
        assertEquals(last, acc.current(), "current() changes nothing");
        out.summaries.add(last);
        out.quietSummaries.add(quiet.current());
        return out;
    }

    private static void emit(Outcome out, SummaryAccumulator acc, SummaryAccumulator quiet, PositionTransition t) {
        if (t != null) {
            out.transitions.add(t);
            acc.transition(t);
            quiet.transition(t);
        }
    }

    /**
     * The periods recomputed from the rows: sums by the column definitions, in bar order; the trade
     * columns from RunAnalytics' closed round trips, each in the period of the bar that booked its exit.
     */
    private static List<PeriodSummary> expected(long barIntervalSeconds, List<MetricRow> metrics,
            List<PositionTransition> transitions, Map<Long, Integer> flattenBookedBy) {
        List<PositionTransition> stored = new ArrayList<>(transitions);
        stored.sort(Comparator.comparingLong(PositionTransition::eventTime)); // as stored: by event time
        RunAnalytics.SymbolResult analytics = RunAnalytics.of(barIntervalSeconds, Map.of(SYMBOL, metrics),
                Map.of(SYMBOL, stored)).symbol(SYMBOL);
        Map<Long, Integer> barByTime = new HashMap<>();
        for (int i = 0; i < metrics.size(); i++) {
            barByTime.put(metrics.get(i).metricTime(), i);
        }
        Map<Long, List<RoundTrip>> tradesByPeriod = new HashMap<>();
        for (RoundTrip t : analytics.roundTrips()) {
            if (!t.closed()) {
                continue;
            }
            Integer bar = flattenBookedBy.get(t.exitTime());
            if (bar == null) {
                bar = barByTime.get(t.exitTime());
            }
            assertNotNull(bar, "the bar that booked " + t);
            tradesByPeriod.computeIfAbsent(PeriodSummary.periodOf(metrics.get(bar).metricTime()), k -> new ArrayList<>())
                    .add(t);
        }
        Map<Long, List<Integer>> barsByPeriod = new LinkedHashMap<>();
        for (int i = 0; i < metrics.size(); i++) {
            barsByPeriod.computeIfAbsent(PeriodSummary.periodOf(metrics.get(i).metricTime()), k -> new ArrayList<>()).add(i);
        }
        List<PeriodSummary> periods = new ArrayList<>();
        for (Map.Entry<Long, List<Integer>> e : barsByPeriod.entrySet()) {
            List<Integer> idx = e.getValue();
            int first = idx.get(0);
            int lastIndex = idx.get(idx.size() - 1);
            double startEquity = first == 0 ? 1.0 : 1.0 + metrics.get(first - 1).cumulativeReturn();
            long n = 0;
            double mean = 0;
            double m2 = 0;
            double downside = 0;
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            double peak = startEquity;
            double periodDrawdown = Double.POSITIVE_INFINITY;
            double minDrawdown = Double.POSITIVE_INFINITY;
            long exposed = 0;
            for (int i : idx) {
                MetricRow m = metrics.get(i);
                double r = m.netReturn();
                n++;
                double delta = r - mean;
                mean += delta / n;
                m2 += delta * (r - mean);
                if (r < 0) {
                    downside += r * r;
                }
                double equity = 1.0 + m.cumulativeReturn();
                max = Math.max(max, equity);
                min = Math.min(min, equity);
                peak = Math.max(peak, equity);
                periodDrawdown = Math.min(periodDrawdown, equity / peak - 1.0);
                minDrawdown = Math.min(minDrawdown, m.drawdown());
                if (m.position() != 0) {
                    exposed++;
                }
            }
            List<RoundTrip> trades = tradesByPeriod.getOrDefault(e.getKey(), List.of());
            TradeStats stats = TradeStats.of(trades);
            double won = 0;
            double lost = 0;
            double pnl = 0;
            long duration = 0;
            for (RoundTrip t : trades) {
                pnl += t.pnl();
                duration += t.durationMillis();
                if (t.pnl() > 0) {
                    won += t.pnl();
                } else if (t.pnl() < 0) {
                    lost += t.pnl();
                }
            }
            RoundTrip best = stats.best();
            RoundTrip worst = stats.worst();
            MetricRow f = metrics.get(first);
            MetricRow l = metrics.get(lastIndex);
            periods.add(new PeriodSummary(RUN, SYMBOL, e.getKey(), idx.size(), f.metricTime(), l.metricTime(), mean, m2,
                    downside, startEquity, 1.0 + l.cumulativeReturn(), max, min, periodDrawdown, minDrawdown, exposed,
                    f.price(), l.price(), stats.closed(), stats.wins(), stats.losses(), won, lost, pnl, duration,
                    best == null ? null : best.pnl(), best == null ? null : best.entryTime(),
                    best == null ? null : best.durationMillis(), worst == null ? null : worst.pnl(),
                    worst == null ? null : worst.entryTime(), worst == null ? null : worst.durationMillis()));
        }
        return periods;
    }

    /** The scenarios: windows, shorting, costs, confirmation, risk limit, tick and interval bars, flattens. */
    private static List<Scenario> scenarios() {
        List<Scenario> list = new ArrayList<>();
        long seed = 11;
        for (int variant = 0; variant < 24; variant++) {
            boolean tickBars = variant % 3 == 2;
            StrategyParams p = StrategyParams.of(2 + variant % 4, 8 + (variant * 7) % 25)
                    .withAllowShort(variant % 2 == 0)
                    .withCosts(variant % 4 == 0 ? 0 : 2.5 * (variant % 5), variant % 3 == 0 ? 0 : 1.5)
                    .withConfirmation(1 + variant % 3)
                    .withMaxDrawdown(variant % 4 == 1 ? 0.01 + 0.005 * (variant % 3) : null)
                    .withBarIntervalSeconds(tickBars ? 0 : variant % 2 == 0 ? 300 : 900);
            list.add(new Scenario(p, seed++, 1500 + 50 * variant, tickBars, variant % 6 != 5, variant % 2 == 1,
                    variant % 5 != 4));
        }
        return list;
    }

    @Test
    void summariesOfRandomWalksEqualTheSumsOfTheirMetricRowsAndRunAnalyticsTrades() {
        int periods = 0;
        int trades = 0;
        int killSwitchExits = 0;
        int runEndedExits = 0;
        int riskHalts = 0;
        int flips = 0;
        int tickBarPeriods = 0;
        int crossDayKillSwitch = 0;
        for (Scenario sc : scenarios()) {
            Outcome out = simulate(sc);
            List<PeriodSummary> expected = expected(sc.params().barIntervalSeconds(), out.metrics, out.transitions,
                    out.flattenBookedBy);
            assertEquals(expected, out.summaries, "scenario " + sc);
            assertEquals(out.summaries, out.quietSummaries, "current() changed the state: " + sc);
            assertTrue(expected.size() >= 3, "several days: " + sc);
            periods += expected.size();
            if (sc.tickBars()) {
                tickBarPeriods += expected.size();
            }
            riskHalts += out.riskHalts;
            for (PeriodSummary s : expected) {
                trades += s.tradesClosed();
            }
            for (PositionTransition t : out.transitions) {
                if (Math.abs(t.toPosition() - t.fromPosition()) == 2) {
                    flips++;
                }
            }
            for (Map.Entry<Long, Integer> f : out.flattenBookedBy.entrySet()) {
                boolean runEnded = out.transitions.stream()
                        .anyMatch(t -> t.eventTime() == f.getKey() && t.reason() == Reason.RUN_ENDED);
                if (runEnded) {
                    runEndedExits++;
                } else {
                    killSwitchExits++;
                    long booked = out.metrics.get(f.getValue()).metricTime();
                    if (f.getKey() < WALL_CLOCK && PeriodSummary.periodOf(f.getKey()) != PeriodSummary.periodOf(booked)) {
                        crossDayKillSwitch++;
                    }
                }
            }
        }
        // The comparison covered what it is meant to.
        assertTrue(periods > 100, "periods " + periods);
        assertTrue(tickBarPeriods > 20, "tick-bar periods " + tickBarPeriods);
        assertTrue(trades > 300, "closed trades " + trades);
        assertTrue(killSwitchExits >= 5, "kill-switch flattens " + killSwitchExits);
        assertTrue(crossDayKillSwitch >= 3, "kill-switch flattens booked in the next day " + crossDayKillSwitch);
        assertTrue(runEndedExits >= 3, "RUN_ENDED flattens " + runEndedExits);
        assertTrue(riskHalts >= 2, "risk halts " + riskHalts);
        assertTrue(flips >= 10, "flips " + flips);
    }

    @Test
    void summariesOfBacktestsWithManyTicksPerBarAndTwoSymbols() {
        for (long interval : new long[] {0, 60, 3600}) {
            StrategyParams params = StrategyParams.of(3, 12).withCosts(5, 2).withAllowShort(interval != 60)
                    .withConfirmation(interval == 3600 ? 1 : 2).withBarIntervalSeconds(interval);
            Random random = new Random(interval + 5);
            List<Backtest.Tick> ticks = new ArrayList<>();
            double[] prices = {100, 2000};
            String[] symbols = {"AAA", "BBB"};
            long time = D + 5 * HOUR;
            long end = D + 4 * DAY + 3 * HOUR;
            while (time < end) {
                int s = random.nextInt(2);
                prices[s] *= Math.exp(random.nextGaussian() * (interval == 3600 ? 0.003 : 0.0008));
                ticks.add(new Backtest.Tick(symbols[s], time, Math.round(prices[s] * 1e8)));
                time += interval == 0 ? 30_000 + random.nextInt(300_000) : 1 + random.nextInt(interval == 60 ? 20_000 : 40_000);
            }
            SortedMap<String, Backtest.SymbolResult> results = Backtest.run(params, ticks);
            assertEquals(2, results.size());
            for (Backtest.SymbolResult r : results.values()) {
                SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, r.symbol());
                List<PeriodSummary> got = new ArrayList<>();
                int next = 0;
                for (MetricRow bar : r.metrics()) {
                    // The bar's own transition (its time) goes first.
                    while (next < r.transitions().size() && r.transitions().get(next).eventTime() == bar.metricTime()) {
                        acc.transition(r.transitions().get(next++));
                    }
                    PeriodSummary done = acc.bar(bar);
                    if (done != null) {
                        got.add(done);
                    }
                }
                got.add(acc.current());
                List<PeriodSummary> expected = expected(interval, r.metrics(), r.transitions(), Map.of()).stream()
                        .map(p -> withSymbol(p, r.symbol())).toList();
                assertEquals(expected, got, "interval " + interval + " " + r.symbol());
                assertEquals(5, got.size(), "days 1–5");
                assertTrue(got.stream().mapToInt(PeriodSummary::tradesClosed).sum() >= 3, "trades " + interval);
            }
        }
    }

    private static PeriodSummary withSymbol(PeriodSummary p, String symbol) {
        return new PeriodSummary(p.runId(), symbol, p.periodStart(), p.bars(), p.firstBarTime(), p.lastBarTime(),
                p.returnMean(), p.returnM2(), p.downsideSquares(), p.startEquity(), p.endEquity(), p.maxEquity(),
                p.minEquity(), p.periodDrawdown(), p.minDrawdown(), p.exposedBars(), p.firstClose(), p.lastClose(),
                p.tradesClosed(), p.tradesWon(), p.tradesLost(), p.wonPnl(), p.lostPnl(), p.pnlSum(),
                p.durationSumMillis(), p.bestPnl(), p.bestEntryTime(), p.bestDurationMillis(), p.worstPnl(),
                p.worstEntryTime(), p.worstDurationMillis());
    }

    @Test
    void welfordMeanAndM2AgreeWithTheTwoPassFormulas() {
        // The bit-for-bit comparison above repeats Welford's recurrence; this checks the recurrence means
        // what the columns say, against the two-pass definitions (different rounding: relative 1e-12).
        Outcome out = simulate(scenarios().get(0));
        Map<Long, List<Double>> returns = new LinkedHashMap<>();
        for (MetricRow m : out.metrics) {
            returns.computeIfAbsent(PeriodSummary.periodOf(m.metricTime()), k -> new ArrayList<>()).add(m.netReturn());
        }
        int i = 0;
        for (List<Double> rs : returns.values()) {
            double mean = rs.stream().mapToDouble(Double::doubleValue).sum() / rs.size();
            double m2 = rs.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum();
            // The mean's rounding error scales with the returns' size, not with the mean (near 0).
            double scale = rs.stream().mapToDouble(Math::abs).sum() / rs.size();
            PeriodSummary s = out.summaries.get(i++);
            assertEquals(mean, s.returnMean(), 1e-12 * scale);
            assertEquals(m2, s.returnM2(), 1e-12 * m2);
        }
        assertEquals(returns.size(), i);
    }

    // ---------------------------------------------------------------------------------------------
    // By hand.

    /** Metric rows as SPEC §5.4 steps 6 and 7 derive them (as in RunAnalyticsTest). */
    private static final class Rows {
        final List<MetricRow> rows = new ArrayList<>();
        double equity = 1.0;
        double peak = 1.0;

        MetricRow bar(long time, double price, int position, double gross, double tc, double sc) {
            double net = (gross - tc) - sc;
            equity = equity * (1.0 + net);
            peak = Math.max(peak, equity);
            MetricRow row = new MetricRow(time, price, null, null, position, gross, tc, sc, net, equity - 1.0,
                    equity / peak - 1.0);
            rows.add(row);
            return row;
        }
    }

    private static PositionTransition signal(long time, int from, int to, double price, double tc, double sc) {
        return new PositionTransition(time, from, to, price, price, tc, sc, Reason.SIGNAL);
    }

    /** Asserts every column of {@code s}, doubles within {@link #EPS}. */
    private static void assertSummary(PeriodSummary s, long periodStart, long bars, long firstBarTime, long lastBarTime,
            double mean, double m2, double downside, double startEquity, double endEquity, double maxEquity,
            double minEquity, double periodDrawdown, double minDrawdown, long exposed, double firstClose,
            double lastClose, int closed, int won, int lost, double wonPnl, double lostPnl, double pnlSum,
            long durationSum, Double best, Long bestEntry, Long bestDuration, Double worst, Long worstEntry,
            Long worstDuration) {
        assertNotNull(s);
        assertEquals(RUN, s.runId());
        assertEquals(SYMBOL, s.symbol());
        assertEquals(periodStart, s.periodStart(), "periodStart");
        assertEquals(bars, s.bars(), "bars");
        assertEquals(firstBarTime, s.firstBarTime(), "firstBarTime");
        assertEquals(lastBarTime, s.lastBarTime(), "lastBarTime");
        assertEquals(mean, s.returnMean(), EPS, "returnMean");
        assertEquals(m2, s.returnM2(), EPS, "returnM2");
        assertEquals(downside, s.downsideSquares(), EPS, "downsideSquares");
        assertEquals(startEquity, s.startEquity(), EPS, "startEquity");
        assertEquals(endEquity, s.endEquity(), EPS, "endEquity");
        assertEquals(maxEquity, s.maxEquity(), EPS, "maxEquity");
        assertEquals(minEquity, s.minEquity(), EPS, "minEquity");
        assertEquals(periodDrawdown, s.periodDrawdown(), EPS, "periodDrawdown");
        assertEquals(minDrawdown, s.minDrawdown(), EPS, "minDrawdown");
        assertEquals(exposed, s.exposedBars(), "exposedBars");
        assertEquals(firstClose, s.firstClose(), "firstClose");
        assertEquals(lastClose, s.lastClose(), "lastClose");
        assertEquals(closed, s.tradesClosed(), "tradesClosed");
        assertEquals(won, s.tradesWon(), "tradesWon");
        assertEquals(lost, s.tradesLost(), "tradesLost");
        assertEquals(wonPnl, s.wonPnl(), EPS, "wonPnl");
        assertEquals(lostPnl, s.lostPnl(), EPS, "lostPnl");
        assertEquals(pnlSum, s.pnlSum(), EPS, "pnlSum");
        assertEquals(durationSum, s.durationSumMillis(), "durationSumMillis");
        assertNullOrClose(best, s.bestPnl(), "bestPnl");
        assertEquals(bestEntry, s.bestEntryTime(), "bestEntryTime");
        assertEquals(bestDuration, s.bestDurationMillis(), "bestDurationMillis");
        assertNullOrClose(worst, s.worstPnl(), "worstPnl");
        assertEquals(worstEntry, s.worstEntryTime(), "worstEntryTime");
        assertEquals(worstDuration, s.worstDurationMillis(), "worstDurationMillis");
    }

    private static void assertNullOrClose(Double expected, Double actual, String what) {
        if (expected == null) {
            assertNull(actual, what);
        } else {
            assertNotNull(actual, what);
            assertEquals(expected, actual, EPS, what);
        }
    }

    @Test
    void aLongTradeOverMidnightCountsInTheDayOfItsExitBar() {
        // Day D: 22:00 flat at 100; 23:00 enter long at 100, transaction cost 0.001.
        // Day D+1: 01:00 close 110 (+10 %); 02:00 exit at 99 (1 · (99 / 110 − 1) = −0.1), cost 0.001.
        long t0 = D + 22 * HOUR;
        long t1 = D + 23 * HOUR;
        long t2 = D + 25 * HOUR;
        long t3 = D + 26 * HOUR;
        Rows rows = new Rows();
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        assertNull(acc.current(), "nothing before the first bar");
        assertNull(acc.bar(rows.bar(t0, 100, 0, 0.0, 0, 0)));
        acc.transition(signal(t1, 0, 1, 100, 0.001, 0));
        assertNull(acc.bar(rows.bar(t1, 100, 1, 0.0, 0.001, 0)));
        // Day D so far: r = [0, −0.001], equity 1, 0.999; the long is open: no trade counts.
        // mean −0.0005; M2 = 2 · 0.0005² = 5e-7; downside 0.001² = 1e-6; drawdown 0.999 / 1 − 1 = −0.001.
        PeriodSummary dayD = acc.current();
        assertSummary(dayD, D, 2, t0, t1, -0.0005, 5e-7, 1e-6, 1.0, 0.999, 1.0, 0.999, -0.001, -0.001, 1, 100, 100,
                0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null);

        // The first bar of D+1 completes day D, unchanged.
        assertEquals(dayD, acc.bar(rows.bar(t2, 110, 1, 0.1, 0, 0)));
        acc.transition(signal(t3, 1, 0, 99, 0.001, 0));
        assertNull(acc.bar(rows.bar(t3, 99, 0, -0.1, 0.001, 0)));
        // Day D+1: r = [0.1, −0.101]: mean −0.0005, deviations ±0.1005, M2 = 2 · 0.01010025 = 0.0202005;
        // downside 0.101² = 0.010201. Equity 0.999 · 1.1 = 1.0989, then · 0.899 = 0.9879111; start 0.999.
        // Period drawdown from max(0.999, 1.0989): 0 then 0.899 − 1 = −0.101; the drawdown column the same.
        // Exposed: the 01:00 bar only (the exit bar is flat).
        // The trade: 0.999 (entry: 1 + r) · 1.1 · 0.899 − 1 = −0.0120889, a loss, 23:00 → 02:00 = 3 h.
        double pnl = 0.999 * 1.1 * 0.899 - 1;
        assertEquals(-0.0120889, pnl, EPS);
        assertSummary(acc.current(), D + DAY, 2, t2, t3, -0.0005, 0.0202005, 0.010201, 0.999, 0.9879111, 1.0989,
                0.9879111, -0.101, -0.101, 1, 110, 99, 1, 0, 1, 0, pnl, pnl, 3 * HOUR, pnl, t1, 3 * HOUR, pnl, t1,
                3 * HOUR);
        // The same trade as RunAnalytics sees it.
        RoundTrip trip = RunAnalytics.of(60, Map.of(SYMBOL, rows.rows),
                Map.of(SYMBOL, List.of(signal(t1, 0, 1, 100, 0.001, 0), signal(t3, 1, 0, 99, 0.001, 0))))
                .symbol(SYMBOL).roundTrips().get(0);
        assertEquals(trip.pnl(), acc.current().pnlSum());
    }

    @Test
    void aRunEndedFlattenAfterTheLastBarClosesTheShortInTheLastBarsPeriod() {
        // Shorting on, transaction 10 bps, slippage 5 bps. D 01:00 flat at 100; 02:00 short at 100
        // (r = −0.0015); 03:00 close 95: the short earns −1 · (95 / 100 − 1) = 0.05. Then the run is ended
        // at 03:00:30 at 96, with the same costs.
        long t0 = D + HOUR;
        long t1 = D + 2 * HOUR;
        long t2 = D + 3 * HOUR;
        long end = t2 + 30_000;
        Rows rows = new Rows();
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        acc.bar(rows.bar(t0, 100, 0, 0.0, 0, 0));
        acc.transition(new PositionTransition(t1, 0, -1, 100, 99.95, 0.001, 0.0005, Reason.SIGNAL));
        acc.bar(rows.bar(t1, 100, -1, 0.0, 0.001, 0.0005));
        acc.bar(rows.bar(t2, 95, -1, 0.05, 0, 0));
        // Before the end: the short is open and counts nowhere.
        // r = [0, −0.0015, 0.05]: mean 0.0161667; deviations −0.0161667, −0.0176667, 0.0338333,
        // M2 = 0.000261361 + 0.000312111 + 0.001144694 = 0.001718167; downside 0.0015² = 2.25e-6.
        // Equity 1, 0.9985, 1.048425; drawdowns 0, −0.0015, 0.
        double mean = (0 - 0.0015 + 0.05) / 3;
        double m2 = mean * mean + (-0.0015 - mean) * (-0.0015 - mean) + (0.05 - mean) * (0.05 - mean);
        assertEquals(0.001718166667, m2, 1e-12);
        PeriodSummary open = acc.current();
        assertSummary(open, D, 3, t0, t2, mean, m2, 2.25e-6, 1.0, 1.048425, 1.048425, 0.9985, -0.0015, -0.0015, 2,
                100, 95, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null);

        acc.transition(new PositionTransition(end, -1, 0, 96, 96.048, 0.001, 0.0005, Reason.RUN_ENDED));
        // The flatten's leg as the next bar would book it: −1 · (96 / 95 − 1) − 0.001 − 0.0005 = −0.0120263;
        // the trade: 0.9985 · 1.05 · (1 − 0.0120263) − 1 = 0.0358163, won, 02:00 → 03:00:30.
        double pnl = 0.9985 * 1.05 * (1 + (-(96.0 / 95 - 1) - 0.0015)) - 1;
        assertEquals(0.0358163, pnl, 1e-7);
        PeriodSummary ended = acc.current();
        assertSummary(ended, D, 3, t0, t2, mean, m2, 2.25e-6, 1.0, 1.048425, 1.048425, 0.9985, -0.0015, -0.0015, 2,
                100, 95, 1, 1, 0, pnl, 0, pnl, HOUR + 30_000, pnl, t1, HOUR + 30_000, pnl, t1, HOUR + 30_000);
        assertEquals(ended, acc.current(), "current() changes nothing");
        assertEquals(1, acc.state().pending.length, "the flatten waits for a bar that may follow");
        // The bar columns are those before the flatten: it changed no bar.
        assertEquals(open.returnM2(), ended.returnM2());
    }

    @Test
    void aKillSwitchFlattenAfterTheDaysLastBarIsBookedByTheNextDaysFirstBar() {
        // D 22:00 flat at 100; 23:00 long at 100, cost 0.001 (r = −0.001). The switch is engaged (file
        // time: the wall clock) and the long flattened at 102 with cost 0.001.
        long t0 = D + 22 * HOUR;
        long t1 = D + 23 * HOUR;
        long t2 = D + 25 * HOUR;
        Rows rows = new Rows();
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        acc.bar(rows.bar(t0, 100, 0, 0.0, 0, 0));
        acc.transition(signal(t1, 0, 1, 100, 0.001, 0));
        acc.bar(rows.bar(t1, 100, 1, 0.0, 0.001, 0));
        acc.transition(new PositionTransition(WALL_CLOCK, 1, 0, 102, 102, 0.001, 0, Reason.KILL_SWITCH));
        // Were the run to end now, the trade closes in day D: 0.999 · (1 + (0.02 − 0.001)) − 1 = 0.017981.
        double pnl = 0.999 * 1.019 - 1;
        PeriodSummary ifEnded = acc.current();
        assertSummary(ifEnded, D, 2, t0, t1, -0.0005, 5e-7, 1e-6, 1.0, 0.999, 1.0, 0.999, -0.001, -0.001, 1, 100, 100,
                1, 1, 0, pnl, 0, pnl, WALL_CLOCK - t1, pnl, t1, WALL_CLOCK - t1, pnl, t1, WALL_CLOCK - t1);

        // But D+1 01:00 follows (flat, at 104): it books the flatten (gross 1 · (102 / 100 − 1) = 0.02,
        // cost 0.001, r = 0.019) and the trade with it. Day D completes without the trade.
        PeriodSummary dayD = acc.bar(rows.bar(t2, 104, 0, 102.0 / 100 - 1, 0.001, 0));
        assertSummary(dayD, D, 2, t0, t1, -0.0005, 5e-7, 1e-6, 1.0, 0.999, 1.0, 0.999, -0.001, -0.001, 1, 100, 100,
                0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null);
        // Day D+1: one bar, r = 0.019, M2 0; equity 0.999 · 1.019 = 1.017981 from 0.999, a new peak.
        PeriodSummary next = acc.current();
        assertSummary(next, D + DAY, 1, t2, t2, 0.019, 0, 0, 0.999, 1.017981, 1.017981, 1.017981, 0, 0, 0, 104, 104,
                1, 1, 0, pnl, 0, pnl, WALL_CLOCK - t1, pnl, t1, WALL_CLOCK - t1, pnl, t1, WALL_CLOCK - t1);
        // The flatten's leg after the last bar and the bar that booked it are the same arithmetic (the
        // gross return as the strategy computes it, 102 / 100 − 1), so the PnL is the same double.
        assertEquals(ifEnded.pnlSum(), next.pnlSum());
    }

    @Test
    void bestAndWorstTieToTheEarliestEntryAndAFlipClosesAndOpens() {
        // Three trades in one day, no costs, shorting on: long 100 → 110 (+10 %), flip to short at 110
        // (the long closes, a short opens) → 99 (+10 %), flat; then a long 100 → 90 (−10 %).
        long m = 60_000;
        Rows rows = new Rows();
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        acc.transition(signal(D, 0, 1, 100, 0, 0));
        acc.bar(rows.bar(D, 100, 1, 0.0, 0, 0));
        acc.transition(signal(D + m, 1, -1, 110, 0, 0));
        acc.bar(rows.bar(D + m, 110, -1, 0.1, 0, 0));
        acc.transition(signal(D + 2 * m, -1, 0, 99, 0, 0));
        acc.bar(rows.bar(D + 2 * m, 99, 0, 0.1, 0, 0)); // −1 · (99 / 110 − 1) = 0.1
        acc.transition(signal(D + 3 * m, 0, 1, 100, 0, 0));
        acc.bar(rows.bar(D + 3 * m, 100, 1, 0.0, 0, 0));
        acc.transition(signal(D + 4 * m, 1, 0, 90, 0, 0));
        acc.bar(rows.bar(D + 4 * m, 90, 0, -0.1, 0, 0));
        PeriodSummary s = acc.current();
        // PnLs 0.1 (entry D), 0.1 (entry D+1m: 1 · 1.1 − 1 in doubles; the best only if strictly higher),
        // −0.1 (entry D+3m). Won 2, lost 1; durations 1 + 1 + 1 minutes.
        assertEquals(3, s.tradesClosed());
        assertEquals(2, s.tradesWon());
        assertEquals(1, s.tradesLost());
        assertEquals(3 * m, s.durationSumMillis());
        assertEquals(-0.1, s.lostPnl(), EPS);
        assertEquals(0.2, s.wonPnl(), EPS);
        TradeStats stats = TradeStats.of(RunAnalytics.of(60, Map.of(SYMBOL, rows.rows), Map.of(SYMBOL, List.of(
                signal(D, 0, 1, 100, 0, 0), signal(D + m, 1, -1, 110, 0, 0), signal(D + 2 * m, -1, 0, 99, 0, 0),
                signal(D + 3 * m, 0, 1, 100, 0, 0), signal(D + 4 * m, 1, 0, 90, 0, 0)))).symbol(SYMBOL).roundTrips());
        assertEquals(stats.best().entryTime(), s.bestEntryTime());
        assertEquals(stats.best().pnl(), s.bestPnl());
        assertEquals(D + 3 * m, s.worstEntryTime());
        assertEquals(stats.worst().pnl(), s.worstPnl());
    }

    @Test
    void refusesBarsOutOfOrderAndTooManyTransitionsBetweenBars() {
        Rows rows = new Rows();
        SummaryAccumulator acc = new SummaryAccumulator(new SummaryState(), RUN, SYMBOL);
        acc.bar(rows.bar(D + HOUR, 100, 0, 0.0, 0, 0));
        MetricRow earlier = new Rows().bar(D, 100, 0, 0.0, 0, 0);
        assertThrows(IllegalStateException.class, () -> acc.bar(earlier));
        for (int i = 0; i < SummaryAccumulator.MAX_PENDING; i++) {
            acc.transition(signal(D + HOUR, 0, 1, 100, 0, 0));
        }
        assertThrows(IllegalStateException.class, () -> acc.transition(signal(D + HOUR, 0, 1, 100, 0, 0)));
    }
}
