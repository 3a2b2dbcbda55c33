package io.quantsignals.core.params;

import java.util.List;

/**
 * The fully resolved parameters of one {@code sma_cross} strategy run (SPEC §5).
 *
 * <p>Instances are always valid: build them through {@link StrategyParamsParser}, which applies
 * the defaults and rejects anything the contract does not allow. The JSON form stored in
 * {@code strategy_runs.params} is {@link StrategyParamsParser#toJson(StrategyParams)}.
 *
 * @param smaFastWindow bars in the fast SMA, >= 1
 * @param smaSlowWindow bars in the slow SMA, > smaFastWindow
 * @param smaConfirmationWindow consecutive bars a new regime must hold, >= 1
 * @param transactionCostBps cost per unit of position traded, in basis points, >= 0
 * @param slippageBps adverse price move per unit traded, in basis points, >= 0
 * @param barIntervalSeconds bar length; 0 means every distinct tick timestamp is a bar
 * @param allowShort go short (-1) in the bearish regime instead of flat
 * @param symbols the symbols the run trades, or {@code null} for all symbols
 * @param maxDrawdown drawdown limit (e.g. 0.15) whose breach halts the run, or {@code null}
 */
public record StrategyParams(
        int smaFastWindow,
        int smaSlowWindow,
        int smaConfirmationWindow,
        double transactionCostBps,
        double slippageBps,
        long barIntervalSeconds,
        boolean allowShort,
        List<String> symbols,
        Double maxDrawdown) {

    /** The only strategy this release implements. */
    public static final String STRATEGY_SMA_CROSS = "sma_cross";

    public StrategyParams {
        symbols = symbols == null ? null : List.copyOf(symbols);
    }

    /** Whether this run trades {@code symbol}. */
    public boolean tradesSymbol(String symbol) {
        return symbols == null || symbols.contains(symbol);
    }

    /** Bar length in milliseconds (0 = tick bars). */
    public long barIntervalMillis() {
        return barIntervalSeconds * 1000L;
    }

    /** Convenience for tests and examples: the required windows plus every default. */
    public static StrategyParams of(int fast, int slow) {
        return new StrategyParams(fast, slow, 1, 0.0, 0.0, 60, false, null, null);
    }

    public StrategyParams withConfirmation(int n) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, n, transactionCostBps, slippageBps,
                barIntervalSeconds, allowShort, symbols, maxDrawdown);
    }

    public StrategyParams withCosts(double transactionBps, double slippage) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, smaConfirmationWindow, transactionBps, slippage,
                barIntervalSeconds, allowShort, symbols, maxDrawdown);
    }

    public StrategyParams withBarIntervalSeconds(long seconds) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, smaConfirmationWindow, transactionCostBps,
                slippageBps, seconds, allowShort, symbols, maxDrawdown);
    }

    public StrategyParams withAllowShort(boolean allow) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, smaConfirmationWindow, transactionCostBps,
                slippageBps, barIntervalSeconds, allow, symbols, maxDrawdown);
    }

    public StrategyParams withMaxDrawdown(Double limit) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, smaConfirmationWindow, transactionCostBps,
                slippageBps, barIntervalSeconds, allowShort, symbols, limit);
    }

    public StrategyParams withSymbols(List<String> list) {
        return new StrategyParams(smaFastWindow, smaSlowWindow, smaConfirmationWindow, transactionCostBps,
                slippageBps, barIntervalSeconds, allowShort, list, maxDrawdown);
    }
}
