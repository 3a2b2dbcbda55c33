package io.quantsignals.bench;

import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.sink.CopyBatchWriter;
import io.quantsignals.job.sink.CopySink;
import io.quantsignals.core.db.PgBinary;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Properties;
import java.util.UUID;

/**
 * (d) and its neighbours: the same N strategy_metrics rows into an emptied strategy_metrics (its
 * primary key and time index in place), one connection, one thread.
 */
final class DbBench {

    /** Rows per COPY statement for plain COPY (each its own transaction). */
    static final int COPY_CHUNK = 50_000;

    private final PostgresServer postgres;

    DbBench(PostgresServer postgres) {
        this.postgres = postgres;
    }

    /** (d) COPY ... FROM STDIN (FORMAT binary) straight into strategy_metrics; seconds. */
    double copy(MetricRows rows) throws SQLException {
        truncateMetrics();
        try (Connection c = postgres.connect()) {
            CopyManager copyManager = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = "COPY strategy_metrics (" + String.join(", ", CopySink.METRICS.columns())
                    + ") FROM STDIN (FORMAT binary)";
            PgBinary out = new PgBinary();
            long t0 = System.nanoTime();
            for (int start = 0; start < rows.size; start += COPY_CHUNK) {
                out.begin();
                int end = Math.min(rows.size, start + COPY_CHUNK);
                for (int i = start; i < end; i++) {
                    rows.encode(i, out);
                }
                out.end();
                CopyIn copy = copyManager.copyIn(sql);
                copy.writeToCopy(out.bytes(), 0, out.length());
                copy.endCopy();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            check(c, rows.size);
            return seconds;
        }
    }

    /**
     * (d') The production {@link CopyBatchWriter}'s merge path alone (forced for every batch, as after
     * a restart): per batch COPY into a temp table + INSERT ... ON CONFLICT DO UPDATE; seconds.
     */
    double copyMergePath(MetricRows rows, int batchRows) throws IOException, SQLException {
        return copyWriter(rows, batchRows, true);
    }

    /**
     * (d*) The production {@link CopyBatchWriter}'s fast path: per batch one COPY straight into
     * strategy_metrics, falling back to the merge only on a conflict (none here); seconds.
     */
    double copyFastPath(MetricRows rows, int batchRows) throws IOException, SQLException {
        return copyWriter(rows, batchRows, false);
    }

    private double copyWriter(MetricRows rows, int batchRows, boolean merge) throws IOException, SQLException {
        truncateMetrics();
        // The rows are column arrays: the writer's "value" is the row's index.
        try (CopyBatchWriter<Integer> writer = new CopyBatchWriter<>(postgres::connect, CopySink.METRICS, rows::encode)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < rows.size; i++) {
                writer.add(i);
                if (writer.pendingRows() >= batchRows || i == rows.size - 1) {
                    if (merge) {
                        writer.forceMergeMode(); // a merge of only new rows would end merge mode
                    }
                    writer.flush();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long expectedMerged = merge ? (rows.size + batchRows - 1) / batchRows : 0;
            if (writer.batchesMerged() != expectedMerged || writer.rowsWritten() != rows.size) {
                throw new IllegalStateException("the writer merged " + writer.batchesMerged() + " batches, expected "
                        + expectedMerged + "; wrote " + writer.rowsWritten() + " rows");
            }
            try (Connection c = postgres.connect()) {
                check(c, rows.size);
            }
            return seconds;
        }
    }

    /**
     * (d") What the JDBC connector did per batch before the job had CopySink: the upsert
     * ({@link BenchSinks#METRICS_UPSERT}) batched, reWriteBatchedInserts=true, auto-commit; seconds.
     */
    double jdbcUpsert(MetricRows rows, int batchRows) throws SQLException {
        truncateMetrics();
        Properties props = new Properties();
        props.setProperty("user", PostgresServer.USER);
        props.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), props);
             PreparedStatement ps = c.prepareStatement(BenchSinks.METRICS_UPSERT)) {
            UUID run = UUID.fromString(rows.runId);
            long t0 = System.nanoTime();
            int pending = 0;
            for (int i = 0; i < rows.size; i++) {
                ps.setTimestamp(1, new Timestamp(rows.metricTime[i]));
                ps.setObject(2, run);
                ps.setString(3, rows.symbolNames[rows.symbol[i]]);
                ps.setDouble(4, rows.price[i]);
                setNullable(ps, 5, rows.smaFast[i]);
                setNullable(ps, 6, rows.smaSlow[i]);
                ps.setShort(7, rows.position[i]);
                ps.setDouble(8, rows.grossReturn[i]);
                ps.setDouble(9, rows.transactionCost[i]);
                ps.setDouble(10, rows.slippageCost[i]);
                ps.setDouble(11, rows.netReturn[i]);
                ps.setDouble(12, rows.cumulativeReturn[i]);
                ps.setDouble(13, rows.drawdown[i]);
                ps.addBatch();
                if (++pending == batchRows) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            check(c, rows.size);
            return seconds;
        }
    }

    private static void setNullable(PreparedStatement ps, int index, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, v);
        }
    }

    private void truncateMetrics() throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE strategy_metrics");
        }
    }

    private static void check(Connection c, long expected) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM strategy_metrics")) {
            rs.next();
            if (rs.getLong(1) != expected) {
                throw new IllegalStateException("strategy_metrics holds " + rs.getLong(1) + " rows, expected " + expected);
            }
        }
    }
}
