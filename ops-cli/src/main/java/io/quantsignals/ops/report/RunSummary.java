package io.quantsignals.ops.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.RoundTrip;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.analytics.TradeStats;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run and its per-symbol figures, with the run-level figures {@code runs report} and
 * {@code runs compare} show. Definitions (over the symbols that have at least one bar, unless said):
 *
 * <ul>
 *   <li>net return: the MEAN of the per-symbol net returns (each symbol's {@code cumulative_return}
 *       at its last bar). Each symbol's equity starts at 1 (SPEC §5 step 7), so this is exactly the
 *       return of a portfolio that put equal capital on every symbol at the start and never
 *       rebalanced; null if no symbol has a bar.</li>
 *   <li>max drawdown: the minimum per-symbol drawdown, i.e. the worst symbol's (0 or negative);
 *       null if no bar. (The portfolio's own drawdown is in {@link #analytics()}.)</li>
 *   <li>trades, turnover, bars, costs: sums over all symbols. Costs are return fractions (Σ of the
 *       per-bar {@code transaction_cost} and {@code slippage_cost} of strategy_metrics), so the
 *       total says how much return the costs took, summed over the symbols.</li>
 *   <li>analytics: {@link RunAnalytics} per symbol and for that equal-weight portfolio.</li>
 *   <li>halts: what ended trading early ({@link RunHalts}).</li>
 * </ul>
 *
 * @param transitions each symbol's transitions by time (symbols without any are absent)
 */
record RunSummary(StrategyRun run, List<RunResults.SymbolSummary> symbols,
        Map<String, List<PositionTransition>> transitions, RunAnalytics.Result analytics, List<RunHalts.Halt> halts) {

    RunSummary {
        symbols = List.copyOf(symbols);
        transitions = Map.copyOf(transitions);
        halts = List.copyOf(halts);
    }

    /** What a chart-drawing reader wants to see while {@link #read} streams the bars. */
    interface Listener extends RunAnalytics.PortfolioListener {
        /** Called once, before the first bar. */
        void summaries(List<RunResults.SymbolSummary> summaries);

        /** Each bar, in time order over all symbols. */
        void bar(String symbol, MetricRow bar);
    }

    /**
     * Reads everything about a run in the connection's snapshot ({@link RunResults#snapshot}): the
     * summaries, the transitions, then one time-ordered pass over the bars for the analytics, which
     * also hands the summaries, each bar and each portfolio point to the listener, if not null.
     */
    static RunSummary read(Connection c, StrategyRun run, Listener listener) throws SQLException {
        RunResults results = new RunResults(c);
        List<RunResults.SymbolSummary> summaries = results.summaries(run.id());
        if (listener != null) {
            listener.summaries(summaries);
        }
        Map<String, List<PositionTransition>> transitions = new HashMap<>();
        results.streamTransitions(run.id(), (symbol, t) -> transitions.computeIfAbsent(symbol, k -> new ArrayList<>()).add(t));
        List<String> withBars = summaries.stream().filter(s -> s.bars() > 0).map(RunResults.SymbolSummary::symbol).toList();
        RunAnalytics analytics = new RunAnalytics(run.params().barIntervalSeconds(), withBars, transitions, listener);
        results.streamBars(run.id(), (symbol, bar) -> {
            analytics.add(symbol, bar);
            if (listener != null) {
                listener.bar(symbol, bar);
            }
        });

        Instant lastRow = summaries.stream().map(RunResults.SymbolSummary::lastBar).filter(Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        boolean killSwitch = false;
        for (List<PositionTransition> list : transitions.values()) {
            for (PositionTransition t : list) {
                Instant at = Instant.ofEpochMilli(t.eventTime());
                lastRow = lastRow == null || at.isAfter(lastRow) ? at : lastRow;
                killSwitch |= t.reason() == PositionTransition.Reason.KILL_SWITCH;
            }
        }
        return new RunSummary(run, summaries, transitions, analytics.finish(),
                RunHalts.read(c, run.id(), lastRow, killSwitch));
    }

    private List<RunResults.SymbolSummary> withBars() {
        return symbols.stream().filter(s -> s.netReturn() != null).toList();
    }

    Double netReturn() {
        List<RunResults.SymbolSummary> traded = withBars();
        if (traded.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (RunResults.SymbolSummary s : traded) {
            sum += s.netReturn();
        }
        return sum / traded.size();
    }

    Double maxDrawdown() {
        return withBars().stream().map(RunResults.SymbolSummary::maxDrawdown).filter(Objects::nonNull)
                .min(Double::compare).orElse(null);
    }

    /** The first bar time of any symbol, null without bars. */
    Instant firstBar() {
        return symbols.stream().map(RunResults.SymbolSummary::firstBar).filter(Objects::nonNull)
                .min(Instant::compareTo).orElse(null);
    }

    /** The last bar time of any symbol, null without bars. */
    Instant lastBar() {
        return symbols.stream().map(RunResults.SymbolSummary::lastBar).filter(Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
    }

    long bars() {
        return symbols.stream().mapToLong(RunResults.SymbolSummary::bars).sum();
    }

    long trades() {
        return symbols.stream().mapToLong(RunResults.SymbolSummary::trades).sum();
    }

    long turnover() {
        return symbols.stream().mapToLong(RunResults.SymbolSummary::turnover).sum();
    }

    double transactionCost() {
        double sum = 0;
        for (RunResults.SymbolSummary s : symbols) {
            sum += s.transactionCost();
        }
        return sum;
    }

    double slippageCost() {
        double sum = 0;
        for (RunResults.SymbolSummary s : symbols) {
            sum += s.slippageCost();
        }
        return sum;
    }

    double totalCost() {
        return transactionCost() + slippageCost();
    }

    String status() {
        return run.active() ? "active" : "ended";
    }

    /** A symbol's analytics; a symbol with transitions but no bars gets the figures of no bars. */
    Figures figures(String symbol) {
        RunAnalytics.SymbolResult r = analytics.symbol(symbol);
        return r != null ? r.figures() : NO_BARS;
    }

    /** The figures of a symbol without bars: nothing defined, no trades. */
    private static final Figures NO_BARS = new Figures(0, null, null, null, null, null, null, null, null, null, null,
            null, TradeStats.of(List.of()));

    /** The run-level figures as JSON (field names as in {@code runs compare --json}). */
    ObjectNode figuresJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("first_bar", text(firstBar()));
        n.put("last_bar", text(lastBar()));
        n.put("bars", bars());
        n.put("net_return", netReturn());
        n.put("max_drawdown", maxDrawdown());
        n.put("trades", trades());
        n.put("turnover", turnover());
        n.put("transaction_cost", transactionCost());
        n.put("slippage_cost", slippageCost());
        n.put("total_cost", totalCost());
        ObjectNode portfolio = n.putObject("portfolio");
        portfolio.put("points", analytics.portfolio().bars()); // its distinct bar times
        portfolio.setAll(analyticsJson(analytics.portfolio()));
        ArrayNode list = n.putArray("halts");
        for (RunHalts.Halt h : halts) {
            ObjectNode o = list.addObject();
            o.put("kind", h.kind().name());
            o.put("scope", h.scope());
            o.put("since", h.since().toString());
            o.put("reason", h.reason());
        }
        return n;
    }

    /** One symbol's figures as JSON. */
    ObjectNode symbolJson(RunResults.SymbolSummary s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("symbol", s.symbol());
        n.put("bars", s.bars());
        n.put("first_bar", text(s.firstBar()));
        n.put("last_bar", text(s.lastBar()));
        n.put("net_return", s.netReturn());
        n.put("max_drawdown", s.maxDrawdown());
        n.put("trades", s.trades());
        n.put("turnover", s.turnover());
        n.put("transaction_cost", s.transactionCost());
        n.put("slippage_cost", s.slippageCost());
        n.put("total_cost", s.totalCost());
        n.setAll(analyticsJson(figures(s.symbol())));
        return n;
    }

    /**
     * The analytics as JSON: fractions as fractions, ratios as numbers, null where undefined. For
     * the portfolio, {@code net_return} and {@code max_drawdown} are those of its own equity curve.
     */
    static ObjectNode analyticsJson(Figures f) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("net_return", f.netReturn());
        n.put("max_drawdown", f.maxDrawdown());
        n.put("bars_per_year", f.barsPerYear());
        n.put("annualised_return", f.annualisedReturn());
        n.put("sharpe", f.sharpe());
        n.put("sortino", f.sortino());
        n.put("calmar", f.calmar());
        n.put("exposure", f.exposure());
        n.put("buy_and_hold_return", f.buyAndHold());
        TradeStats t = f.trades();
        ObjectNode trips = n.putObject("round_trips");
        trips.put("closed", t.closed());
        trips.put("wins", t.wins());
        trips.put("losses", t.losses());
        trips.put("open", t.open().size());
        trips.put("win_rate", t.winRate());
        trips.put("profit_factor", t.profitFactor());
        trips.put("average_pnl", t.averagePnl());
        trips.put("average_duration_ms", t.averageDurationMillis());
        trips.set("best", tripJson(t.best()));
        trips.set("worst", tripJson(t.worst()));
        return n;
    }

    /** A round trip as JSON (null → JSON null); prices on the 10⁻⁸ grid, with their exact text. */
    static ObjectNode tripJson(RoundTrip t) {
        if (t == null) {
            return null;
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("symbol", t.symbol());
        n.put("direction", t.direction() > 0 ? "long" : "short");
        n.put("entry_time", Instant.ofEpochMilli(t.entryTime()).toString());
        n.put("entry_price", ScaledPrice.roundToGrid(t.entryPrice()));
        n.put("entry_price_text", ScaledPrice.gridText(t.entryPrice()));
        n.put("exit_time", t.exitTime() == null ? null : Instant.ofEpochMilli(t.exitTime()).toString());
        n.put("exit_price", t.exitPrice() == null ? null : ScaledPrice.roundToGrid(t.exitPrice()));
        n.put("exit_price_text", t.exitPrice() == null ? null : ScaledPrice.gridText(t.exitPrice()));
        n.put("exit_reason", t.exitReason() == null ? null : t.exitReason().name());
        n.put("pnl", finite(t.pnl()));
        n.put("duration_ms", t.durationMillis());
        n.put("closed", t.closed());
        return n;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
