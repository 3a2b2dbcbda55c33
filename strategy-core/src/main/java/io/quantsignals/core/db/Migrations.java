package io.quantsignals.core.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Applies the SQL migrations of the top-level {@code sql/} folder (packaged into this module's jar
 * under {@code sql/}) in order. The files are idempotent, so applying them again is harmless; this
 * is what lets the TimescaleDB container's init scripts and {@code ops-cli db migrate} share them.
 */
public final class Migrations {

    /** Every migration, in the order it must run. A test checks this matches the sql/ folder. */
    public static final List<String> FILES = List.of("001_schema.sql", "002_timescaledb.sql", "003_sweeps.sql",
            "004_run_summaries.sql");

    /** Arbitrary constant for pg_advisory_xact_lock: two concurrent migrators run one after the other. */
    private static final long MIGRATION_LOCK_KEY = 0x5155414e54L;

    private Migrations() {
    }

    /** Applies every migration, each in its own transaction; leaves the connection's auto-commit as found. */
    public static void apply(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            for (String file : FILES) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK_KEY + ")");
                    statement.execute(read(file));
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw new SQLException("migration " + file + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The text of one migration file from the classpath. */
    public static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/sql/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration sql/" + file + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
