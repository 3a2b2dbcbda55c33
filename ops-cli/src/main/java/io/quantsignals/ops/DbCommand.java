package io.quantsignals.ops;

import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.core.db.Migrations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.sql.Connection;
import java.sql.SQLException;

/** {@code ops-cli db ...}: schema management. */
@Command(name = "db", description = "Database schema.", mixinStandardHelpOptions = true,
        subcommands = DbCommand.Migrate.class)
final class DbCommand {

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Create or update every table (idempotent; hypertables where TimescaleDB is available).")
    static final class Migrate implements Runnable {

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            try (Connection c = database.connect()) {
                Migrations.apply(c);
                boolean timescale;
                try (var rs = c.createStatement().executeQuery(
                        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
                    rs.next();
                    timescale = rs.getBoolean(1);
                }
                spec.commandLine().getOut().println("migrated " + Migrations.FILES.size() + " files ("
                        + (timescale ? "TimescaleDB hypertables" : "plain PostgreSQL tables: timescaledb not available") + ")");
            } catch (SQLException e) {
                throw new DatabaseOptions.DatabaseUnavailableException(e.getMessage(), e);
            }
        }
    }
}
