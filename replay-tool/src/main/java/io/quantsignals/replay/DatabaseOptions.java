package io.quantsignals.replay;

import io.quantsignals.core.config.JdbcUrls;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The database settings (SPEC §2) as a picocli mixin, and the one place that opens connections. */
final class DatabaseOptions {

    @Option(names = "--db-url", paramLabel = "URL",
            description = "JDBC URL of PostgreSQL/TimescaleDB (env DATABASE_URL; default jdbc:postgresql://localhost:5432/quant).")
    String url;

    @Option(names = "--db-user", paramLabel = "NAME",
            description = "Database user (env DATABASE_USER; default ${DEFAULT-VALUE}).")
    String user;

    // No ${DEFAULT-VALUE} here: the password must never appear in --help.
    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (env DATABASE_PASSWORD).")
    String password;

    /** Opens a connection; a failure is a one-line {@link ReplayFailedException} (password masked). */
    Connection connect() {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        // Fail fast instead of hanging for the driver's default of no timeout.
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "replay-tool");
        try {
            Connection c = DriverManager.getConnection(url, props);
            if (c == null) {
                // DriverManager returns null only if no driver accepts the URL; it normally throws.
                throw new SQLException("no JDBC driver accepts this URL");
            }
            return c;
        } catch (SQLException e) {
            throw new ReplayFailedException("cannot connect to database " + describe() + ": "
                    + ReplayTool.oneLine(withRootCause(e)), e);
        }
    }

    /** pgjdbc says only "The connection attempt failed." for e.g. an unknown host: add the root cause. */
    private static String withRootCause(SQLException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (root == e || root.getMessage() == null || message.contains(root.getMessage())
                || !message.contains("attempt failed")) {
            return message;
        }
        String cause = root instanceof java.net.UnknownHostException ? "unknown host " + root.getMessage()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return message + " (" + cause + ")";
    }

    /** URL (password masked) and user, for messages. */
    String describe() {
        return JdbcUrls.redact(url) + " as " + user;
    }
}
