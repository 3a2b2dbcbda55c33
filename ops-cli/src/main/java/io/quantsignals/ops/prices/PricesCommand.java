package io.quantsignals.ops.prices;

import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ops-cli prices ...}: price history (SPEC §9). */
@Command(name = "prices", description = "Import price history into price_ticks.", mixinStandardHelpOptions = true,
        subcommands = PricesCommand.Import.class)
public final class PricesCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {
                "Import a CSV file of ticks into price_ticks, all or nothing.",
                "",
                "The first line is the header ts,symbol,price or ts,symbol,price,volume. ts: ISO-8601 with Z or an"
                    + " offset (e.g. 2024-06-01T12:00:00.250Z), or integral epoch milliseconds. price: a positive"
                    + " decimal, taken exactly to 8 decimals. volume: a number >= 0, or empty. Fields may be"
                    + " double-quoted; blank lines are skipped; UTF-8.",
                "",
                "Rows are stored with source 'import:<file name>' and ingest_seq from price_ticks_ingest_seq in"
                    + " file order, in one transaction: a bad line stops the import with 'line N: reason'"
                    + " (exit 2) and nothing is imported. Importing a file twice stores its ticks twice.",
                "",
                "Progress is shown on stderr; one summary line is printed on stdout."
            })
    static final class Import implements Callable<Integer> {

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "F.csv", description = "The CSV file.")
        Path file;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            // The file is opened and its header checked before connecting: bad input is exit 2
            // whether or not the database is up.
            try (PriceCsvReader reader = PriceCsvReader.open(file)) {
                ImportProgress progress = new ImportProgress(spec.commandLine().getErr(), System.console() != null,
                        reader.totalBytes());
                PriceImporter.Result result;
                try (Connection c = database.connect()) {
                    result = PriceImporter.importAll(c, reader, source(file), progress);
                } catch (SQLException e) {
                    throw new DatabaseOptions.DatabaseUnavailableException(
                            "import failed, nothing was imported: " + e.getMessage(), e);
                } finally {
                    progress.finish();
                }
                spec.commandLine().getOut().println(summary(result, file));
            }
            return ExitCodes.OK;
        }
    }

    /** The {@code price_ticks.source} of an import: {@code import:} and the file's name. */
    static String source(Path file) {
        Path name = file.getFileName();
        return "import:" + (name == null ? file : name);
    }

    static String summary(PriceImporter.Result r, Path file) {
        String range = r.rows() == 0 ? "no ticks"
                : Instant.ofEpochMilli(r.minTsMillis()) + " to " + Instant.ofEpochMilli(r.maxTsMillis());
        return String.format(Locale.ROOT, "imported %d rows from %s in %.2f s (%.0f rows/s), %s%d symbol%s, %s",
                r.rows(), file.getFileName(), r.seconds(), r.rowsPerSecond(), r.symbolsCapped() ? "more than " : "",
                r.symbols(), r.symbols() == 1 && !r.symbolsCapped() ? "" : "s", range);
    }
}
