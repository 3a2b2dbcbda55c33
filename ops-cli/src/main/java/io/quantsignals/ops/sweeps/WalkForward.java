package io.quantsignals.ops.sweeps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.PeriodFigures;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.run.SweepSummaries;
import io.quantsignals.ops.report.Formats;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code sweeps walk-forward} (SPEC §9, §9.1 "Walk-forward"). Windows are anchored at the first
 * period of the sweep's summaries: window k trains on {@code [t_k, t_k + train)} and tests on
 * {@code [t_k + train, t_k + train + test)}, {@code t_k = first + k·test}, for as long as the whole
 * test window lies within the data (a partial last test window is left out). Per window the run
 * with the best metric over the train window is chosen (ties: the earlier run in the sweep's run
 * order; a run with the metric undefined is never chosen) and evaluated on the test window. The
 * stitched out-of-sample equity is the product of the chosen runs' test-window equity ratios
 * ({@code 1 + net return}; a window without a choice, or a chosen run without bars in its test
 * window, counts as 1); the stitched in-sample equity the product of their train-window ratios; the
 * benchmark is the single run with the best metric over the whole out-of-sample span, in hindsight.
 */
final class WalkForward {

    private static final long DAY = PeriodSummary.PERIOD_MILLIS;

    /**
     * One run's figures over every window.
     *
     * @param order its place in the sweep's run order
     */
    record RunWindows(StrategyRun run, int order, Figures[] train, Figures[] test, Figures outOfSample) {
    }

    /**
     * One window and its choice.
     *
     * @param chosen the run chosen on the train window, null when no run's metric is defined there
     */
    record Window(int index, long trainFrom, long trainTo, long testTo, RunWindows chosen) {
        Figures train() {
            return chosen == null ? null : chosen.train()[index];
        }

        Figures test() {
            return chosen == null ? null : chosen.test()[index];
        }
    }

    private final SweepContext context;
    private final SweepMetric metric;
    private final long trainMillis;
    private final long testMillis;
    private final List<Window> windows;
    private final RunWindows best;

    private WalkForward(SweepContext context, SweepMetric metric, long trainMillis, long testMillis, List<Window> windows,
            RunWindows best) {
        this.context = context;
        this.metric = metric;
        this.trainMillis = trainMillis;
        this.testMillis = testMillis;
        this.windows = windows;
        this.best = best;
    }

    List<Window> windows() {
        return windows;
    }

    /** The best run over the whole out-of-sample span, or null when none is defined there. */
    RunWindows best() {
        return best;
    }

