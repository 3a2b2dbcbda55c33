package io.quantsignals.ops.sweeps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.PeriodFigures;
import io.quantsignals.core.analytics.PeriodSummary;
import io.quantsignals.core.analytics.RoundTrip;
import io.quantsignals.core.analytics.TradeStats;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@code sweeps report}: every run of a sweep with its figures over all its summaries (SPEC §9.1
 * "Sweeps"), ranked best first by one metric (undefined last, ties in the sweep's run order), and a
 * heat map of the metric over sma_fast_window × sma_slow_window (the best of a cell's runs when
 * other params vary too). Printed as a table, as JSON, or as one self-contained HTML page.
 */
final class SweepReport {

    /**
     * One run's line.
     *
     * @param order its place in the sweep's run order (0-based)
     * @param periods its summary rows (of the symbol, with {@code --symbol})
     * @param value the metric, null where undefined
     * @param rank 1 for the best; null for an undefined metric
     */
    record Entry(StrategyRun run, int order, long periods, Figures figures, Double value, Integer rank) {
        boolean hasSummaries() {
            return periods > 0;
        }
    }

    /**
     * One heat-map cell: the best of its runs.
     *
     * @param runs how many runs have this (fast, slow)
     * @param best the best of them by the metric (the first in run order among equals or when none is defined)
     */
    record Cell(int fast, int slow, int runs, Entry best) {
    }

    /**
     * @param fast the rows: sma_fast_window values, ascending
     * @param slow the columns: sma_slow_window values, ascending
     * @param cells [row][column]; null where no run has that pair
     * @param bestOverOthers some cell holds several runs (other params vary): each shows the best of them
     */
    record HeatMap(List<Integer> fast, List<Integer> slow, Cell[][] cells, boolean bestOverOthers) {
    }

    private final SweepContext context;
    private final SweepMetric metric;
    private final List<Entry> ranking;
    private final HeatMap heatMap;

    private SweepReport(SweepContext context, SweepMetric metric, List<Entry> ranking, HeatMap heatMap) {
        this.context = context;
        this.metric = metric;
        this.ranking = ranking;
        this.heatMap = heatMap;
    }

    /** The one-line "no summaries yet" explanation. */
    String noSummaries() {
        return context.noSummaries();
    }

    List<Entry> ranking() {
        return ranking;
    }

    HeatMap heatMap() {
        return heatMap;
    }

    /** Reads the sweep and every run's summaries (one run at a time) in the connection's snapshot. */
    static SweepReport read(Connection c, UUID id, SweepMetric metric, String symbol) throws SQLException {
        SweepContext context = SweepContext.read(c, id, symbol);
        SweepSummaries summaries = new SweepSummaries(c);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < context.runs().size(); i++) {
            StrategyRun run = context.runs().get(i);
            long interval = run.params().barIntervalSeconds();
            Map<String, List<PeriodSummary>> bySymbol = summaries.of(run, symbol);
            long periods = bySymbol.values().stream().mapToLong(List::size).sum();
            Figures f = bySymbol.isEmpty() ? PeriodFigures.empty(interval) : PeriodFigures.run(bySymbol.values(), interval);
            entries.add(new Entry(run, i, periods, f, metric.of(f), null));
        }
        return new SweepReport(context, metric, rank(entries), heatMap(entries));
    }

    /** Best first, undefined last; a stable sort, so equal values keep the sweep's run order. */
    static List<Entry> rank(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> SweepMetric.compareBestFirst(a.value(), b.value()));
        List<Entry> ranked = new ArrayList<>();
        int rank = 0;
        for (Entry e : sorted) {
            ranked.add(new Entry(e.run(), e.order(), e.periods(), e.figures(), e.value(), e.value() == null ? null : ++rank));
        }
        return List.copyOf(ranked);
    }

    private static HeatMap heatMap(List<Entry> entries) {
        TreeSet<Integer> fast = new TreeSet<>();
        TreeSet<Integer> slow = new TreeSet<>();
        entries.forEach(e -> {
            fast.add(e.run().params().smaFastWindow());
            slow.add(e.run().params().smaSlowWindow());
        });
        List<Integer> rows = List.copyOf(fast);
        List<Integer> columns = List.copyOf(slow);
        Cell[][] cells = new Cell[rows.size()][columns.size()];
        boolean several = false;
        for (Entry e : entries) {
            int r = rows.indexOf(e.run().params().smaFastWindow());
            int c = columns.indexOf(e.run().params().smaSlowWindow());
            Cell cell = cells[r][c];
            if (cell == null) {
                cells[r][c] = new Cell(rows.get(r), columns.get(c), 1, e);
            } else {
                several = true;
                // Entries come in run order: a later one replaces the best only when strictly better.
                Entry best = SweepMetric.compareBestFirst(e.value(), cell.best().value()) < 0 ? e : cell.best();
                cells[r][c] = new Cell(cell.fast(), cell.slow(), cell.runs() + 1, best);
            }
        }
        return new HeatMap(rows, columns, cells, several);
    }

    // ---- text -------------------------------------------------------------------------------------

    private static final List<String> FIGURE_HEADERS = List.of("SHARPE", "SORTINO", "CALMAR", "NET_RETURN",
            "ANNUALISED_RETURN", "MAX_DRAWDOWN", "WIN_RATE", "PROFIT_FACTOR", "EXPOSURE", "TRADES", "BUY_AND_HOLD", "BARS");

    /** The figures of a run as the table prints them ("-" for a run without summaries). */
    private static List<String> figureCells(Entry e) {
        Figures f = e.figures();
        if (!e.hasSummaries()) {
            return FIGURE_HEADERS.stream().map(h -> "-").toList();
        }
        TradeStats t = f.trades();
        return List.of(Formats.ratio(f.sharpe()), Formats.ratio(f.sortino()), Formats.ratio(f.calmar()),
                Formats.analytic(f.netReturn()), Formats.analytic(f.annualisedReturn()), Formats.analytic(f.maxDrawdown()),
                Formats.analytic(t.winRate()), Formats.ratio(t.profitFactor()), Formats.analytic(f.exposure()),
                Integer.toString(t.closed()), Formats.analytic(f.buyAndHold()), Long.toString(f.bars()));
    }

    /** The metric's value as the table prints it. */
    String valueText(Double value) {
        return metric.ratio() ? Formats.ratio(value) : Formats.analytic(value);
    }

    void printText(PrintWriter out) {
        out.printf("sweep %s  metric %s  symbols %s  runs %d (%d with summaries)%s%n", context.sweep().id(), metric.label(),
                TerminalText.escape(context.symbolsText()), context.runs().size(), context.span().runsWithRows(),
                context.span().rows() == 0 ? "" : "  periods " + day(context.span().firstPeriod()) + ".."
                        + day(context.span().lastPeriod()));
        List<String> header = new ArrayList<>(List.of("RANK", "STRATEGY_RUN_ID"));
        header.addAll(context.varying());
        header.addAll(FIGURE_HEADERS);
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (Entry e : ranking) {
            List<String> row = new ArrayList<>(List.of(e.rank() == null ? "-" : e.rank().toString(), e.run().id().toString()));
            context.varying().forEach(key -> row.add(TerminalText.escape(context.paramText(e.order(), key))));
            row.addAll(figureCells(e));
            rows.add(row);
        }
        printTable(out, rows, 2 + context.varying().size());
    }

    /** Columns padded to their widest cell; the first {@code leftColumns} left-aligned, the rest right-aligned. */
    static void printTable(PrintWriter out, List<List<String>> rows, int leftColumns) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String cell = row.get(i);
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(i < leftColumns ? cell + pad : pad + cell);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String day(long millis) {
        return Instant.ofEpochMilli(millis).toString().substring(0, 10);
    }

    // ---- JSON -------------------------------------------------------------------------------------

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("sweep_id", context.sweep().id().toString());
        node.put("metric", metric.label());
        node.put("symbol", context.symbol());
        node.put("runs", context.runs().size());
        node.put("runs_with_summaries", context.span().runsWithRows());
        node.put("first_period", context.span().rows() == 0 ? null : day(context.span().firstPeriod()));
        node.put("last_period", context.span().rows() == 0 ? null : day(context.span().lastPeriod()));
        ArrayNode varying = node.putArray("varying_params");
        context.varying().forEach(varying::add);
        ArrayNode ranked = node.putArray("ranking");
        for (Entry e : ranking) {
            ObjectNode row = ranked.addObject();
            if (e.rank() == null) {
                row.putNull("rank");
            } else {
                row.put("rank", e.rank());
            }
            row.put("strategy_run_id", e.run().id().toString());
            row.set("params", StrategyParamsParser.toJsonNode(e.run().params()));
            row.put("periods", e.periods());
            putNumber(row, "value", e.value());
            row.set("figures", figuresJson(mapper, e.figures()));
        }
        ObjectNode heat = node.putObject("heat_map");
        heat.put("rows", "sma_fast_window");
        heat.put("columns", "sma_slow_window");
        heat.put("best_over_other_params", heatMap.bestOverOthers());
        ArrayNode fast = heat.putArray("sma_fast_window");
        heatMap.fast().forEach(fast::add);
        ArrayNode slow = heat.putArray("sma_slow_window");
        heatMap.slow().forEach(slow::add);
        ArrayNode cells = heat.putArray("cells");
        for (Cell[] line : heatMap.cells()) {
            ArrayNode row = cells.addArray();
            for (Cell cell : line) {
                if (cell == null) {
                    row.addNull();
                    continue;
                }
                ObjectNode c = row.addObject();
                putNumber(c, "value", cell.best().value());
                c.put("strategy_run_id", cell.best().run().id().toString());
                c.put("runs", cell.runs());
            }
        }
        return node;
    }

    /** A run's figures as fractions, null where undefined (SPEC §9.1). */
    static ObjectNode figuresJson(ObjectMapper mapper, Figures f) {
        ObjectNode n = mapper.createObjectNode();
        n.put("bars", f.bars());
        n.put("first_bar", f.firstTime() == null ? null : Instant.ofEpochMilli(f.firstTime()).toString());
        n.put("last_bar", f.lastTime() == null ? null : Instant.ofEpochMilli(f.lastTime()).toString());
        putNumber(n, "net_return", f.netReturn());
        putNumber(n, "max_drawdown", f.maxDrawdown());
        putNumber(n, "bars_per_year", f.barsPerYear());
        putNumber(n, "annualised_return", f.annualisedReturn());
        putNumber(n, "sharpe", f.sharpe());
        putNumber(n, "sortino", f.sortino());
        putNumber(n, "calmar", f.calmar());
        putNumber(n, "exposure", f.exposure());
        putNumber(n, "buy_and_hold", f.buyAndHold());
        TradeStats t = f.trades();
        n.put("trades", t.closed());
        n.put("wins", t.wins());
        n.put("losses", t.losses());
        putNumber(n, "win_rate", t.winRate());
        putNumber(n, "profit_factor", t.profitFactor());
        putNumber(n, "average_trade", t.averagePnl());
        if (t.averageDurationMillis() == null) {
            n.putNull("average_trade_duration_ms");
        } else {
            n.put("average_trade_duration_ms", t.averageDurationMillis());
        }
        n.set("best_trade", tripJson(mapper, t.best()));
        n.set("worst_trade", tripJson(mapper, t.worst()));
        return n;
    }

    private static ObjectNode tripJson(ObjectMapper mapper, RoundTrip t) {
        if (t == null) {
            return null;
        }
        ObjectNode n = mapper.createObjectNode();
        n.put("symbol", t.symbol());
        n.put("pnl", t.pnl());
        n.put("entry_time", Instant.ofEpochMilli(t.entryTime()).toString());
        if (t.durationMillis() == null) {
            n.putNull("duration_ms");
        } else {
            n.put("duration_ms", t.durationMillis());
        }
        return n;
    }

    static void putNumber(ObjectNode node, String name, Double value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    // ---- HTML -------------------------------------------------------------------------------------

    private static final String CSS = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
            + "h1 code{font-size:0.8em}table{border-collapse:collapse;margin:0.5em 0 1.5em}"
            + "th,td{border:1px solid #ccc;padding:0.25em 0.5em;font-variant-numeric:tabular-nums}"
            + "th{background:#f3f3f3}td.num{text-align:right}table.kv th{text-align:left}"
            + "table.heat td{text-align:center;min-width:4.5em}td.na{background:#e6e6e6;color:#666}"
            + "td.empty{background:#fff;color:#aaa}p.note{color:#555;max-width:60em}code{font-size:0.95em}";

    String html(Instant generatedAt) {
        StringBuilder h = new StringBuilder(16 * 1024);
        String id = context.sweep().id().toString();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Sweep report ")
                .append(escape(id)).append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>Sweep report <code>").append(escape(id)).append("</code></h1>\n<table class=\"kv\">\n");
        kv(h, "sweep_id", id);
        kv(h, "strategy", context.sweep().strategy());
        kv(h, "created_by", context.sweep().createdBy());
        kv(h, "created_at", context.sweep().createdAt().toString());
        kv(h, "store_metrics", context.sweep().storeMetrics().dbValue());
        kv(h, "grid", context.sweep().grid());
        kv(h, "metric", metric.label());
        kv(h, "symbols", context.symbolsText());
        kv(h, "runs", context.runs().size() + " (" + context.span().runsWithRows() + " with summaries)");
        if (context.span().rows() > 0) {
            kv(h, "periods", day(context.span().firstPeriod()) + " .. " + day(context.span().lastPeriod()) + " (UTC days)");
        }
        kv(h, "generated_at", generatedAt.toString());
        h.append("</table>\n");
        if (context.span().rows() == 0) {
            h.append("<p class=\"note\" id=\"no-summaries\">").append(escape(context.noSummaries())).append("</p>\n");
        }
        heatMapHtml(h);
        rankingHtml(h);
        h.append("<p class=\"note\">Figures over each run's summaries (contract &sect;9.1): a run of several symbols"
                + " shows the mean of its symbols' figures, trades pooled; n/a: undefined for the data; -: no summaries."
                + "</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private void heatMapHtml(StringBuilder h) {
        h.append("<h2>Heat map: ").append(escape(metric.label())).append(" by sma_fast_window &times; sma_slow_window</h2>\n");
        if (heatMap.bestOverOthers()) {
            h.append("<p class=\"note\" id=\"best-over-others\">Other params vary too (")
                    .append(escape(String.join(", ", context.varying().stream()
                            .filter(k -> !k.equals("sma_fast_window") && !k.equals("sma_slow_window")).toList())))
                    .append("): each cell shows the best ").append(escape(metric.label()))
                    .append(" over them; hover for its run.</p>\n");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Cell[] line : heatMap.cells()) {
            for (Cell cell : line) {
                if (cell != null && cell.best().value() != null) {
                    min = Math.min(min, cell.best().value());
                    max = Math.max(max, cell.best().value());
                }
            }
        }
        h.append("<table class=\"heat\">\n<tr><th>fast \\ slow</th>");
        heatMap.slow().forEach(s -> h.append("<th>").append(s).append("</th>"));
        h.append("</tr>\n");
        for (int r = 0; r < heatMap.fast().size(); r++) {
            h.append("<tr><th>").append(heatMap.fast().get(r)).append("</th>");
            for (int c = 0; c < heatMap.slow().size(); c++) {
                Cell cell = heatMap.cells()[r][c];
                if (cell == null) {
                    h.append("<td class=\"empty\">&mdash;</td>");
                    continue;
                }
                Double v = cell.best().value();
                String attrs = " data-fast=\"" + cell.fast() + "\" data-slow=\"" + cell.slow() + "\" data-run=\""
                        + cell.best().run().id() + "\" title=\"" + escape(cell.best().run().id().toString()
                        + (cell.runs() > 1 ? " (best of " + cell.runs() + " runs)" : "")) + "\"";
                if (v == null) {
                    h.append("<td class=\"na\"").append(attrs).append(">n/a</td>");
                } else {
                    double t = max > min ? (v - min) / (max - min) : 1.0;
                    // Red (worst) through yellow to green (best).
                    h.append("<td class=\"cell\"").append(attrs).append(String.format(Locale.ROOT,
                            " style=\"background:hsl(%.0f,70%%,72%%)\">", t * 120)).append(escape(valueText(v)))
                            .append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private void rankingHtml(StringBuilder h) {
        h.append("<h2>Ranking by ").append(escape(metric.label())).append(" (best first)</h2>\n<table class=\"ranking\">\n<tr>");
        List<String> header = new ArrayList<>(List.of("rank", "strategy_run_id"));
        header.addAll(context.varying());
        FIGURE_HEADERS.forEach(f -> header.add(f.toLowerCase(Locale.ROOT)));
        header.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
        h.append("</tr>\n");
        for (Entry e : ranking) {
            h.append("<tr data-run=\"").append(e.run().id()).append("\"><td class=\"num\">")
                    .append(e.rank() == null ? "-" : e.rank()).append("</td><td><code>").append(e.run().id())
                    .append("</code></td>");
            context.varying().forEach(key -> h.append("<td class=\"num\">").append(escape(context.paramText(e.order(), key)))
                    .append("</td>"));
            figureCells(e).forEach(v -> h.append("<td class=\"num\">").append(escape(v)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void kv(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    /** HTML text and attribute escaping; control characters as visible escapes (stored text is printed). */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : TerminalText.escape(s).toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
