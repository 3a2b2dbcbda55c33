package io.quantsignals.ops.prices;

import io.quantsignals.core.db.PgBinary;
import io.quantsignals.core.db.PriceTickRows;
import io.quantsignals.core.price.ScaledPrice;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams the ticks of a {@link PriceCsvReader} into {@code price_ticks} with PostgreSQL's binary
 * {@code COPY}, in one transaction: it commits after the last row, and rolls back (leaving the table
 * as it was) when any line is bad or anything fails.
 *
 * <p>Each row gets {@code ingest_seq} from the sequence {@code price_ticks_ingest_seq}, increasing
 * in file order, so ticks with equal timestamps replay in file order (the replay tool orders by
 * {@code (event_time, ingest_seq)}). Sequence values cannot be drawn while a COPY is in progress on
 * the connection, so the rows go in chunks: reserve a block of values, COPY up to that many rows,
 * repeat. Blocks grow from 1,024 to 65,536 so a small file wastes few values. Memory stays constant
 * whatever the file's size: one line, one 64 KiB output buffer, one block of sequence values.
 *
 * <p>Why binary COPY rather than CSV: the {@code double} the server stores is then the exact bits
 * of {@link ScaledPrice#toDouble} (the value the Flink job computes for the same tick) with no
 * decimal text in between, symbols need no quoting, and the server parses less.
 */
public final class PriceImporter {

    static final String COPY_SQL = "COPY price_ticks (" + String.join(", ", PriceTickRows.COLUMNS)
            + ") FROM STDIN (FORMAT binary)";
    static final String RESERVE_SQL = "SELECT nextval('price_ticks_ingest_seq') FROM generate_series(1, ?)";

    static final int FIRST_CHUNK_ROWS = 1024;
    static final int MAX_CHUNK_ROWS = 65_536;
    /** How often {@link Progress#update} is called. */
    static final int PROGRESS_EVERY_ROWS = 1024;
    /** Distinct symbols counted exactly up to this many; beyond, memory would grow with the file. */
    static final int MAX_TRACKED_SYMBOLS = 100_000;

    /** Bytes sent to the server at a time within one COPY. */
    private static final int BUFFER_BYTES = 64 * 1024;

    /** Told about progress every {@value #PROGRESS_EVERY_ROWS} rows. */
    @FunctionalInterface
    public interface Progress {
        void update(long rows, long bytesRead);
    }

    /**
     * What one import wrote.
     *
     * @param symbols distinct symbols, counted exactly up to {@value #MAX_TRACKED_SYMBOLS}
     * @param minTsMillis earliest tick time (Long.MAX_VALUE without rows)
     * @param maxTsMillis latest tick time (Long.MIN_VALUE without rows)
     * @param nanos from the first read to the commit
     */
    public record Result(long rows, int symbols, boolean symbolsCapped, long minTsMillis, long maxTsMillis,
                         long bytesRead, long nanos) {
        public double seconds() {
            return nanos / 1e9;
        }

        public double rowsPerSecond() {
            return nanos == 0 ? 0 : rows / seconds();
        }
    }

    private final Connection connection;
    private final byte[] sourceBytes;
    private final PgBinary out;
    private final Map<String, byte[]> symbols = new HashMap<>();
    private boolean symbolsCapped;

    private PriceImporter(Connection connection, String source) {
        this.connection = connection;
        this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
        // Room for one more row after the flush threshold: fixed fields, a symbol of at most 64
        // characters (4 UTF-8 bytes each) and the source.
        this.out = new PgBinary(BUFFER_BYTES + 512 + sourceBytes.length);
    }

    /**
     * Imports every row of {@code reader} with {@code source} as {@code price_ticks.source}, in one
     * transaction on {@code connection} (which is left with auto-commit off).
     *
     * @throws io.quantsignals.cli.InvalidInputException for a bad line: nothing is imported
     * @throws SQLException if the database fails: nothing is imported
     */
    public static Result importAll(Connection connection, PriceCsvReader reader, String source, Progress progress)
            throws SQLException {
        return new PriceImporter(connection, source).run(reader, progress);
    }

    private Result run(PriceCsvReader reader, Progress progress) throws SQLException {
        long start = System.nanoTime();
        connection.setAutoCommit(false);
        try {
            CopyManager copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
            PriceCsvReader.Row row = new PriceCsvReader.Row();
            long rows = 0;
            long minTs = Long.MAX_VALUE;
            long maxTs = Long.MIN_VALUE;
            int chunkRows = FIRST_CHUNK_ROWS;
            boolean more = reader.next(row);
            while (more) {
                long[] seq = reserve(chunkRows);
                CopyIn copy = copyManager.copyIn(COPY_SQL);
                try {
                    out.begin();
                    int inChunk = 0;
                    while (more && inChunk < seq.length) {
                        PriceTickRows.encode(out, row.tsMillis, symbolBytes(row.symbol), row.priceScaled, row.volume,
                                sourceBytes, seq[inChunk++]);
                        if (out.length() >= BUFFER_BYTES) {
                            copy.writeToCopy(out.bytes(), 0, out.length());
                            out.clearSent();
                        }
                        minTs = Math.min(minTs, row.tsMillis);
                        maxTs = Math.max(maxTs, row.tsMillis);
                        if (++rows % PROGRESS_EVERY_ROWS == 0) {
                            progress.update(rows, reader.bytesRead());
                        }
                        more = reader.next(row);
                    }
                    out.end();
                    copy.writeToCopy(out.bytes(), 0, out.length());
                    copy.endCopy();
                } catch (Throwable failure) {
                    cancel(copy, failure);
                    throw failure;
                }
                chunkRows = Math.min(chunkRows * 4, MAX_CHUNK_ROWS);
            }
            connection.commit();
            progress.update(rows, reader.bytesRead());
            return new Result(rows, symbols.size(), symbolsCapped, minTs, maxTs, reader.bytesRead(),
                    System.nanoTime() - start);
        } catch (Throwable failure) {
            try {
                connection.rollback();
            } catch (SQLException | RuntimeException rollbackFailure) {
                failure.addSuppressed(rollbackFailure);
            }
            throw failure;
        }
    }

    /** Ends a COPY in progress (the server discards its rows) without hiding why it is ended. */
    private static void cancel(CopyIn copy, Throwable failure) {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The next {@code n} values of the sequence, ascending. */
    private long[] reserve(int n) throws SQLException {
        long[] values = new long[n];
        try (PreparedStatement ps = connection.prepareStatement(RESERVE_SQL)) {
            ps.setInt(1, n);
            ps.setFetchSize(8192); // a cursor (auto-commit is off): the result is not held whole
            try (ResultSet rs = ps.executeQuery()) {
                int i = 0;
                while (rs.next()) {
                    values[i++] = rs.getLong(1);
                }
                if (i != n) {
                    throw new SQLException("reserved " + i + " of " + n + " values of price_ticks_ingest_seq");
                }
            }
        }
        // One session's nextval calls are increasing already; sorting makes file order explicit.
        Arrays.sort(values);
        return values;
    }

    private byte[] symbolBytes(String symbol) {
        byte[] bytes = symbols.get(symbol);
        if (bytes == null) {
            bytes = symbol.getBytes(StandardCharsets.UTF_8);
            if (symbols.size() < MAX_TRACKED_SYMBOLS) {
                symbols.put(symbol, bytes);
            } else {
                symbolsCapped = true;
            }
        }
        return bytes;
    }
}
