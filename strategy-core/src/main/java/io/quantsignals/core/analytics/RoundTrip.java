package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.PositionTransition;

/**
 * One round-trip trade of one symbol: from the transition that opened a position (out of flat, or
 * the new side of a flip) to the transition that closed or flipped it (README "Run analytics").
 *
 * @param direction 1 long, -1 short
 * @param entryTime the opening transition's time (a bar time), epoch ms
 * @param entryPrice that bar's close
 * @param entryFillPrice the opening transition's fill price, or null if the transition row is missing
 * @param exitTime the closing transition's time, epoch ms; null while open
 * @param exitPrice the closing transition's price (a bar close, or a flatten's price); null while open
 * @param exitFillPrice its fill price; null while open
 * @param exitReason the closing transition's reason; null while open (or without a transition row)
 * @param pnl the product of (1 + the trade's share of each bar's net return) − 1, entry and exit
 *     costs included; for an open trade, up to the last bar (its exit costs not yet paid)
 * @param closed false for a trade still open after the run's last row
 */
public record RoundTrip(String symbol, int direction, long entryTime, double entryPrice, Double entryFillPrice,
        Long exitTime, Double exitPrice, Double exitFillPrice, PositionTransition.Reason exitReason, double pnl,
        boolean closed) {

    /** Exit time − entry time in ms; null while open. */
    public Long durationMillis() {
        return exitTime == null ? null : exitTime - entryTime;
    }
}
