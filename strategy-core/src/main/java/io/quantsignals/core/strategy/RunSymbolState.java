package io.quantsignals.core.strategy;

/**
 * Everything kept for one (run, symbol): the strategy's state, the bars not complete yet and, for a
 * REPLAY run, its own event-time clock (see {@link RunSymbolEvaluator}). A Flink POJO (public
 * fields, no-arg constructor), stored by the job as the value of a {@code MapState<run id,
 * RunSymbolState>} under the symbol's key.
 */
public class RunSymbolState {
    /** Null until the first tick: the strategy starts with the params of that moment. */
    public SmaCrossState strategy;
    public PendingBars pending = new PendingBars();
    /** REPLAY runs only: the watermark of this run's replay of this symbol. */
    public long replayClock = Long.MIN_VALUE;

    public RunSymbolState() {
    }
}
