package io.quantsignals.job.sink;

import io.quantsignals.core.db.PgBinary;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes batches of rows to one table with binary COPY, with the semantics of an upsert on the
 * table's natural key. Why: the JDBC sink's batched {@code INSERT ... ON CONFLICT DO UPDATE}
 * measured ~58k rows/s here, plain binary COPY ~230k rows/s and this writer ~204k (bench/README.md,
 * (d"), (d) and (d*)).
 *
 * <ul>
 *   <li>Fast path: each batch is one transaction, {@code COPY target FROM STDIN (FORMAT binary)}
 *       then commit. In a clean run every key is new, so this is all that ever happens.</li>
 *   <li>Merge fallback: if the COPY hits the natural key (23505: a batch re-delivered after a
 *       restart from a checkpoint, or one key twice in a batch), roll back and write the same batch
 *       through a session temp table: {@code INSERT ... SELECT DISTINCT ON (key) ... ORDER BY key,
 *       ord DESC ON CONFLICT (key) DO UPDATE}, so the latest value wins and no row is duplicated.
 *       The writer stays in merge mode while merges update rows and returns to the fast path after
 *       a merge that only inserted: after a restart only the first batch(es) pay for merging.</li>
 *   <li>Transient failures (SQLState class 08, 40001, 40P01, 57P01) are retried up to
 *       {@value #MAX_RETRIES} times on a new connection after 100 ms, 400 ms, 1.6 s; the batch stays
 *       buffered, so a retry re-sends the same rows. Anything else is an {@link IOException} naming
 *       the table: the caller (Flink) fails and restarts from the last checkpoint.</li>
 * </ul>
 *
 * <p>Rows are buffered until {@link #flush()}; the caller decides when (batch full, timer,
 * checkpoint). After an {@link IOException} the batch is still buffered. Not thread-safe; no Flink
 * imports ({@link CopySink} adapts it).
 */
public final class CopyBatchWriter<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CopyBatchWriter.class);

    /** Retries of a batch after a transient failure. */
    public static final int MAX_RETRIES = 3;
    private static final long[] BACKOFF_MILLIS = {100, 400, 1_600};
    private static final String UNIQUE_VIOLATION = "23505";

    /** Opens a new connection (the writer sets auto-commit off and closes it). */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /** Appends one value as one row of {@link CopyTable#columns()}, in that order. */
    @FunctionalInterface
    public interface Encoder<T> extends Serializable {
        void encode(T value, PgBinary out);
    }

    private final ConnectionFactory connections;
    private final CopyTable table;
    private final Encoder<T> encoder;
    private final String copySql;
    private final String stageDdl;
    private final String stageCopySql;
    private final String mergeSql;
    private final PgBinary rows = new PgBinary();
    /** The batch with each row's position appended, for the merge path; allocated on first use. */
    private PgBinary numbered;

    private Connection connection;
    /** Whether this connection's session has the temp staging table (created in a committed transaction). */
    private boolean stageReady;
    private boolean mergeMode;

    private long rowsWritten;
    private long batchesCopied;
    private long batchesMerged;
    private long rowsUpdated;
    private long retries;

    public CopyBatchWriter(ConnectionFactory connections, CopyTable table, Encoder<T> encoder) {
        this.connections = connections;
        this.table = table;
        this.encoder = encoder;
        this.copySql = table.copySql();
        this.stageDdl = table.stageDdl();
        this.stageCopySql = table.stageCopySql();
        this.mergeSql = table.mergeSql();
    }

    /** Buffers one row (encoded now, so the caller may reuse {@code value}). */
    public void add(T value) {
        encoder.encode(value, rows);
    }

    public int pendingRows() {
        return rows.rows();
    }

    /** Writes the buffered rows, if any, as one batch; on return they are committed. */
    public void flush() throws IOException {
        int n = rows.rows();
        if (n == 0) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            try {
                writeBatch();
                break;
            } catch (SQLException e) {
                String state = sqlState(e);
                boolean transientFailure = isTransient(state);
                if (transientFailure) {
                    closeConnection();
                }
                if (!transientFailure || attempt == MAX_RETRIES) {
                    throw new IOException("writing " + n + " rows to " + table.table() + " failed"
                            + (transientFailure ? " after " + MAX_RETRIES + " retries" : "")
                            + ": " + e.getMessage() + " (SQLState " + state + ")", e);
                }
                retries++;
                LOG.warn("writing {} rows to {} failed ({}, SQLState {}); retry {} of {} on a new connection",
                        n, table.table(), e.getMessage(), state, attempt + 1, MAX_RETRIES);
                sleep(BACKOFF_MILLIS[attempt]);
            }
        }
        rowsWritten += n;
        rows.reset();
    }

    /** Writes the following batches through the merge path until one merge only inserts (the benchmark uses it). */
    public void forceMergeMode() {
        mergeMode = true;
    }

    public boolean inMergeMode() {
        return mergeMode;
    }

    /** Rows of committed batches, as added (re-delivered rows and repeated keys included). */
    public long rowsWritten() {
        return rowsWritten;
    }

    /** Batches committed through the fast path (COPY straight into the table). */
    public long batchesCopied() {
        return batchesCopied;
    }

    /** Batches committed through the merge path (COPY into the temp table + upsert). */
    public long batchesMerged() {
        return batchesMerged;
    }

    /** Existing rows the merges updated (keys written before, e.g. by an attempt before a restart). */
    public long rowsUpdated() {
        return rowsUpdated;
    }

    /** Transient failures retried. */
    public long retries() {
        return retries;
    }

    public CopyTable table() {
        return table;
    }

    /** Closes the connection; buffered rows are dropped (Flink re-delivers them after a restart). */
    @Override
    public void close() {
        closeConnection();
    }

    private void writeBatch() throws SQLException {
        Connection c = connection();
        try {
            if (!mergeMode) {
                try {
                    copy(c, copySql, rows);
                    c.commit();
                    batchesCopied++;
                    return;
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(sqlState(e))) {
                        throw e;
                    }
                    c.rollback();
                    mergeMode = true;
                    LOG.info("{}: a batch of {} rows holds keys written before; merging until a batch is all new ({})",
                            table.table(), rows.rows(), e.getMessage());
                }
            }
            merge(c);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    private void merge(Connection c) throws SQLException {
        try (Statement statement = c.createStatement()) {
            if (!stageReady) {
                statement.execute(stageDdl);
            }
            if (numbered == null) {
                numbered = new PgBinary(rows.length() + rows.rows() * 8 + 64);
            }
            rows.copyNumberedTo(numbered);
            copy(c, stageCopySql, numbered);
            int inserted = 0;
            int updated = 0;
            try (ResultSet rs = statement.executeQuery(mergeSql)) {
                while (rs.next()) {
                    if (rs.getBoolean(1)) {
                        inserted++;
                    } else {
                        updated++;
                    }
                }
            }
            c.commit();
            stageReady = true;
            batchesMerged++;
            rowsUpdated += updated;
            if (updated == 0) {
                mergeMode = false;
                LOG.info("{}: a merged batch held only new keys ({} rows); back to plain COPY", table.table(), inserted);
            }
        }
    }

    private static void copy(Connection c, String sql, PgBinary payload) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            copy.writeToCopy(payload.bytes(), 0, payload.length());
            copy.writeToCopy(PgBinary.TRAILER, 0, PgBinary.TRAILER.length);
            copy.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connections.open();
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
            connection = c;
            stageReady = false;
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            closeQuietly(connection);
            connection = null;
            stageReady = false;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Already broken: nothing to release on the server side that it will not release itself.
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** The first SQLState in the exception's chain (the driver sometimes wraps the server's error). */
    static String sqlState(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        SQLException next = e.getNextException();
        return next == null ? null : sqlState(next);
    }

    /** Connection trouble, serialization failure, deadlock, admin shutdown: worth a retry on a new connection. */
    static boolean isTransient(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("40001") || sqlState.equals("40P01")
                || sqlState.equals("57P01"));
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry a batch");
        }
    }
}
