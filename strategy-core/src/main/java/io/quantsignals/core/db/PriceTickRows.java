package io.quantsignals.core.db;

import io.quantsignals.core.price.ScaledPrice;

import java.util.List;

/**
 * A {@code price_ticks} row in binary COPY form, written the same way by both of its writers: the
 * Flink job's tick archive and {@code ops-cli prices import}. The price goes in as the exact bits
 * of {@link ScaledPrice#toDouble}, so a tick stored by either holds the value the job computes.
 */
public final class PriceTickRows {

    /** The columns, in the order {@link #encode} writes them. */
    public static final List<String> COLUMNS = List.of("event_time", "symbol", "price", "volume", "source", "ingest_seq");

    private PriceTickRows() {
    }

    /**
     * Appends one row.
     *
     * @param volume the traded volume, or NaN for none (stored as NULL; valid ticks never carry NaN)
     * @param symbolUtf8 the symbol as UTF-8 (callers that see a symbol often encode it once)
     */
    public static void encode(PgBinary out, long tsMillis, byte[] symbolUtf8, long priceScaled, double volume,
                              byte[] sourceUtf8, long ingestSeq) {
        out.row(COLUMNS.size());
        out.timestampMillisField(tsMillis);
        out.textField(symbolUtf8);
        out.float8Field(ScaledPrice.toDouble(priceScaled));
        if (Double.isNaN(volume)) {
            out.nul();
        } else {
            out.float8Field(volume);
        }
        out.textField(sourceUtf8);
        out.int8Field(ingestSeq);
    }
}
