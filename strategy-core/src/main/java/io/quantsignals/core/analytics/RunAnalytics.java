package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The analytics of one run (README "Run analytics", SPEC §9.1): per symbol and for the run's
 * equal-weight portfolio, Sharpe, Sortino, Calmar, annualised return, exposure, buy-and-hold of the
 * same bars, and round-trip trade statistics, from the run's strategy_metrics and
 * strategy_positions_stream rows.
 *
 * <p>One pass, in constant memory per symbol apart from the transitions and round trips (and the bar
 * spacings of tick bars), so {@code ops-cli} can stream a run of millions of bars: feed every bar of
 * every symbol with {@link #add} in time order (bars of one time in any symbol order), then call
 * {@link #finish}. {@link #of} does the same for rows already in memory (a backtest, a sweep).
 *
 * <p>The portfolio puts equal capital on each symbol at the first bar time of the run and never
 * rebalances, the same as the existing "net return = mean over symbols": its equity at time T is
 * the mean over the symbols of each one's equity at its last bar at or before T (1 before its first
 * bar), one point per distinct bar time; its per-point return is {@code E_T / E_prev − 1} and its
 * drawdown {@code E_T / max(1, E up to T) − 1}. Its buy-and-hold equity is the mean of
 * {@code close / first close} (1 before a symbol's first bar).
 */
public final class RunAnalytics {

    /** Receives the portfolio's points as they are made (for a chart), in time order. */
    public interface PortfolioListener {
        void point(long time, double equity, double buyAndHoldEquity, double drawdown);
    }

    /** One symbol's figures and its round trips (by entry time). */
    public record SymbolResult(String symbol, Figures figures, List<RoundTrip> roundTrips) {
        public SymbolResult {
            roundTrips = List.copyOf(roundTrips);
        }
    }

    /** Per-symbol results in the order the symbols were given, and the portfolio's figures. */
    public record Result(List<SymbolResult> symbols, Figures portfolio) {
        public Result {
            symbols = List.copyOf(symbols);
        }

        /** The result of {@code symbol}, or null. */
        public SymbolResult symbol(String symbol) {
            return symbols.stream().filter(s -> s.symbol().equals(symbol)).findFirst().orElse(null);
        }
    }

    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<SymbolAccumulator> accumulators = new ArrayList<>();
    private final double[] equity;
    private final double[] holdEquity;
    private final ReturnSeries portfolio;
    private final PortfolioListener listener;
    private boolean pending;
    private long pendingTime;
    private double previousEquity = 1.0;
    private double peak = 1.0;
    private boolean finished;

    /**
     * @param barIntervalSeconds the run's {@code bar_interval_seconds} (0: tick bars)
     * @param symbols the symbols that have bars: each gets an equal share of the portfolio
     * @param transitions each symbol's transitions as stored (by event time); a missing symbol has none
     * @param listener receives the portfolio's points, or null
     */
    public RunAnalytics(long barIntervalSeconds, Collection<String> symbols,
            Map<String, List<PositionTransition>> transitions, PortfolioListener listener) {
        this.portfolio = new ReturnSeries(barIntervalSeconds);
        this.listener = listener;
        for (String symbol : symbols) {
            if (index.putIfAbsent(symbol, names.size()) != null) {
                throw new IllegalArgumentException("symbol " + symbol + " given twice");
            }
            names.add(symbol);
            accumulators.add(new SymbolAccumulator(symbol, barIntervalSeconds, transitions.getOrDefault(symbol, List.of())));
        }
        this.equity = new double[names.size()];
        this.holdEquity = new double[names.size()];
        Arrays.fill(equity, 1.0);
        Arrays.fill(holdEquity, 1.0);
    }

    /** Adds one bar; bars come in time order over all symbols. */
    public void add(String symbol, MetricRow bar) {
        Integer i = index.get(symbol);
        if (i == null) {
            throw new IllegalArgumentException("symbol " + symbol + " was not given to the analytics");
        }
        if (finished) {
            throw new IllegalStateException("the analytics are finished");
        }
        if (pending && bar.metricTime() != pendingTime) {
            if (bar.metricTime() < pendingTime) {
                throw new IllegalArgumentException("bars out of time order: " + bar.metricTime() + " after " + pendingTime);
            }
            emit();
        }
        SymbolAccumulator s = accumulators.get(i);
        s.add(bar);
        equity[i] = 1.0 + bar.cumulativeReturn();
        holdEquity[i] = bar.price() / s.firstClose;
        pending = true;
        pendingTime = bar.metricTime();
    }

    /** The figures; call once, after the last bar. */
    public Result finish() {
        if (finished) {
            throw new IllegalStateException("the analytics are finished");
        }
        finished = true;
        if (pending) {
            emit();
        }
        List<SymbolResult> results = new ArrayList<>();
        List<RoundTrip> pooled = new ArrayList<>();
        double exposureSum = 0;
        double holdSum = 0;
        int withBars = 0;
        for (SymbolAccumulator s : accumulators) {
            SymbolResult r = s.finish();
            results.add(r);
            pooled.addAll(r.roundTrips());
            if (r.figures().bars() > 0) {
                withBars++;
                exposureSum += r.figures().exposure();
                holdSum += r.figures().buyAndHold();
            }
        }
        Figures p = portfolio.figures(withBars == 0 ? null : exposureSum / withBars,
                withBars == 0 ? null : holdSum / withBars, TradeStats.of(pooled));
        return new Result(results, p);
    }

    /**
     * The analytics of rows already in memory.
     *
     * @param bars each symbol's metric rows in time order; symbols without rows are left out
     * @param transitions each symbol's transitions in time order
     */
    public static Result of(long barIntervalSeconds, Map<String, List<MetricRow>> bars,
            Map<String, List<PositionTransition>> transitions) {
        List<String> symbols = new ArrayList<>();
        List<Map.Entry<String, MetricRow>> all = new ArrayList<>();
        for (Map.Entry<String, List<MetricRow>> e : bars.entrySet()) {
            if (!e.getValue().isEmpty()) {
                symbols.add(e.getKey());
                e.getValue().forEach(row -> all.add(Map.entry(e.getKey(), row)));
            }
        }
        // Stable: each symbol's rows keep their order, so a symbol out of order is still refused.
        all.sort(Comparator.comparingLong(e -> e.getValue().metricTime()));
        RunAnalytics analytics = new RunAnalytics(barIntervalSeconds, symbols, transitions, null);
        all.forEach(e -> analytics.add(e.getKey(), e.getValue()));
        return analytics.finish();
    }

    /** {@code N_year} for bars of {@code barIntervalSeconds} > 0: 365·24·3600 / I. */
    public static double barsPerYear(long barIntervalSeconds) {
        if (barIntervalSeconds <= 0) {
            throw new IllegalArgumentException("tick bars (0) take N_year from their spacing, not from the interval");
        }
        return ReturnSeries.SECONDS_PER_YEAR / barIntervalSeconds;
    }

    private void emit() {
        double e = mean(equity);
        double r = e / previousEquity - 1.0;
        peak = Math.max(peak, e);
        double drawdown = e / peak - 1.0;
        portfolio.add(pendingTime, r, e - 1.0, drawdown);
        if (listener != null) {
            listener.point(pendingTime, e, mean(holdEquity), drawdown);
        }
        previousEquity = e;
        pending = false;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** One symbol: its return series, exposure, buy-and-hold and round trips. */
    private static final class SymbolAccumulator {
        final String symbol;
        final ReturnSeries series;
        final TradeWalk trades;
        long exposed;
        double firstClose;
        double lastClose;

        SymbolAccumulator(String symbol, long barIntervalSeconds, List<PositionTransition> transitions) {
            this.symbol = symbol;
            this.series = new ReturnSeries(barIntervalSeconds);
            this.trades = new TradeWalk(symbol, transitions);
        }

        void add(MetricRow bar) {
            series.add(bar.metricTime(), bar.netReturn(), bar.cumulativeReturn(), bar.drawdown());
            if (series.count() == 1) {
                firstClose = bar.price();
            }
            lastClose = bar.price();
            if (bar.position() != 0) {
                exposed++;
            }
            trades.add(bar);
        }

        SymbolResult finish() {
            List<RoundTrip> roundTrips = trades.finish();
            long n = series.count();
            Figures f = series.figures(n == 0 ? null : (double) exposed / n, n == 0 ? null : lastClose / firstClose - 1.0,
                    TradeStats.of(roundTrips));
            return new SymbolResult(symbol, f, roundTrips);
        }
    }
}
