package io.quantsignals.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsignals.core.db.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs the real migrations (every file of sql/, see {@link Migrations#FILES}) against a real TimescaleDB
 * (PGlite + timescaledb, see test-support/pglite) and checks the result in TimescaleDB's own catalog.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TimescaleMigrationTest {

    private static TimescaleLiteServer server;

    @BeforeAll
    static void startServerAndMigrateTwice() throws SQLException {
        server = TimescaleLiteServer.start();
        System.out.println("TimescaleDB test server ready on port " + server.port()
                + " after " + server.startupTime().toMillis() + " ms");
        // Twice, each on its own connection: the migrations must be idempotent.
        for (int i = 0; i < 2; i++) {
            try (Connection connection = server.connect()) {
                Migrations.apply(connection);
                assertTrue(connection.getAutoCommit(), "apply leaves auto-commit as found");
            }
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void timescaledbExtensionIsCreatedByTheMigration() throws SQLException {
        try (Connection c = server.connect()) {
            List<List<String>> rows = query(c, "SELECT extname FROM pg_extension WHERE extname = 'timescaledb'");
            assertEquals(List.of(List.of("timescaledb")), rows);
        }
    }

    @Test
    @Order(2)
    void fiveHypertablesWithTheirTimeColumns() throws SQLException {
        try (Connection c = server.connect()) {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("kill_switch_events", "event_time");
            expected.put("price_ticks", "event_time");
            expected.put("rejected_ticks", "received_at");
            expected.put("strategy_metrics", "metric_time");
            expected.put("strategy_positions_stream", "event_time");

            Map<String, String> actual = new LinkedHashMap<>();
            for (List<String> row : query(c, """
                    SELECT h.hypertable_name, d.column_name
                    FROM timescaledb_information.hypertables h
                    JOIN timescaledb_information.dimensions d
                      ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name
                    WHERE h.hypertable_schema = 'public' AND d.dimension_type = 'Time'
                    ORDER BY h.hypertable_name""")) {
                actual.put(row.get(0), row.get(1));
            }
            assertEquals(expected, actual);
            // One (time) dimension each: no accidental space partitioning.
            assertEquals(List.of(List.of("5")), query(c,
                    "SELECT count(*) FROM timescaledb_information.dimensions WHERE hypertable_schema = 'public'"));
            // Chunk intervals as documented in 002_timescaledb.sql.
            assertEquals(List.of(
                            List.of("kill_switch_events", "30 days"),
                            List.of("price_ticks", "1 day"),
                            List.of("rejected_ticks", "1 day"),
                            List.of("strategy_metrics", "1 day"),
                            List.of("strategy_positions_stream", "7 days")),
                    query(c, """
                            SELECT hypertable_name, time_interval::text FROM timescaledb_information.dimensions
                            WHERE hypertable_schema = 'public' ORDER BY hypertable_name"""));
        }
    }

    @Test
    @Order(3)
    void compressionEnabledAndSegmentedByRunAndSymbol() throws SQLException {
        try (Connection c = server.connect()) {
            assertEquals(List.of(
                            List.of("kill_switch_events", "f"),
                            List.of("price_ticks", "t"),
                            List.of("rejected_ticks", "f"),
                            List.of("strategy_metrics", "t"),
                            List.of("strategy_positions_stream", "t")),
                    query(c, """
                            SELECT hypertable_name, CASE WHEN compression_enabled THEN 't' ELSE 'f' END
                            FROM timescaledb_information.hypertables
                            WHERE hypertable_schema = 'public' ORDER BY hypertable_name"""));

            String segmentBy = """
                    SELECT string_agg(attname, ',' ORDER BY segmentby_column_index)
                    FROM timescaledb_information.compression_settings
                    WHERE hypertable_schema = 'public' AND hypertable_name = ? AND segmentby_column_index IS NOT NULL""";
            String orderBy = """
                    SELECT string_agg(attname || CASE WHEN orderby_asc THEN ' ASC' ELSE ' DESC' END,
                                      ',' ORDER BY orderby_column_index)
                    FROM timescaledb_information.compression_settings
                    WHERE hypertable_schema = 'public' AND hypertable_name = ? AND orderby_column_index IS NOT NULL""";
            assertEquals("strategy_run_id,symbol", single(c, segmentBy, "strategy_metrics"));
            assertEquals("strategy_run_id,symbol", single(c, segmentBy, "strategy_positions_stream"));
            assertEquals("symbol", single(c, segmentBy, "price_ticks"));
            assertEquals("metric_time DESC", single(c, orderBy, "strategy_metrics"));
            assertEquals("event_time DESC,reason ASC", single(c, orderBy, "strategy_positions_stream"));
            assertEquals("event_time DESC,ingest_seq DESC,source ASC", single(c, orderBy, "price_ticks"));
        }
    }

    @Test
    @Order(4)
    void compressionAndRetentionPoliciesExactlyOnceEach() throws SQLException {
        try (Connection c = server.connect()) {
            // Applied twice, yet one job per policy (if_not_exists).
            assertEquals(List.of(
                            List.of("policy_compression", "price_ticks", "7 days"),
                            List.of("policy_compression", "strategy_metrics", "7 days"),
                            List.of("policy_compression", "strategy_positions_stream", "7 days"),
                            List.of("policy_retention", "price_ticks", "365 days"),
                            List.of("policy_retention", "rejected_ticks", "30 days")),
                    query(c, """
                            SELECT proc_name, hypertable_name,
                                   coalesce(config ->> 'compress_after', config ->> 'drop_after')::interval::text
                            FROM timescaledb_information.jobs
                            WHERE hypertable_schema = 'public'
                            ORDER BY proc_name, hypertable_name"""));
        }
    }

    @Test
    @Order(5)
    void upsertOnTheStrategyMetricsHypertable() throws SQLException {
        UUID run = UUID.randomUUID();
        Instant bar = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        String upsert = """
                INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, sma_fast, sma_slow, position,
                    gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)
                VALUES (?, ?, ?, ?, NULL, NULL, ?, 0, 0, 0, 0, ?, 0)
                ON CONFLICT (strategy_run_id, symbol, metric_time) DO UPDATE SET
                    price = EXCLUDED.price, position = EXCLUDED.position, cumulative_return = EXCLUDED.cumulative_return""";
        try (Connection c = server.connect()) {
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
                // A batch, as the sink writes: the second row rewrites the first (a replay after restart).
                for (double price : new double[] {100.0, 101.5}) {
                    ps.setTimestamp(1, Timestamp.from(bar));
                    ps.setObject(2, run);
                    ps.setString(3, "BTCUSDT");
                    ps.setDouble(4, price);
                    ps.setShort(5, (short) 1);
                    ps.setDouble(6, price / 100.0 - 1.0);
                    ps.addBatch();
                }
                ps.executeBatch();
                // And once more on its own.
                ps.setTimestamp(1, Timestamp.from(bar));
                ps.setObject(2, run);
                ps.setString(3, "BTCUSDT");
                ps.setDouble(4, 102.0);
                ps.setShort(5, (short) -1);
                ps.setDouble(6, 0.02);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), max(price), max(position) FROM strategy_metrics WHERE strategy_run_id = ?")) {
                ps.setObject(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1), "one row per (run, symbol, bar)");
                    assertEquals(102.0, rs.getDouble(2));
                    assertEquals(-1, rs.getInt(3));
                }
            }
            // The row landed in a chunk of the hypertable, not in the (empty) parent table.
            assertEquals(List.of(List.of("0")), query(c, "SELECT count(*) FROM ONLY strategy_metrics"));
        }
    }

    @Test
    @Order(6)
    void retentionPolicyRunsAndDropsOldChunks() throws SQLException {
        Instant now = Instant.now();
        try (Connection c = server.connect()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO price_ticks (event_time, symbol, price, volume, source) VALUES (?, 'ETHUSDT', ?, 1, 'test')")) {
                ps.setTimestamp(1, Timestamp.from(now.minus(400, ChronoUnit.DAYS)));
                ps.setDouble(2, 1000.0);
                ps.addBatch();
                ps.setTimestamp(1, Timestamp.from(now.minus(1, ChronoUnit.HOURS)));
                ps.setDouble(2, 3000.0);
                ps.addBatch();
                ps.executeBatch();
            }
            assertEquals(List.of(List.of("2")), query(c, "SELECT count(*) FROM price_ticks WHERE symbol = 'ETHUSDT'"));
            assertEquals(List.of(List.of("2")), query(c, """
                    SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'price_ticks'"""));

            String job = single(c, """
                    SELECT job_id::text FROM timescaledb_information.jobs
                    WHERE proc_name = 'policy_retention' AND hypertable_name = ?""", "price_ticks");
            try (Statement s = c.createStatement()) {
                s.execute("CALL run_job(" + Integer.parseInt(job) + ")");
            }

            assertEquals(List.of(List.of("3000")),
                    query(c, "SELECT round(price)::text FROM price_ticks WHERE symbol = 'ETHUSDT'"));
            assertEquals(List.of(List.of("1")), query(c, """
                    SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'price_ticks'"""));
        }
    }

    @Test
    @Order(7)
    void compressionPolicyRunsAndCompressedDataStaysReadable() throws SQLException {
        UUID run = UUID.randomUUID();
        Instant old = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS);
        try (Connection c = server.connect()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, position, gross_return,
                        transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)
                    VALUES (?, ?, 'SOLUSDT', ?, 0, 0, 0, 0, 0, 0, 0)""")) {
                for (int minute = 0; minute < 10; minute++) {
                    ps.setTimestamp(1, Timestamp.from(old.plus(minute, ChronoUnit.MINUTES)));
                    ps.setObject(2, run);
                    ps.setDouble(3, 150.0 + minute);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            assertFalse(query(c, compressedChunks("strategy_metrics")).isEmpty(), "the old chunk exists");
            assertEquals(List.of(List.of("f")), query(c, compressedChunks("strategy_metrics")));

            String job = single(c, """
                    SELECT job_id::text FROM timescaledb_information.jobs
                    WHERE proc_name = 'policy_compression' AND hypertable_name = ?""", "strategy_metrics");
            try (Statement s = c.createStatement()) {
                s.execute("CALL run_job(" + Integer.parseInt(job) + ")");
            }

            assertEquals(List.of(List.of("t")), query(c, compressedChunks("strategy_metrics")));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), sum(price) FROM strategy_metrics WHERE strategy_run_id = ? AND symbol = 'SOLUSDT'")) {
                ps.setObject(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(10, rs.getInt(1));
                    assertEquals(1545.0, rs.getDouble(2));
                }
            }
            // A late rewrite (job replayed from an old checkpoint) still upserts into the compressed chunk.
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO strategy_metrics (metric_time, strategy_run_id, symbol, price, position, gross_return,
                        transaction_cost, slippage_cost, net_return, cumulative_return, drawdown)
                    VALUES (?, ?, 'SOLUSDT', 999, 0, 0, 0, 0, 0, 0, 0)
                    ON CONFLICT (strategy_run_id, symbol, metric_time) DO UPDATE SET price = EXCLUDED.price""")) {
                ps.setTimestamp(1, Timestamp.from(old));
                ps.setObject(2, run);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), sum(price) FROM strategy_metrics WHERE strategy_run_id = ? AND symbol = 'SOLUSDT'")) {
                ps.setObject(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(10, rs.getInt(1));
                    assertEquals(1545.0 - 150.0 + 999.0, rs.getDouble(2));
                }
            }
        }
    }

    @Test
    @Order(8)
    void sweepsTableAndRunColumnNextToTheHypertables() throws SQLException {
        try (Connection c = server.connect()) {
            // A plain table (the five hypertables are counted above), referenced by strategy_runs.sweep_id.
            assertEquals(List.of(List.of("strategy_runs", "strategy_sweeps")), query(c, """
                    SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
                    WHERE contype = 'f' AND confrelid = 'strategy_sweeps'::regclass"""));
            UUID sweep = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO strategy_sweeps (sweep_id, strategy, grid, created_by) VALUES (?, 'sma_cross', '{}', 'test')")) {
                ps.setObject(1, sweep);
                ps.executeUpdate();
            }
            assertEquals("summary", single(c, "SELECT store_metrics FROM strategy_sweeps WHERE sweep_id::text = ?",
                    sweep.toString()), "the default");
        }
    }

    /** is_compressed ('t'/'f') of the chunks of {@code table} older than 7 days. */
    private static String compressedChunks(String table) {
        return "SELECT CASE WHEN is_compressed THEN 't' ELSE 'f' END FROM timescaledb_information.chunks"
                + " WHERE hypertable_name = '" + table + "' AND range_end < now() - INTERVAL '7 days'";
    }

    private static List<List<String>> query(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String single(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for " + parameter);
                String value = rs.getString(1);
                assertFalse(rs.next(), "more than one row for " + parameter);
                return value;
            }
        }
    }
}
