package io.quantsignals.ops.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.run.StrategyRun;

import java.util.List;
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
 *       null if no bar.</li>
 *   <li>trades, turnover, bars, costs: sums over all symbols. Costs are return fractions (Σ of the
 *       per-bar {@code transaction_cost} and {@code slippage_cost} of strategy_metrics), so the
 *       total says how much return the costs took, summed over the symbols.</li>
 * </ul>
 */
record RunSummary(StrategyRun run, List<RunResults.SymbolSummary> symbols) {

    RunSummary {
        symbols = List.copyOf(symbols);
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

    /** The run-level figures as JSON (field names as in {@code runs compare --json}). */
    ObjectNode figuresJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("bars", bars());
        n.put("net_return", netReturn());
        n.put("max_drawdown", maxDrawdown());
        n.put("trades", trades());
        n.put("turnover", turnover());
        n.put("transaction_cost", transactionCost());
        n.put("slippage_cost", slippageCost());
        n.put("total_cost", totalCost());
        return n;
    }

    /** One symbol's figures as JSON. */
    static ObjectNode symbolJson(RunResults.SymbolSummary s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("symbol", s.symbol());
        n.put("bars", s.bars());
        n.put("first_bar", s.firstBar() == null ? null : s.firstBar().toString());
        n.put("last_bar", s.lastBar() == null ? null : s.lastBar().toString());
        n.put("net_return", s.netReturn());
        n.put("max_drawdown", s.maxDrawdown());
        n.put("trades", s.trades());
        n.put("turnover", s.turnover());
        n.put("transaction_cost", s.transactionCost());
        n.put("slippage_cost", s.slippageCost());
        n.put("total_cost", s.totalCost());
        return n;
    }
}
