package io.quantsignals.ops.report;

import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.ops.runs.RunsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code ops-cli runs report <run-id> [--out F]}: one self-contained HTML report of a run (SPEC §9). */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {
            "Write one self-contained HTML report of a run and print its path.",
            "",
            "Header: the run, every parameter, a banner when a risk halt or a kill switch ended trading, and per"
                + " symbol: net return, max drawdown, trades, turnover, costs; then the performance per symbol and"
                + " for the equal-weight portfolio: buy-and-hold of the same bars, annualised return, Sharpe,"
                + " Sortino, Calmar, exposure, round trips (win rate, profit factor, average/best/worst trade).",
            "",
            "Charts: the portfolio's equity against buy-and-hold; per symbol price with both SMAs and the"
                + " entry/exit markers, the equity curve, the drawdown, and the tables of round trips and of"
                + " position transitions. Prices are shown on the 10^-8 grid.",
            "",
            "The file needs no network: the charting library (uPlot, MIT) and the data are inline. Symbols with"
                + " more than " + ChartSeries.MAX_EXACT_BARS + " bars are drawn from per-bucket extremes (about "
                + ChartSeries.BUCKETS + " buckets); markers, tables and figures always use every row."
        })
public final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_ID", converter = RunIdConverter.class,
            description = "The strategy_run_id.")
    UUID id;

    @Option(names = "--out", paramLabel = "F",
            description = "The HTML file to write (replaced if it exists); default: report-<run-id>.html in the current folder.")
    Path out;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path target = outputFile(out != null ? out : Path.of("report-" + id + ".html"));
        String html;
        try (Connection c = database.connect()) {
            html = render(c, id, Instant.now());
        } catch (SQLException e) {
            throw new DatabaseOptions.DatabaseUnavailableException("cannot read run " + id + ": " + e.getMessage(), e);
        }
        writeAtomically(target, html);
        spec.commandLine().getOut().println(target);
        return ExitCodes.OK;
    }

    /** Reads the run in one snapshot and renders the page; an unknown run is invalid input. */
    static String render(Connection c, UUID id, Instant generatedAt) throws SQLException {
        RunResults.snapshot(c);
        try {
            StrategyRun run = new RunStore(c).find(id).orElseThrow(() -> RunsCommand.unknownRun(id));
            Charts charts = new Charts();
            RunSummary summary = RunSummary.read(c, run, charts);
            List<ReportWriter.SymbolData> symbols = new ArrayList<>();
            for (RunResults.SymbolSummary s : summary.symbols()) {
                symbols.add(new ReportWriter.SymbolData(s, charts.bySymbol.get(s.symbol()),
                        summary.transitions().getOrDefault(s.symbol(), List.of()),
                        summary.analytics().symbol(s.symbol())));
            }
            return ReportWriter.html(summary, symbols, charts.portfolio, generatedAt);
        } finally {
            c.rollback();
        }
    }

    /** Collects the chart points while the bars stream by: one series per symbol and the portfolio's. */
    private static final class Charts implements RunSummary.Listener {
        final Map<String, ChartSeries<MetricRow>> bySymbol = new HashMap<>();
        ChartSeries<ReportWriter.PortfolioPoint> portfolio;

        @Override
        public void summaries(List<RunResults.SymbolSummary> summaries) {
            long total = 0;
            for (RunResults.SymbolSummary s : summaries) {
                bySymbol.put(s.symbol(), ChartSeries.ofBars(s.bars()));
                total += s.bars();
            }
            // The portfolio has a point per distinct bar time: at most the total bar count.
            portfolio = ReportWriter.PortfolioPoint.chart(total);
        }

        @Override
        public void bar(String symbol, MetricRow bar) {
            // Same snapshot as the summaries, so every streamed row's symbol is among them.
            bySymbol.get(symbol).add(bar);
        }

        @Override
        public void point(long time, double equity, double buyAndHoldEquity, double drawdown) {
            portfolio.add(new ReportWriter.PortfolioPoint(time, equity, buyAndHoldEquity, drawdown));
        }
    }

    /** The absolute file an HTML page goes to ({@code --out}); exit 2 if it is a folder or its folder does not exist. */
    public static Path outputFile(Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new InvalidInputException("--out " + target + " is a folder, not a file");
        }
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new InvalidInputException("cannot write " + target + ": folder " + folder + " does not exist");
        }
        return target;
    }

    /** Writes beside the target and moves into place, so a failed write never leaves half a report. */
    public static void writeAtomically(Path target, String html) {
        Path temp = null;
        try {
            // Not createTempFile: its owner-only permissions would end up on the report.
            temp = Files.createFile(target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp"));
            Files.writeString(temp, html, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException ignored) {
                // The write already failed; that is the error to report.
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e, e);
        }
    }
}
