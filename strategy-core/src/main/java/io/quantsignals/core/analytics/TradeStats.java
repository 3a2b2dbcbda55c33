package io.quantsignals.core.analytics;

import java.util.ArrayList;
import java.util.List;

/**
 * What the closed round trips of a symbol (or of every symbol pooled) add up to. Open trades are
 * listed but count nowhere else: their PnL is not final.
 *
 * @param closed closed round trips
 * @param wins closed trades with PnL &gt; 0
 * @param losses closed trades with PnL &lt; 0 (a trade at exactly 0 is neither)
 * @param winRate wins / closed; null without closed trades
 * @param profitFactor Σ winning PnL / |Σ losing PnL|; null without losses (undefined, not infinite)
 * @param averagePnl arithmetic mean of the closed trades' PnL; null without closed trades
 * @param averageDurationMillis mean of their durations, rounded to the ms; null without closed trades
 * @param best the closed trade with the highest PnL (the earliest of equals); null without
 * @param worst the closed trade with the lowest PnL (the earliest of equals); null without
 * @param open trades still open after the run's last row, by entry time
 */
public record TradeStats(int closed, int wins, int losses, Double winRate, Double profitFactor, Double averagePnl,
        Long averageDurationMillis, RoundTrip best, RoundTrip worst, List<RoundTrip> open) {

    public TradeStats {
        open = List.copyOf(open);
    }

    /** The statistics of {@code trades} (any order; ties for best and worst go to the earliest entry). */
    public static TradeStats of(List<RoundTrip> trades) {
        List<RoundTrip> sorted = new ArrayList<>(trades);
        sorted.sort((a, b) -> Long.compare(a.entryTime(), b.entryTime()));
        int closed = 0;
        int wins = 0;
        int losses = 0;
        double won = 0;
        double lost = 0;
        double pnlSum = 0;
        double durationSum = 0;
        RoundTrip best = null;
        RoundTrip worst = null;
        List<RoundTrip> open = new ArrayList<>();
        for (RoundTrip t : sorted) {
            if (!t.closed()) {
                open.add(t);
                continue;
            }
            closed++;
            pnlSum += t.pnl();
            durationSum += t.durationMillis();
            if (t.pnl() > 0) {
                wins++;
                won += t.pnl();
            } else if (t.pnl() < 0) {
                losses++;
                lost += t.pnl();
            }
            if (best == null || t.pnl() > best.pnl()) {
                best = t;
            }
            if (worst == null || t.pnl() < worst.pnl()) {
                worst = t;
            }
        }
        if (closed == 0) {
            return new TradeStats(0, 0, 0, null, null, null, null, null, null, open);
        }
        return new TradeStats(closed, wins, losses, (double) wins / closed, losses == 0 ? null : won / -lost,
                pnlSum / closed, Math.round(durationSum / closed), best, worst, open);
    }
}
