package io.quantsignals.core.params;

/**
 * A parameter set whose only fault is {@code sma_slow_window <= sma_fast_window}: every other rule
 * held (see {@link StrategyParamsParser#fromObject}). A sweep's grid crosses the two windows, so it
 * meets this routinely and skips the combination; anywhere else it is an ordinary invalid set.
 */
public final class WindowOrderException extends InvalidParamsException {
    public WindowOrderException(int slow, int fast) {
        super(StrategyParamsParser.SMA_SLOW_WINDOW + " (" + slow + ") must be greater than "
                + StrategyParamsParser.SMA_FAST_WINDOW + " (" + fast + ")");
    }
}
