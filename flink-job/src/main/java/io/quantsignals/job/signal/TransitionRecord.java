package io.quantsignals.job.signal;

import io.quantsignals.core.strategy.PositionTransition;

/** One {@code strategy_positions_stream} row: a position change of one run and symbol (Flink POJO). */
public class TransitionRecord {
    public String runId;
    public String symbol;
    public long eventTime;
    public int fromPosition;
    public int toPosition;
    public double price;
    public double fillPrice;
    public double transactionCost;
    public double slippageCost;
    public String reason;

    public TransitionRecord() {
    }

    public TransitionRecord(String runId, String symbol, PositionTransition t) {
        this.runId = runId;
        this.symbol = symbol;
        this.eventTime = t.eventTime();
        this.fromPosition = t.fromPosition();
        this.toPosition = t.toPosition();
        this.price = t.price();
        this.fillPrice = t.fillPrice();
        this.transactionCost = t.transactionCost();
        this.slippageCost = t.slippageCost();
        this.reason = t.reason().name();
    }
}
