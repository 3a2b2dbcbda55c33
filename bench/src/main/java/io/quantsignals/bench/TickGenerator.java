package io.quantsignals.bench;

import io.quantsignals.core.price.ScaledPrice;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A deterministic tick stream: {@code symbols} instruments, each a random walk in cents (roughly
 * 0.05% per step), a uniformly random symbol per tick, and event times that increase by 1-19 ms
 * (mean 10 ms) from tick to tick across all symbols. Every message is about 54 bytes of JSON:
 * {@code {"symbol":"SYM042","price":1234.56,"ts":1717200000123}}.
 *
 * <p>The same seed yields the same sequence, so the metric rows of the COPY benchmark can be
 * computed from exactly the ticks the job reads.
 */
final class TickGenerator {

    /** 2024-06-01T00:00:00Z: bar-aligned for every bar length that divides a day. */
    static final long START_MILLIS = 1_717_200_000_000L;

    private final Random random;
    private final String[] names;
    private final long[] cents;
    private long ts = START_MILLIS;

    /** Filled by {@link #next()}. */
    int symbol;
    long tsMillis;
    long priceCents;

    TickGenerator(long seed, int symbols) {
        random = new Random(seed);
        names = new String[symbols];
        cents = new long[symbols];
        for (int s = 0; s < symbols; s++) {
            names[s] = symbolName(s);
            cents[s] = 1_000 + random.nextInt(199_000); // 10.00 .. 2,000.00
        }
    }

    static String symbolName(int index) {
        return String.format("SYM%03d", index);
    }

    String name(int index) {
        return names[index];
    }

    void next() {
        symbol = random.nextInt(names.length);
        ts += 1 + random.nextInt(19);
        long c = cents[symbol];
        long step = Math.round(c * 0.0005 * random.nextGaussian());
        c = Math.max(1, c + step);
        cents[symbol] = c;
        tsMillis = ts;
        priceCents = c;
    }

    long priceScaled() {
        return priceCents * (ScaledPrice.SCALE / 100);
    }

    /** The Kafka message of the current tick. */
    byte[] json(StringBuilder sb) {
        sb.setLength(0);
        sb.append("{\"symbol\":\"").append(names[symbol]).append("\",\"price\":");
        appendCents(sb, priceCents);
        sb.append(",\"ts\":").append(tsMillis).append('}');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static void appendCents(StringBuilder sb, long cents) {
        sb.append(cents / 100).append('.');
        long frac = cents % 100;
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
    }
}
