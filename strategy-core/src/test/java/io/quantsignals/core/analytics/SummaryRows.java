package io.quantsignals.core.analytics;

import io.quantsignals.core.strategy.MetricRow;

import java.util.ArrayList;
import java.util.List;

/**
 * Test side: the strategy_run_summaries rows of one (run, symbol) built straight from its metric
 * rows and round trips by the column definitions ({@link PeriodSummary}, SPEC §4), independently of
 * the job's accumulator. A closed trade counts in the period of its exit time (a bar time here:
 * backtests have no kill-switch flatten).
 */
final class SummaryRows {

    private SummaryRows() {
    }

    static List<PeriodSummary> of(String runId, String symbol, List<MetricRow> bars, List<RoundTrip> trips) {
        List<PeriodSummary> out = new ArrayList<>();
        double previousEquity = 1.0;
        int i = 0;
        while (i < bars.size()) {
            long period = PeriodSummary.periodOf(bars.get(i).metricTime());
            int j = i;
            while (j < bars.size() && PeriodSummary.periodOf(bars.get(j).metricTime()) == period) {
                j++;
            }
            List<MetricRow> day = bars.subList(i, j);
            long n = 0;
            double mean = 0;
            double m2 = 0;
            double downside = 0;
            double start = previousEquity;
            double peak = start;
            double maxEquity = Double.NEGATIVE_INFINITY;
            double minEquity = Double.POSITIVE_INFINITY;
            double periodDrawdown = 0;
            double minDrawdown = 0;
            long exposed = 0;
            for (MetricRow m : day) {
                n++;
                double delta = m.netReturn() - mean;
                mean += delta / n;
                m2 += delta * (m.netReturn() - mean);
                double down = Math.min(m.netReturn(), 0.0);
                downside += down * down;
                double equity = 1.0 + m.cumulativeReturn();
                maxEquity = Math.max(maxEquity, equity);
                minEquity = Math.min(minEquity, equity);
                peak = Math.max(peak, equity);
                periodDrawdown = Math.min(periodDrawdown, equity / peak - 1.0);
                minDrawdown = Math.min(minDrawdown, m.drawdown());
                if (m.position() != 0) {
                    exposed++;
                }
                previousEquity = equity;
            }
            int closed = 0;
            int won = 0;
            int lost = 0;
            double wonPnl = 0;
            double lostPnl = 0;
            double pnlSum = 0;
            long durations = 0;
            RoundTrip best = null;
            RoundTrip worst = null;
            for (RoundTrip t : trips) {
                if (!t.closed() || PeriodSummary.periodOf(t.exitTime()) != period) {
                    continue;
                }
                closed++;
                pnlSum += t.pnl();
                durations += t.durationMillis();
                if (t.pnl() > 0) {
                    won++;
                    wonPnl += t.pnl();
                } else if (t.pnl() < 0) {
                    lost++;
                    lostPnl += t.pnl();
                }
                if (best == null || t.pnl() > best.pnl()) {
                    best = t;
                }
                if (worst == null || t.pnl() < worst.pnl()) {
                    worst = t;
                }
            }
            MetricRow first = day.get(0);
            MetricRow last = day.get(day.size() - 1);
            out.add(new PeriodSummary(runId, symbol, period, n, first.metricTime(), last.metricTime(), mean, m2, downside,
                    start, 1.0 + last.cumulativeReturn(), maxEquity, minEquity, periodDrawdown, minDrawdown, exposed,
                    first.price(), last.price(), closed, won, lost, wonPnl, lostPnl, pnlSum, durations,
                    best == null ? null : best.pnl(), best == null ? null : best.entryTime(),
                    best == null ? null : best.durationMillis(), worst == null ? null : worst.pnl(),
                    worst == null ? null : worst.entryTime(), worst == null ? null : worst.durationMillis()));
            i = j;
        }
        return out;
    }
}
