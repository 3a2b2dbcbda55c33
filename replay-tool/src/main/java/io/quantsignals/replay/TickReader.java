package io.quantsignals.replay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Streams the ticks of {@code [start, end)} (optionally of some symbols only) from
 * {@code price_ticks} in {@code (event_time, ingest_seq)} order, the order the job saw them.
 *
 * <p>The window is never held in memory: with auto-commit off and a fetch size, pgjdbc reads
 * through a server-side portal {@link #FETCH_SIZE} rows at a time. The summary ({@code count},
 * first and last event time) and the rows are read in one REPEATABLE READ, read-only transaction,
 * so the count the progress display uses is exactly the number of rows streamed, even while the
 * job or an import writes to the table.
 */
final class TickReader implements AutoCloseable {

    static final int FETCH_SIZE = 10_000;

    /**
     * {@code event_time} in epoch milliseconds, finer digits truncated (SPEC §5), computed by the
     * server: decoding a timestamptz in the driver ({@code getTimestamp}) costs more than the rest of
     * the row. Exact whether {@code extract} returns numeric (PostgreSQL 14+) or double (older): the
     * value is a whole number of milliseconds before the multiplication, and {@code round} absorbs
     * the double's error (far below 0.5 ms).
     */
    static final String EPOCH_MILLIS = "round(extract(epoch FROM date_trunc('milliseconds', event_time)) * 1000)::bigint";

    /** What {@code [start, end)} holds: the number of ticks and the first and last event time (null if none). */
    record Summary(long count, Instant first, Instant last) {
    }

    private final Connection connection;
    private final boolean autoCommit;
    private final int isolation;
    private final boolean readOnly;
    private final Instant start;
    private final Instant end;
    private final List<String> symbols;
    private PreparedStatement statement;
    private ResultSet rows;

    // The current row.
    String symbol;
    long tsMillis;
    double price;
    boolean hasVolume;
    double volume;

    /** Starts the snapshot transaction; {@link #close} ends it and restores the connection. */
    TickReader(Connection connection, Instant start, Instant end, List<String> symbols) throws SQLException {
        this.connection = connection;
        this.start = start;
        this.end = end;
        this.symbols = symbols;
        this.autoCommit = connection.getAutoCommit();
        this.isolation = connection.getTransactionIsolation();
        this.readOnly = connection.isReadOnly();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    Summary summary() throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT count(*), min(event_time), max(event_time) FROM price_ticks" + where())) {
            bind(s);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Summary(rs.getLong(1), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)));
            }
        }
    }

    /** Moves to the next tick; false at the end of the window. */
    boolean next() throws SQLException {
        if (rows == null) {
            statement = connection.prepareStatement(
                    "SELECT " + EPOCH_MILLIS + ", symbol, price, volume FROM price_ticks" + where()
                            + " ORDER BY event_time, ingest_seq",
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(FETCH_SIZE);
            bind(statement);
            rows = statement.executeQuery();
        }
        if (!rows.next()) {
            return false;
        }
        tsMillis = rows.getLong(1);
        symbol = rows.getString(2);
        price = rows.getDouble(3);
        volume = rows.getDouble(4);
        hasVolume = !rows.wasNull();
        return true;
    }

    private String where() {
        return " WHERE event_time >= ? AND event_time < ?" + (symbols == null ? "" : " AND symbol = ANY (?)");
    }

    private void bind(PreparedStatement s) throws SQLException {
        s.setObject(1, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
        s.setObject(2, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
        if (symbols != null) {
            s.setArray(3, connection.createArrayOf("text", symbols.toArray()));
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() throws SQLException {
        try {
            if (rows != null) {
                rows.close();
            }
            if (statement != null) {
                statement.close();
            }
            connection.rollback(); // read-only: nothing to commit
        } finally {
            connection.setReadOnly(readOnly);
            connection.setTransactionIsolation(isolation);
            connection.setAutoCommit(autoCommit);
        }
    }
}
