package io.quantsignals.embedded;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresServerTest {

    @Test
    void sharedServerIsMigratedAndAnswers() throws Exception {
        PostgresServer server = PostgresServer.shared();
        assertSame(server, PostgresServer.shared(), "one server per JVM");
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.strategy_runs') IS NOT NULL")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), "the migrations created strategy_runs");
            }
            try (ResultSet rs = s.executeQuery("SELECT current_database(), current_user")) {
                assertTrue(rs.next());
                assertEquals(PostgresServer.DATABASE, rs.getString(1));
                assertEquals(PostgresServer.USER, rs.getString(2));
            }
        }
    }
}
