package io.quantsignals.core.strategy;

import io.quantsignals.core.analytics.SummaryState;

/**
 * Everything kept for one (run, symbol): the strategy's state and, for a live run, the bars not
 * complete yet (a REPLAY run's bars are built per replay stream, {@link ReplayBarsState}). A Flink
 * POJO (public fields, no-arg constructor), stored by the job as the value of a {@code
 * MapState<run id, RunSymbolState>} under the symbol's key.
 */
public class RunSymbolState {
    /** Null until the first tick: the strategy starts with the params of that moment. */
    public SmaCrossState strategy;
    /** Live runs only: the bars with ticks the watermark has not completed. */
    public PendingBars pending = new PendingBars();
    /** A sweep's run that keeps summaries only: the open period's sums (null otherwise). */
    public SummaryState summary;

    public RunSymbolState() {
    }
}
