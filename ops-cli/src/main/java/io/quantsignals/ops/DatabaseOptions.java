package io.quantsignals.ops;

import io.quantsignals.core.config.JdbcUrls;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The database settings (SPEC §2) as a picocli mixin, and the one place that opens connections. */
public final class DatabaseOptions {

    @Option(names = "--db-url", paramLabel = "URL",
            description = "JDBC URL of PostgreSQL/TimescaleDB (env DATABASE_URL; default jdbc:postgresql://localhost:5432/quant).")
    String url;

    @Option(names = "--db-user", paramLabel = "NAME",
            description = "Database user (env DATABASE_USER; default ${DEFAULT-VALUE}).")
    String user;

    // No ${DEFAULT-VALUE} here: the password must never appear in --help.
    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (env DATABASE_PASSWORD).")
    String password;

    /**
     * Opens a connection; a failure becomes a one-line {@link DatabaseUnavailableException} naming the
     * URL (password masked) and the cause.
     */
    public Connection connect() {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        // Fail fast instead of hanging for the driver's default of no timeout.
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "ops-cli");
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("cannot connect to database " + JdbcUrls.redact(url)
                    + " as " + user + ": " + OpsCli.oneLine(e.getMessage()), e);
        }
    }

    /** A database that cannot be reached or fails mid-command: a runtime failure (exit 1). */
    public static final class DatabaseUnavailableException extends RuntimeException {
        public DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
