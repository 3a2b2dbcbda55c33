package io.quantsignals.job.signal;

import io.quantsignals.core.strategy.PendingBars;
import io.quantsignals.core.strategy.SmaCrossState;

/**
 * Everything the job keeps for one (run, symbol): the strategy's state, the bars not complete
 * yet and, for a REPLAY run, its own event-time clock (see {@link SignalFunction}). A Flink POJO,
 * stored as the value of a {@code MapState<run id, RunSymbolState>} under the symbol's key.
 */
public class RunSymbolState {
    public SmaCrossState strategy;
    public PendingBars pending = new PendingBars();
    /** REPLAY runs only: the watermark of this run's replay of this symbol. */
    public long replayClock = Long.MIN_VALUE;

    public RunSymbolState() {
    }
}
