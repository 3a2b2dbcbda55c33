package io.quantsignals.cli;

import io.quantsignals.core.config.JdbcUrls;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The database settings (SPEC §2) as a picocli mixin, and the one place that opens connections.
 * Their values come from the options or, through {@link EnvironmentDefaults}, the environment.
 */
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

    /** The command this mixin belongs to: its top-level command names the program to the server. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The JDBC URL as given (it may contain a password: for messages use {@link #describe()}). */
    public String url() {
        return url;
    }

    /**
     * Opens a connection; a failure becomes a one-line {@link DatabaseUnavailableException} naming the
     * URL (password masked), the user and the cause.
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
        props.setProperty("ApplicationName", applicationName());
        try {
            Connection c = DriverManager.getConnection(url, props);
            if (c == null) {
                // DriverManager returns null only if no driver accepts the URL; it normally throws.
                throw new SQLException("no JDBC driver accepts this URL");
            }
            return c;
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("cannot connect to database " + describe() + ": "
                    + Messages.oneLine(withRootCause(e)), e);
        }
    }

    /** URL (password masked) and user, for messages. */
    public String describe() {
        return JdbcUrls.redact(url) + " as " + user;
    }

    /** The program's name (ops-cli, replay-tool), shown by the server in pg_stat_activity. */
    String applicationName() {
        return mixee == null ? "quant-signals" : mixee.root().name();
    }

    /** pgjdbc says only "The connection attempt failed." for e.g. an unknown host: add the root cause. */
    static String withRootCause(SQLException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (root == e || root.getMessage() == null || message.contains(root.getMessage())
                || !message.contains("attempt failed")) {
            return message;
        }
        String cause = root instanceof UnknownHostException ? "unknown host " + root.getMessage()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return message + " (" + cause + ")";
    }

    /** A database that cannot be reached or fails mid-command: a runtime failure (exit 1). */
    public static final class DatabaseUnavailableException extends RuntimeException {
        public DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
