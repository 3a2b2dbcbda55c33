package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.PositionTransition;
import io.quantsignals.core.strategy.PositionTransition.Reason;

/**
 * A {@link PositionTransition} as a Flink POJO: what {@link SummaryState} holds of the transitions
 * given since the last bar (a record is not a POJO). The fields are the record's; the reason is its
 * {@link Reason#name()}.
 */
public class PendingTransition {

    public long eventTime;
    public int fromPosition;
    public int toPosition;
    public double price;
    public double fillPrice;
    public double transactionCost;
    public double slippageCost;
    /** {@link Reason#name()}. */
    public String reason;

    /** An empty slot (also what Flink's POJO serializer instantiates). */
    public PendingTransition() {
    }

    /** The POJO form of {@code t}. */
    public static PendingTransition of(PositionTransition t) {
        PendingTransition p = new PendingTransition();
        p.eventTime = t.eventTime();
        p.fromPosition = t.fromPosition();
        p.toPosition = t.toPosition();
        p.price = t.price();
        p.fillPrice = t.fillPrice();
        p.transactionCost = t.transactionCost();
        p.slippageCost = t.slippageCost();
        p.reason = t.reason().name();
        return p;
    }

    /** The record again, equal to the one given to {@link #of}. */
    public PositionTransition toTransition() {
        return new PositionTransition(eventTime, fromPosition, toPosition, price, fillPrice, transactionCost,
                slippageCost, Reason.valueOf(reason));
    }
}
