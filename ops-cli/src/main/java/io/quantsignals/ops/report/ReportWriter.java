package io.quantsignals.ops.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.analytics.Figures;
import io.quantsignals.core.analytics.RunAnalytics;
import io.quantsignals.core.analytics.TradeStats;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.PositionTransition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a run's figures, chart points and transitions into one self-contained HTML page.
 *
 * <p>The page is {@code report/template.html} with its {@code {{name}}} slots filled: the uPlot
 * library and the report's own CSS and JS inline, a static header (run, parameters, summary table)
 * rendered here with every value HTML-escaped, and the per-symbol data as JSON in a
 * {@code <script type="application/json">} block, which {@code report.js} turns into charts and
 * tables (inserting text only through {@code textContent}). In that JSON {@code <}, {@code >} and
 * {@code &} are written as {@code \u003c} etc., so no value can close the script element.
 */
final class ReportWriter {

    static final String UPLOT_VERSION = "1.6.32";

    private static final Pattern SLOT = Pattern.compile("\\{\\{([a-z_]+)}}");

    /** JSON that is safe inside a script element: no raw '<', '>' or '&'. */
    private static final ObjectMapper SCRIPT_SAFE_JSON = new ObjectMapper();

    static {
        SCRIPT_SAFE_JSON.getFactory().setCharacterEscapes(new HtmlSafeEscapes());
    }

    /**
     * Everything about one symbol the page shows.
     *
     * @param analytics the symbol's analytics, null for a symbol with transitions but no bars
     */
    record SymbolData(RunResults.SymbolSummary summary, ChartSeries<MetricRow> chart,
            List<PositionTransition> transitions, RunAnalytics.SymbolResult analytics) {
    }

    /** One point of the portfolio chart (RunAnalytics' equal-weight portfolio). */
    record PortfolioPoint(long time, double equity, double buyAndHold, double drawdown) {

        /** A chart of at most {@code total} points that keeps each bucket's extremes of all three values. */
        static ChartSeries<PortfolioPoint> chart(long total) {
            return new ChartSeries<>(total, PortfolioPoint::time,
                    List.of(PortfolioPoint::equity, PortfolioPoint::buyAndHold, PortfolioPoint::drawdown));
        }
    }

    private ReportWriter() {
    }

    static String html(RunSummary summary, List<SymbolData> symbols, ChartSeries<PortfolioPoint> portfolio,
            Instant generatedAt) {
        StrategyRun run = summary.run();
        Map<String, String> slots = Map.of(
                "title", escape("Run report " + run.id()),
                "uplot_version", UPLOT_VERSION,
                "uplot_css", resource("uplot.min.css"),
                "uplot_license", resource("uplot.LICENSE").replace("*/", "* /"),
                "uplot_js", resource("uplot.min.js"),
                "report_css", resource("report.css"),
                "report_js", resource("report.js"),
                "header", header(summary, generatedAt),
                "data", data(summary, symbols, portfolio));
        return fill(resource("template.html"), slots);
    }

