package io.quantsignals.replay;

import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * Streams the ticks of {@code [start, end)} (optionally of some symbols only) from
 * {@code price_ticks} in {@code (event_time, ingest_seq)} order, the order the job saw them.
 *
 * <p>The rows come through {@code COPY (SELECT ...) TO STDOUT (FORMAT binary)}: the server sends
 * each column's binary form (a timestamptz is 8 bytes of microseconds, a double 8 bytes) and
 * computes nothing per row, and the client decodes them without parsing text. (A JDBC cursor with
 * {@code extract(epoch ...)} in the SQL cost the server more than twice as much CPU per row and the
 * driver's text decoding as much again: bench/README.md, "The REPLAY path".) The window is never
 * held in memory: COPY streams, and the socket's buffers are all that is ahead of the reader. The
 * summary ({@code count}, first and last event time) and the rows are read in one REPEATABLE READ,
 * read-only transaction, so the count the progress display uses is exactly the number of rows
 * streamed, even while the job or an import writes to the table.
 *
 * <p>COPY takes no bind parameters, so the window and symbols are SQL literals: the times are
 * written from {@link Instant}s (no user text), the symbols escaped by the driver's own literal
 * escaping. Times are rounded down to whole microseconds (timestamptz's precision) for the count
 * and the rows alike.
 */
final class TickReader implements AutoCloseable {

    /** Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (binary timestamptz values count from there). */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int SYMBOL_CACHE = 1 << 10;

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
    private PGCopyInputStream copy;
    private DataInputStream rows;
    private boolean finished;
    /** Symbols decoded so far, by a hash of their bytes: a replay repeats a few symbols a million times. */
    private final byte[][] cachedBytes = new byte[SYMBOL_CACHE][];
    private final String[] cachedSymbols = new String[SYMBOL_CACHE];
    private byte[] text = new byte[64];

    // The current row.
    String symbol;
    long tsMillis;
    double price;
    boolean hasVolume;
    double volume;

    /** Starts the snapshot transaction; {@link #close} ends it and restores the connection. */
    TickReader(Connection connection, Instant start, Instant end, List<String> symbols) throws SQLException {
        this.connection = connection;
        this.start = start.truncatedTo(ChronoUnit.MICROS);
        this.end = end.truncatedTo(ChronoUnit.MICROS);
        this.symbols = symbols;
        this.autoCommit = connection.getAutoCommit();
        this.isolation = connection.getTransactionIsolation();
        this.readOnly = connection.isReadOnly();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    Summary summary() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), min(event_time), max(event_time) FROM price_ticks" + where())) {
            rs.next();
            return new Summary(rs.getLong(1), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)));
        }
    }

    /** Moves to the next tick; false at the end of the window. */
    boolean next() throws SQLException {
        if (finished) {
            return false;
        }
        try {
            if (rows == null) {
                String sql = "COPY (SELECT event_time, symbol, price, volume FROM price_ticks" + where()
                        + " ORDER BY event_time, ingest_seq) TO STDOUT (FORMAT binary)";
                copy = new PGCopyInputStream(connection.unwrap(PGConnection.class), sql);
                rows = new DataInputStream(new BufferedInputStream(copy, BUFFER_BYTES));
                readHeader();
            }
            short fields = rows.readShort();
            if (fields == -1) {
                finished = true;
                // Read to the end of the COPY, so it completes normally (closing an unfinished one sends
                // the server a cancel request, on a connection of its own).
                while (rows.read() != -1) {
                    // nothing follows the trailer
                }
                return false;
            }
            if (fields != 4) {
                throw new SQLException("COPY from price_ticks sent a row of " + fields + " columns, expected 4");
            }
            expectLength(8, "event_time");
            tsMillis = Math.floorDiv(rows.readLong() + PG_EPOCH_MICROS, 1000L);
            symbol = readSymbol();
            expectLength(8, "price");
            price = rows.readDouble();
            int volumeLength = rows.readInt();
            hasVolume = volumeLength >= 0;
            if (hasVolume) {
                if (volumeLength != 8) {
                    throw new SQLException("COPY from price_ticks sent " + volumeLength + " bytes for volume, expected 8");
                }
                volume = rows.readDouble();
            } else {
                volume = 0;
            }
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("reading price_ticks through COPY failed: " + e.getMessage(), "08000", e);
        }
    }

    /** The binary COPY header: signature, flags, header extension. */
    private void readHeader() throws IOException, SQLException {
        byte[] signature = new byte[11];
        rows.readFully(signature);
        if (!new String(signature, StandardCharsets.ISO_8859_1).equals("PGCOPY\n\377\r\n\0")) {
            throw new SQLException("COPY from price_ticks did not start with the binary signature");
        }
        rows.readInt(); // flags: no OIDs since PostgreSQL 12
        int extension = rows.readInt();
        rows.skipNBytes(extension);
    }

    private void expectLength(int expected, String column) throws IOException, SQLException {
        int length = rows.readInt();
        if (length != expected) {
            throw new SQLException("COPY from price_ticks sent " + length + " bytes for " + column + ", expected " + expected);
        }
    }

    private String readSymbol() throws IOException, SQLException {
        int length = rows.readInt();
        if (length < 0) {
            throw new SQLException("COPY from price_ticks sent a NULL symbol");
        }
        if (text.length < length) {
            text = new byte[Math.max(length, text.length * 2)];
        }
        rows.readFully(text, 0, length);
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + text[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SYMBOL_CACHE - 1);
        byte[] cached = cachedBytes[slot];
        if (cached != null && Arrays.equals(cached, 0, cached.length, text, 0, length)) {
            return cachedSymbols[slot];
        }
        String decoded = new String(text, 0, length, StandardCharsets.UTF_8);
        cachedBytes[slot] = Arrays.copyOf(text, length);
        cachedSymbols[slot] = decoded;
        return decoded;
    }

    /** The WHERE clause with the window (and symbols) as literals: COPY takes no parameters. */
    private String where() throws SQLException {
        StringBuilder sb = new StringBuilder(" WHERE event_time >= ").append(timestamp(start))
                .append(" AND event_time < ").append(timestamp(end));
        if (symbols != null) {
            boolean standardStrings = connection.unwrap(BaseConnection.class).getStandardConformingStrings();
            sb.append(" AND symbol = ANY (ARRAY[");
            for (int i = 0; i < symbols.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(standardStrings ? "'" : "E'");
                Utils.escapeLiteral(sb, symbols.get(i), standardStrings);
                sb.append('\'');
            }
            sb.append("]::text[])");
        }
        return sb.toString();
    }

    /** An instant as a timestamptz literal, e.g. {@code '2024-06-01T12:00:00.123456Z'::timestamptz}. */
    static String timestamp(Instant t) {
        return "'" + t.truncatedTo(ChronoUnit.MICROS) + "'::timestamptz";
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() throws SQLException {
        try {
            if (copy != null) {
                try {
                    copy.close(); // cancels a COPY not read to its end
                } catch (IOException e) {
                    // the rollback below ends the transaction (or reports the connection's failure)
                }
            }
            connection.rollback(); // read-only: nothing to commit
        } finally {
            connection.setReadOnly(readOnly);
            connection.setTransactionIsolation(isolation);
            connection.setAutoCommit(autoCommit);
        }
    }
}
