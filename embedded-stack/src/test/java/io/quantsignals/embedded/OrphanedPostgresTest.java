package io.quantsignals.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PostgreSQL server whose owning JVM died without stopping it (what {@code kill -9} of
 * {@code ./quant-signals up} leaves behind) must not block the next start on the same data folder.
 */
class OrphanedPostgresTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path logDir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aServerLeftRunningByADeadOwnerIsStoppedAndTheFolderReused() throws Exception {
        int port;
        Path postgresBinary;
        try (PostgresServer first = PostgresServer.start(0, dataDir)) {
            port = first.port();
            postgresBinary = Path.of(ProcessHandle.of(postmasterPid()).orElseThrow().info().command().orElseThrow());
            try (Connection c = first.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE survivor (n int)");
                s.execute("INSERT INTO survivor VALUES (42)");
            }
        }
        // The orphan: the same server started again by pg_ctl, as zonky starts it (as root through
        // `unshare -U`, since pg_ctl refuses root), with no EmbeddedPostgres owning it, as after its JVM was killed.
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgresBinary.resolveSibling("pg_ctl").toString(), "-D", dataDir.toString(),
                "-o", "-p " + port + " -F", "-w", "start"));
        Process pgCtl = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(logDir.resolve("pg_ctl.log").toFile())
                .start();
        assertEquals(0, pgCtl.waitFor(), () -> "pg_ctl start: " + readQuietly(logDir.resolve("pg_ctl.log")));
        long orphan = postmasterPid();
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan runs");

        try (PostgresServer second = PostgresServer.start(port, dataDir)) {
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan was stopped");
            assertTrue(postmasterPid() != orphan, "a new postmaster serves the folder");
            try (Connection c = second.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT n FROM survivor")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1), "the data written before survives");
            }
            // While its owner lives, a folder's server is never touched.
            IllegalStateException inUse = assertThrows(IllegalStateException.class,
                    () -> PostgresServer.stopOrphanedServer(dataDir));
            assertTrue(inUse.getMessage().contains("in use") && !inUse.getMessage().contains("\n"), inUse.getMessage());
        }
        assertEquals(OptionalLong.empty(), PostgresServer.stopOrphanedServer(dataDir), "nothing left to stop");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aPidFileNamingSomeOtherLiveProcessIsRemoved() throws Exception {
        try (PostgresServer first = PostgresServer.start(0, dataDir)) {
            first.port();
        }
        // A crash left postmaster.pid behind, and its pid now belongs to another process (this JVM).
        Files.write(dataDir.resolve("postmaster.pid"), List.of(String.valueOf(ProcessHandle.current().pid()),
                dataDir.toString(), "0", "5432"));
        assertEquals(OptionalLong.empty(), PostgresServer.stopOrphanedServer(dataDir));
        assertFalse(Files.exists(dataDir.resolve("postmaster.pid")), "the stale pid file is gone");
        try (PostgresServer second = PostgresServer.start(0, dataDir); Connection c = second.connect();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
    }
}