    /** Replaces each {{name}} of the template once; filled-in text is never scanned again. */
    static String fill(String template, Map<String, String> slots) {
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64 * 1024);
        while (m.find()) {
            String value = slots.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("report template slot {{" + m.group(1) + "}} has no value");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    // ---- static header -------------------------------------------------------------------------

    private static String header(RunSummary summary, Instant generatedAt) {
        StrategyRun run = summary.run();
        StringBuilder h = new StringBuilder(4096);
        h.append("<header>\n<h1>Run report <code>").append(escape(run.id().toString())).append("</code></h1>\n");
        banner(h, summary.halts());
        h.append("<div class=\"columns\">\n<table class=\"kv\"><caption>Run</caption>\n");
        row(h, "strategy_run_id", run.id().toString());
        row(h, "strategy", run.strategy());
        row(h, "run_type", run.runType().name());
        row(h, "status", summary.status());
        row(h, "created_by", run.createdBy());
        row(h, "created_at", text(run.createdAt()));
        row(h, "updated_at", text(run.updatedAt()));
        row(h, "ended_at", text(run.endedAt()));
        row(h, "report generated", text(generatedAt));
        h.append("</table>\n<table class=\"kv\"><caption>Parameters</caption>\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = StrategyParamsParser.toJsonNode(run.params()).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            row(h, field.getKey(), field.getValue().toString());
        }
        h.append("</table>\n</div>\n");

        h.append("<div class=\"scroll\"><table class=\"summary\" id=\"summary\"><caption>Summary</caption>\n<thead><tr>")
                .append("<th>symbol</th><th>bars</th><th>first bar (UTC)</th><th>last bar (UTC)</th><th>net return</th>")
                .append("<th>max drawdown</th><th>trades</th><th>turnover</th><th>transaction cost</th>")
                .append("<th>slippage cost</th><th>total cost</th></tr></thead>\n<tbody>\n");
        List<RunResults.SymbolSummary> list = summary.symbols();
        for (int i = 0; i < list.size(); i++) {
            RunResults.SymbolSummary s = list.get(i);
            h.append("<tr><td><a href=\"#sym-").append(i).append("\">").append(escape(s.symbol())).append("</a></td>");
            cells(h, Long.toString(s.bars()), text(s.firstBar()), text(s.lastBar()), Formats.percent(s.netReturn()),
                    Formats.percent(s.maxDrawdown()), Long.toString(s.trades()), Long.toString(s.turnover()),
                    Formats.costPercent(s.transactionCost()), Formats.costPercent(s.slippageCost()),
                    Formats.costPercent(s.totalCost()));
            h.append("</tr>\n");
        }
        h.append("</tbody>\n<tfoot><tr><th>all symbols</th>");
        cells(h, Long.toString(summary.bars()), "", "", Formats.percent(summary.netReturn()),
                Formats.percent(summary.maxDrawdown()), Long.toString(summary.trades()), Long.toString(summary.turnover()),
                Formats.costPercent(summary.transactionCost()), Formats.costPercent(summary.slippageCost()),
                Formats.costPercent(summary.totalCost()));
        h.append("</tr></tfoot>\n</table></div>\n");
        h.append("<p class=\"note\">Net return: <code>cumulative_return</code> at the symbol's last bar; for all")
                .append(" symbols, their mean (equal capital per symbol, never rebalanced). Max drawdown: the lowest")
                .append(" <code>drawdown</code>; for all symbols, the worst. Trades: position changes; turnover:")
                .append(" &Sigma;|&Delta;position|. Costs: &Sigma; of the per-bar <code>transaction_cost</code> and")
                .append(" <code>slippage_cost</code> of <code>strategy_metrics</code>, as fractions of equity (shown in %),")
                .append(" summed over symbols. Times are UTC.</p>\n");
        if (list.isEmpty()) {
            h.append("<p class=\"note\">This run has no rows in strategy_metrics or strategy_positions_stream yet.</p>\n");
        } else {
            performance(h, summary);
        }
        h.append("</header>");
        return h.toString();
    }

    /** What ended trading early, if anything: shown first, so nobody reads the figures without it. */
    private static void banner(StringBuilder h, List<RunHalts.Halt> halts) {
        if (halts.isEmpty()) {
            return;
        }
        h.append("<div class=\"banner\" id=\"halt-banner\" role=\"alert\"><strong>Trading ended early.</strong><ul>\n");
        for (RunHalts.Halt halt : halts) {
            h.append("<li>This run was ").append(escape(RunHalts.describe(halt))).append("</li>\n");
        }
        h.append("</ul><p>Figures after that time reflect a forced flat position, not the strategy.</p></div>\n");
    }

    /** The analytics per symbol and, in the footer, for the equal-weight portfolio (README "Run analytics"). */
    private static void performance(StringBuilder h, RunSummary summary) {
        h.append("<div class=\"scroll\"><table class=\"summary\" id=\"performance\"><caption>Performance</caption>\n")
                .append("<thead><tr><th>symbol</th><th>net return</th><th>buy &amp; hold</th><th>annualised return</th>")
                .append("<th>max drawdown</th><th>Sharpe</th><th>Sortino</th><th>Calmar</th><th>exposure</th>")
                .append("<th>round trips</th><th>win rate</th><th>profit factor</th><th>average trade</th>")
                .append("<th>average duration</th><th>best trade</th><th>worst trade</th><th>open trades</th>")
                .append("</tr></thead>\n<tbody>\n");
        List<RunResults.SymbolSummary> list = summary.symbols();
        for (int i = 0; i < list.size(); i++) {
            RunResults.SymbolSummary s = list.get(i);
            h.append("<tr><td><a href=\"#sym-").append(i).append("\">").append(escape(s.symbol())).append("</a></td>");
            performanceCells(h, summary.figures(s.symbol()), false);
            h.append("</tr>\n");
        }
        h.append("</tbody>\n<tfoot><tr><th>portfolio (equal weight)</th>");
        performanceCells(h, summary.analytics().portfolio(), true);
        h.append("</tr></tfoot>\n</table></div>\n");
        h.append("<p class=\"note\">Per-bar returns r are <code>net_return</code>; a year is 365 days, so with bars of")
                .append(" I seconds N<sub>year</sub> = 31,536,000 / I (tick bars: a year over the median bar spacing).")
                .append(" Sharpe = mean(r) / stdev(r) &middot; &radic;N<sub>year</sub> (sample stdev, risk-free rate 0);")
                .append(" Sortino = mean(r) / &radic;mean(min(r, 0)&sup2;) &middot; &radic;N<sub>year</sub>; annualised return =")
                .append(" equity<sub>end</sub><sup>N<sub>year</sub>/bars</sup> &minus; 1; Calmar = annualised return / |max drawdown|.")
                .append(" Exposure: the share of bars that end holding a position. Buy &amp; hold: last close / first close")
                .append(" &minus; 1 over the same bars. A round trip runs from the transition that opens a position to the one")
                .append(" that closes or flips it; its PnL compounds its share of each bar's net return, costs included;")
                .append(" win rate and profit factor (&Sigma; wins / |&Sigma; losses|) count closed trades only, an open")
                .append(" trade is listed as open. Portfolio: equal capital on each symbol at the start, never rebalanced;")
                .append(" its drawdown and ratios are those of that combined equity curve, its exposure the mean over")
                .append(" symbols, its trades every symbol's. n/a: undefined for these data (fewer than 2 bars, no")
                .append(" dispersion or downside, no drawdown, no losing trade, no closed trade).</p>\n");
    }

    private static void performanceCells(StringBuilder h, Figures f, boolean portfolio) {
        TradeStats t = f.trades();
        cells(h, Formats.analytic(f.netReturn()), Formats.analytic(f.buyAndHold()), Formats.analytic(f.annualisedReturn()),
                Formats.analytic(f.maxDrawdown()), Formats.ratio(f.sharpe()), Formats.ratio(f.sortino()),
                Formats.ratio(f.calmar()), Formats.analytic(f.exposure()), Integer.toString(t.closed()),
                Formats.analytic(t.winRate()), Formats.ratio(t.profitFactor()), Formats.analytic(t.averagePnl()),
                Formats.duration(t.averageDurationMillis()), Formats.trip(t.best(), portfolio),
                Formats.trip(t.worst(), portfolio), Integer.toString(t.open().size()));
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    private static void cells(StringBuilder h, String... values) {
        for (String v : values) {
            h.append("<td>").append(escape(v)).append("</td>");
        }
    }

    private static String text(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    // ---- JSON data -----------------------------------------------------------------------------

    private static String data(RunSummary summary, List<SymbolData> symbols, ChartSeries<PortfolioPoint> portfolio) {
        StrategyRun run = summary.run();
        ObjectNode root = SCRIPT_SAFE_JSON.createObjectNode();
        ObjectNode r = root.putObject("run");
        r.put("strategy_run_id", run.id().toString());
        r.put("strategy", run.strategy());
        r.put("run_type", run.runType().name());
        r.put("status", summary.status());
        r.put("created_by", run.createdBy());
        r.put("created_at", run.createdAt() == null ? null : run.createdAt().toString());
        r.set("params", StrategyParamsParser.toJsonNode(run.params()));
        r.set("summary", summary.figuresJson());

        ObjectNode p = root.putObject("portfolio");
        p.put("symbols", summary.analytics().symbols().size());
        p.put("points", portfolio.count());
        p.put("downsampled", portfolio.downsampled());
        ObjectNode ps = p.putObject("series");
        ArrayNode pt = ps.putArray("t");
        ArrayNode pe = ps.putArray("equity");
        ArrayNode ph = ps.putArray("buy_and_hold");
        ArrayNode pd = ps.putArray("drawdown");
        for (PortfolioPoint point : portfolio.points()) {
            pt.add(point.time());
            number(pe, point.equity());
            number(ph, point.buyAndHold());
            number(pd, point.drawdown());
        }

        ArrayNode list = root.putArray("symbols");
        for (int i = 0; i < symbols.size(); i++) {
            SymbolData s = symbols.get(i);
            ObjectNode node = list.addObject();
            node.put("symbol", s.summary().symbol());
            node.put("anchor", "sym-" + i);
            node.set("summary", summary.symbolJson(s.summary()));
            List<MetricRow> points = s.chart().points();
            node.put("bars", s.chart().count());
            node.put("downsampled", s.chart().downsampled());
            // Columns, as uPlot wants them: t (epoch ms), price, SMAs (null until defined), equity, drawdown.
            // Price and SMAs on the 10⁻⁸ grid: an SMA is a mean, off the grid in float noise.
            ObjectNode series = node.putObject("series");
            ArrayNode t = series.putArray("t");
            ArrayNode price = series.putArray("price");
            ArrayNode fast = series.putArray("sma_fast");
            ArrayNode slow = series.putArray("sma_slow");
            ArrayNode equity = series.putArray("equity");
            ArrayNode drawdown = series.putArray("drawdown");
            for (MetricRow bar : points) {
                t.add(bar.metricTime());
                price(price, bar.price());
                price(fast, bar.smaFast());
                price(slow, bar.smaSlow());
                number(equity, 1 + bar.cumulativeReturn());
                number(drawdown, bar.drawdown());
            }
            ArrayNode transitions = node.putArray("transitions");
            for (PositionTransition tr : s.transitions()) {
                ObjectNode m = transitions.addObject();
                m.put("t", tr.eventTime());
                m.put("from", tr.fromPosition());
                m.put("to", tr.toPosition());
                price(m, "price", tr.price());
                price(m, "fill_price", tr.fillPrice());
                number(m, "transaction_cost", tr.transactionCost());
                number(m, "slippage_cost", tr.slippageCost());
                m.put("reason", tr.reason().name());
            }
            ArrayNode trips = node.putArray("round_trips");
            if (s.analytics() != null) {
                s.analytics().roundTrips().forEach(trip -> trips.add(RunSummary.tripJson(trip)));
            }
        }
        try {
            return SCRIPT_SAFE_JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report data: " + e.getMessage(), e);
        }
    }

    /** A price on the 10⁻⁸ grid, as a number for the chart; null (or not finite) → null. */
    private static void price(ArrayNode array, Double value) {
        number(array, value == null || !Double.isFinite(value) ? null : ScaledPrice.roundToGrid(value));
    }

    /** A price on the 10⁻⁸ grid as a number and, in {@code <field>_text}, as its exact decimal for tables. */
    private static void price(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, ScaledPrice.roundToGrid(value));
            node.put(field + "_text", ScaledPrice.gridText(value));
        } else {
            node.putNull(field);
            node.putNull(field + "_text");
        }
    }

    /** Non-finite numbers are not JSON: they become null (a gap in the chart). */
    private static void number(ArrayNode array, Double value) {
        if (value == null || !Double.isFinite(value)) {
            array.addNull();
        } else {
            array.add(value);
        }
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    private static String resource(String name) {
        try (InputStream in = ReportWriter.class.getResourceAsStream("/report/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource /report/" + name + " is missing from ops-cli");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson escapes that keep JSON inert inside an HTML script element. */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private final int[] ascii;

        HtmlSafeEscapes() {
            ascii = CharacterEscapes.standardAsciiEscapesForJSON();
            ascii['<'] = CharacterEscapes.ESCAPE_STANDARD;
            ascii['>'] = CharacterEscapes.ESCAPE_STANDARD;
            ascii['&'] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
