package io.quantsignals.core.analytics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The {@link Figures} of one (run, symbol) over a window of its periods, merged from
 * {@link PeriodSummary} rows ({@code strategy_run_summaries}) instead of metric rows, and the rule
 * that turns several symbols' figures into one run figure (SPEC §9.1 "Sweeps").
 *
 * <p>Merge rules, over the window's periods in time order:
 * <ul>
 *   <li>n = Σ bars; mean and M2 by the parallel (Chan et al.) merge of Welford sums:
 *       {@code δ = mean_b − mean_a; mean = mean_a + δ·n_b/n; M2 = M2_a + M2_b + δ²·n_a·n_b/n};
 *       downside squares summed;</li>
 *   <li>net return = end equity of the last period / start equity of the first − 1 (a window that
 *       starts mid-run is rebased to its start equity);</li>
 *   <li>max drawdown: for a window that starts at the run's first period, the least
 *       {@code min_drawdown} (exactly the drawdown column's minimum); otherwise, with a running peak
 *       P = the window's start equity, per period {@code min(min_equity / P − 1, period_drawdown)}
 *       then {@code P = max(P, max_equity)}, since {@code E_t / max(P, intraday peak) − 1 =
 *       min(E_t / P − 1, E_t / intraday peak − 1)};</li>
 *   <li>N_year = 31,536,000 / I for I = bar_interval_seconds &gt; 0. Tick bars (I = 0): the sums
 *       cannot give the median bar spacing {@link ReturnSeries} uses, so the spacing is the mean,
 *       {@code (last_bar_time − first_bar_time) / (n − 1)} over the window (undefined below 2 bars);</li>
 *   <li>annualised return, Sharpe, Sortino, Calmar: ReturnSeries' formulas on those sums;</li>
 *   <li>exposure = Σ exposed_bars / n; buy-and-hold = last close / first close − 1;</li>
 *   <li>trades: the round trips closed in the window's periods (a trade counts in the period that
 *       closed it): counts, won and lost PnL, PnL and duration summed; best and worst the highest and
 *       lowest PnL, the earlier entry of equals. A summary does not know a trade's direction and
 *       prices: the best and worst {@link RoundTrip}s carry direction 0, NaN prices, no reason, and
 *       exit time = entry time + duration. No open trades are listed.</li>
 * </ul>
 *
 * <p>A run of several symbols ({@link #runWindow}): each figure is the mean, over the symbols for
 * which that figure is defined, of the per-symbol figure (null when it is defined for none): equal
 * capital on each symbol at the window's start. Bars are summed, times are the extremes, trades are
 * pooled (as the portfolio's in {@link RunAnalytics}).
 */
public final class PeriodFigures {

    private PeriodFigures() {
    }

    /**
     * The figures of all of a (run, symbol)'s periods.
     *
     * @param periods every row of one (run, symbol), in period order
     * @param barIntervalSeconds the run's bar_interval_seconds (0: tick bars)
     */
    public static Figures of(List<PeriodSummary> periods, long barIntervalSeconds) {
        return window(periods, Long.MIN_VALUE, Long.MAX_VALUE, barIntervalSeconds);
    }

    /**
     * The figures of the periods whose {@code periodStart} is in {@code [from, to)}.
     *
     * @param periods every row of one (run, symbol), in period order: a window that holds the first
     *     of them starts at the run's start (its max drawdown is then the least min_drawdown)
     * @param from first period start included, epoch ms
     * @param to first period start excluded, epoch ms
     * @param barIntervalSeconds the run's bar_interval_seconds (0: tick bars)
     */
    public static Figures window(List<PeriodSummary> periods, long from, long to, long barIntervalSeconds) {
        if (barIntervalSeconds < 0) {
            throw new IllegalArgumentException("bar_interval_seconds must be >= 0, got " + barIntervalSeconds);
        }
        checkOrder(periods);
        int first = -1;
        int last = -1;
        for (int i = 0; i < periods.size(); i++) {
            long start = periods.get(i).periodStart();
            if (start >= from && start < to) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            return empty(barIntervalSeconds);
        }
        return merge(periods.subList(first, last + 1), first == 0, barIntervalSeconds);
    }

    /** The figures of no bars: everything undefined but a fixed interval's N_year. */
    public static Figures empty(long barIntervalSeconds) {
        return new Figures(0, null, null, null, null, barsPerYear(barIntervalSeconds, 0, 0, 0), null, null, null, null,
                null, null, new TradeStats(0, 0, 0, null, null, null, null, null, null, List.of()));
    }

    private static Figures merge(List<PeriodSummary> window, boolean fromRunStart, long barIntervalSeconds) {
        long n = 0;
        double mean = 0;
        double m2 = 0;
        double downside = 0;
        long exposed = 0;
        double startEquity = window.get(0).startEquity();
        double peak = startEquity;
        double rebasedDrawdown = 0;
        double runDrawdown = 0;
        TradeSums trades = new TradeSums();
        for (PeriodSummary p : window) {
            long nb = p.bars();
            long total = n + nb;
            double delta = p.returnMean() - mean;
            // Chan et al.: exact in the arithmetic sense, and equal to the first period's own sums when n = 0.
            mean = mean + delta * ((double) nb / total);
            m2 = m2 + p.returnM2() + delta * delta * ((double) n * nb / total);
            n = total;
            downside += p.downsideSquares();
            exposed += p.exposedBars();
            rebasedDrawdown = Math.min(rebasedDrawdown, Math.min(p.minEquity() / peak - 1.0, p.periodDrawdown()));
            peak = Math.max(peak, p.maxEquity());
            runDrawdown = Math.min(runDrawdown, p.minDrawdown());
            trades.add(p);
        }
        PeriodSummary firstPeriod = window.get(0);
        PeriodSummary lastPeriod = window.get(window.size() - 1);
        double equity = lastPeriod.endEquity() / startEquity;
        double maxDrawdown = fromRunStart ? runDrawdown : rebasedDrawdown;
        Double perYear = barsPerYear(barIntervalSeconds, n, firstPeriod.firstBarTime(), lastPeriod.lastBarTime());
        Double sharpe = null;
        Double sortino = null;
        Double annualised = null;
        if (perYear != null) {
            double rootYear = Math.sqrt(perYear);
            if (n >= 2) {
                double stdev = Math.sqrt(m2 / (n - 1));
                sharpe = stdev > 0 ? mean / stdev * rootYear : null;
                double downsideDeviation = Math.sqrt(downside / n);
                sortino = downsideDeviation > 0 ? mean / downsideDeviation * rootYear : null;
            }
            annualised = equity <= 0 ? -1.0 : Math.pow(equity, perYear / n) - 1.0;
        }
        Double calmar = annualised == null || maxDrawdown == 0 ? null : annualised / Math.abs(maxDrawdown);
        return new Figures(n, firstPeriod.firstBarTime(), lastPeriod.lastBarTime(), equity - 1.0, maxDrawdown, perYear,
                annualised, sharpe, sortino, calmar, (double) exposed / n,
                lastPeriod.lastClose() / firstPeriod.firstClose() - 1.0, trades.stats());
    }

    /**
     * N_year: 31,536,000 / I for I &gt; 0; for tick bars a year over the mean spacing of the window's
     * bars, {@code (last − first) / (n − 1)} ms (null below 2 bars).
     */
    static Double barsPerYear(long barIntervalSeconds, long n, long firstBarTime, long lastBarTime) {
        if (barIntervalSeconds > 0) {
            return ReturnSeries.SECONDS_PER_YEAR / barIntervalSeconds;
        }
        if (n < 2 || lastBarTime <= firstBarTime) {
            return null;
        }
        double spacing = (double) (lastBarTime - firstBarTime) / (n - 1);
        return ReturnSeries.SECONDS_PER_YEAR * 1000.0 / spacing;
    }

    /** A best or worst trade as a summary knows it; null without one. */
    private static RoundTrip trip(String symbol, Double pnl, Long entryTime, Long durationMillis) {
        if (pnl == null || entryTime == null) {
            return null;
        }
        Long exit = durationMillis == null ? null : entryTime + durationMillis;
        return new RoundTrip(symbol, 0, entryTime, Double.NaN, null, exit, null, null, null, pnl, true);
    }

    private static void checkOrder(List<PeriodSummary> periods) {
        for (int i = 1; i < periods.size(); i++) {
            PeriodSummary a = periods.get(i - 1);
            PeriodSummary b = periods.get(i);
            if (!a.runId().equals(b.runId()) || !a.symbol().equals(b.symbol())) {
                throw new IllegalArgumentException("periods of more than one (run, symbol): " + a.runId() + "/" + a.symbol()
                        + " and " + b.runId() + "/" + b.symbol());
            }
            if (b.periodStart() <= a.periodStart()) {
                throw new IllegalArgumentException("periods out of order: " + b.periodStart() + " after " + a.periodStart());
            }
        }
    }

    /**
     * A run's figures over {@code [from, to)} from its symbols' periods (SPEC §9.1 "Sweeps"): each
     * figure the mean, over the symbols where it is defined, of the per-symbol figure (null where
     * none is); bars summed; first and last time the extremes; trades pooled from the sums (counts,
     * won, lost, PnL and durations added; best and worst over all, the earlier entry of equal PnL).
     * With one symbol, that symbol's figures.
     *
     * @param symbols each symbol's rows, in period order (see {@link #window})
     */
    public static Figures runWindow(Collection<List<PeriodSummary>> symbols, long from, long to, long barIntervalSeconds) {
        List<Figures> figures = new ArrayList<>();
        TradeSums trades = new TradeSums();
        for (List<PeriodSummary> periods : symbols) {
            figures.add(window(periods, from, to, barIntervalSeconds));
            for (PeriodSummary p : periods) {
                if (p.periodStart() >= from && p.periodStart() < to) {
                    trades.add(p);
                }
            }
        }
        if (figures.isEmpty()) {
            return empty(barIntervalSeconds);
        }
        if (figures.size() == 1) {
            return figures.get(0);
        }
        long bars = 0;
        Long firstTime = null;
        Long lastTime = null;
        for (Figures f : figures) {
            bars += f.bars();
            if (f.firstTime() != null) {
                firstTime = firstTime == null ? f.firstTime() : Math.min(firstTime, f.firstTime());
            }
            if (f.lastTime() != null) {
                lastTime = lastTime == null ? f.lastTime() : Math.max(lastTime, f.lastTime());
            }
        }
        return new Figures(bars, firstTime, lastTime, mean(figures, Figures::netReturn), mean(figures, Figures::maxDrawdown),
                mean(figures, Figures::barsPerYear), mean(figures, Figures::annualisedReturn), mean(figures, Figures::sharpe),
                mean(figures, Figures::sortino), mean(figures, Figures::calmar), mean(figures, Figures::exposure),
                mean(figures, Figures::buyAndHold), trades.stats());
    }

    /** {@link #runWindow} over every period. */
    public static Figures run(Collection<List<PeriodSummary>> symbols, long barIntervalSeconds) {
        return runWindow(symbols, Long.MIN_VALUE, Long.MAX_VALUE, barIntervalSeconds);
    }

    private static Double mean(List<Figures> symbols, Function<Figures, Double> figure) {
        double sum = 0;
        int count = 0;
        for (Figures f : symbols) {
            Double v = figure.apply(f);
            if (v != null) {
                sum += v;
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** The closed round trips' sums of some periods. */
    private static final class TradeSums {
        int closed;
        int wins;
        int losses;
        double won;
        double lost;
        double pnlSum;
        long durationSum;
        RoundTrip best;
        RoundTrip worst;

        void add(PeriodSummary p) {
            closed += p.tradesClosed();
            wins += p.tradesWon();
            losses += p.tradesLost();
            won += p.wonPnl();
            lost += p.lostPnl();
            pnlSum += p.pnlSum();
            durationSum += p.durationSumMillis();
            best = pick(best, trip(p.symbol(), p.bestPnl(), p.bestEntryTime(), p.bestDurationMillis()), true);
            worst = pick(worst, trip(p.symbol(), p.worstPnl(), p.worstEntryTime(), p.worstDurationMillis()), false);
        }

        TradeStats stats() {
            if (closed == 0) {
                return new TradeStats(0, 0, 0, null, null, null, null, null, null, List.of());
            }
            return new TradeStats(closed, wins, losses, (double) wins / closed, losses == 0 ? null : won / -lost,
                    pnlSum / closed, Math.round((double) durationSum / closed), best, worst, List.of());
        }

        /** The higher (lower) PnL; of equals, the earlier entry. */
        private static RoundTrip pick(RoundTrip current, RoundTrip candidate, boolean highest) {
            if (candidate == null) {
                return current;
            }
            if (current == null) {
                return candidate;
            }
            int c = Double.compare(candidate.pnl(), current.pnl());
            if (c == 0) {
                return candidate.entryTime() < current.entryTime() ? candidate : current;
            }
            return (highest ? c > 0 : c < 0) ? candidate : current;
        }
    }
}