    /**
     * @param trainDays whole days, ≥ 1
     * @param testDays whole days, ≥ 1
     */
    static WalkForward read(Connection c, UUID id, SweepMetric metric, String symbol, long trainDays, long testDays)
            throws SQLException {
        SweepContext context = SweepContext.read(c, id, symbol);
        SweepSummaries.Span span = context.span();
        if (span.rows() == 0) {
            throw new InvalidInputException(context.noSummaries());
        }
        if (span.days() < trainDays + testDays) {
            throw new InvalidInputException(String.format("sweep %s has %d days of summaries (%s .. %s), fewer than"
                    + " --train %dd + --test %dd", id, span.days(), SweepReport.day(span.firstPeriod()),
                    SweepReport.day(span.lastPeriod()), trainDays, testDays));
        }
        long train = trainDays * DAY;
        long test = testDays * DAY;
        long anchor = span.firstPeriod();
        long end = span.lastPeriod() + DAY;
        int count = (int) ((end - anchor - train) / test);
        long oosFrom = anchor + train;
        long oosTo = anchor + train + count * test;
        SweepSummaries summaries = new SweepSummaries(c);
        List<RunWindows> runs = new ArrayList<>();
        for (int i = 0; i < context.runs().size(); i++) {
            StrategyRun run = context.runs().get(i);
            long interval = run.params().barIntervalSeconds();
            Map<String, List<PeriodSummary>> bySymbol = summaries.of(run, symbol);
            Figures[] trainFigures = new Figures[count];
            Figures[] testFigures = new Figures[count];
            for (int k = 0; k < count; k++) {
                long from = anchor + k * test;
                trainFigures[k] = PeriodFigures.runWindow(bySymbol.values(), from, from + train, interval);
                testFigures[k] = PeriodFigures.runWindow(bySymbol.values(), from + train, from + train + test, interval);
            }
            runs.add(new RunWindows(run, i, trainFigures, testFigures,
                    PeriodFigures.runWindow(bySymbol.values(), oosFrom, oosTo, interval)));
        }
        List<Window> windows = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            long from = anchor + k * test;
            RunWindows chosen = null;
            for (RunWindows r : runs) {
                Double v = metric.of(r.train()[k]);
                if (v != null && (chosen == null || v > metric.of(chosen.train()[k]))) {
                    chosen = r;
                }
            }
            windows.add(new Window(k, from, from + train, from + train + test, chosen));
        }
        RunWindows best = null;
        for (RunWindows r : runs) {
            Double v = metric.of(r.outOfSample());
            if (v != null && (best == null || v > metric.of(best.outOfSample()))) {
                best = r;
            }
        }
        return new WalkForward(context, metric, train, test, List.copyOf(windows), best);
    }

    /** 1 + net return, or 1 without bars (no position, no change). */
    static double ratio(Figures f) {
        return f == null || f.netReturn() == null ? 1.0 : 1.0 + f.netReturn();
    }

    double stitchedOutOfSample() {
        double e = 1.0;
        for (Window w : windows) {
            e *= ratio(w.test());
        }
        return e;
    }

    double stitchedInSample() {
        double e = 1.0;
        for (Window w : windows) {
            e *= ratio(w.train());
        }
        return e;
    }

    long outOfSampleFrom() {
        return windows.get(0).trainTo();
    }

    long outOfSampleTo() {
        return windows.get(windows.size() - 1).testTo();
    }

    // ---- output -----------------------------------------------------------------------------------

    private String value(Double v) {
        return metric.ratio() ? Formats.ratio(v) : Formats.analytic(v);
    }

    private String params(RunWindows r) {
        if (r == null) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        context.varying().forEach(key -> parts.add(key + "=" + context.paramText(r.order(), key)));
        return TerminalText.escape(parts.isEmpty() ? "-" : String.join(" ", parts));
    }

    void printText(PrintWriter out) {
        String label = metric.label().toUpperCase(java.util.Locale.ROOT);
        out.printf("sweep %s  metric %s  symbols %s  train %dd  test %dd  windows %d%n", context.sweep().id(),
                metric.label(), TerminalText.escape(context.symbolsText()), trainMillis / DAY, testMillis / DAY,
                windows.size());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("WINDOW", "TRAIN", "TEST", "STRATEGY_RUN_ID", "PARAMS", "IS_" + label, "OOS_" + label,
                "IS_RETURN", "OOS_RETURN", "OOS_EQUITY"));
        double equity = 1.0;
        for (Window w : windows) {
            equity *= ratio(w.test());
            rows.add(List.of(Integer.toString(w.index() + 1),
                    SweepReport.day(w.trainFrom()) + ".." + SweepReport.day(w.trainTo()),
                    SweepReport.day(w.trainTo()) + ".." + SweepReport.day(w.testTo()),
                    w.chosen() == null ? "-" : w.chosen().run().id().toString(), params(w.chosen()),
                    w.chosen() == null ? "-" : value(metric.of(w.train())), w.chosen() == null ? "-" : value(metric.of(w.test())),
                    w.chosen() == null ? "-" : Formats.analytic(w.train().netReturn()),
                    w.chosen() == null ? "-" : Formats.analytic(w.test().netReturn()),
                    Formats.fixed(equity, 6)));
        }
        SweepReport.printTable(out, rows, 5);
        String span = SweepReport.day(outOfSampleFrom()) + ".." + SweepReport.day(outOfSampleTo());
        out.printf("stitched out-of-sample equity  %s (%s) over %s%n", Formats.fixed(stitchedOutOfSample(), 6),
                Formats.percent(stitchedOutOfSample() - 1), span);
        out.printf("stitched in-sample equity      %s (%s)%n", Formats.fixed(stitchedInSample(), 6),
                Formats.percent(stitchedInSample() - 1));
        if (best == null) {
            out.printf("best single run over %s       none: %s undefined for every run%n", span, metric.label());
        } else {
            out.printf("best single run over %s: %s %s  %s %s  equity %s (%s)%n", span, best.run().id(), params(best),
                    metric.label(), value(metric.of(best.outOfSample())), Formats.fixed(ratio(best.outOfSample()), 6),
                    Formats.percent(ratio(best.outOfSample()) - 1));
        }
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("sweep_id", context.sweep().id().toString());
        node.put("metric", metric.label());
        node.put("symbol", context.symbol());
        node.put("train_days", trainMillis / DAY);
        node.put("test_days", testMillis / DAY);
        node.put("first_period", SweepReport.day(context.span().firstPeriod()));
        node.put("last_period", SweepReport.day(context.span().lastPeriod()));
        ArrayNode array = node.putArray("windows");
        double equity = 1.0;
        for (Window w : windows) {
            equity *= ratio(w.test());
            ObjectNode n = array.addObject();
            n.put("window", w.index() + 1);
            n.put("train_from", Instant.ofEpochMilli(w.trainFrom()).toString());
            n.put("train_to", Instant.ofEpochMilli(w.trainTo()).toString());
            n.put("test_from", Instant.ofEpochMilli(w.trainTo()).toString());
            n.put("test_to", Instant.ofEpochMilli(w.testTo()).toString());
            if (w.chosen() == null) {
                n.putNull("strategy_run_id");
                n.putNull("params");
                n.putNull("in_sample");
                n.putNull("out_of_sample");
                n.putNull("in_sample_return");
                n.putNull("out_of_sample_return");
            } else {
                n.put("strategy_run_id", w.chosen().run().id().toString());
                n.set("params", StrategyParamsParser.toJsonNode(w.chosen().run().params()));
                SweepReport.putNumber(n, "in_sample", metric.of(w.train()));
                SweepReport.putNumber(n, "out_of_sample", metric.of(w.test()));
                SweepReport.putNumber(n, "in_sample_return", w.train().netReturn());
                SweepReport.putNumber(n, "out_of_sample_return", w.test().netReturn());
            }
            n.put("out_of_sample_equity", equity);
        }
        ObjectNode stitched = node.putObject("stitched");
        stitched.put("out_of_sample_from", Instant.ofEpochMilli(outOfSampleFrom()).toString());
        stitched.put("out_of_sample_to", Instant.ofEpochMilli(outOfSampleTo()).toString());
        stitched.put("out_of_sample_equity", stitchedOutOfSample());
        stitched.put("in_sample_equity", stitchedInSample());
        if (best == null) {
            node.putNull("best_single_run");
        } else {
            ObjectNode b = node.putObject("best_single_run");
            b.put("strategy_run_id", best.run().id().toString());
            b.set("params", StrategyParamsParser.toJsonNode(best.run().params()));
            SweepReport.putNumber(b, "value", metric.of(best.outOfSample()));
            b.put("equity", ratio(best.outOfSample()));
        }
        return node;
    }
}
