package io.quantsignals.local;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * The demo's price history, generated reproducibly rather than shipped: a seeded geometric
 * Brownian motion per symbol whose drift switches regime every couple of hours (so SMA crossovers
 * have trends to find and chop to lose on), with exponential gaps between ticks (mean 3 s) and the
 * occasional repeated timestamp. Same seed, same file, byte for byte. Not market data: no licence
 * questions, and no claim that the demo's returns mean anything.
 */
public final class SamplePrices {

    /** One symbol of the sample: starting price, and volatility per square root of a second. */
    record Instrument(String symbol, double startPrice, double volatility) {
    }

    static final List<Instrument> INSTRUMENTS = List.of(
            new Instrument("BTCUSD", 64_000, 0.00022),
            new Instrument("ETHUSD", 3_400, 0.00028),
            new Instrument("SOLUSD", 145, 0.00035));
    /** 2024-06-01T00:00:00Z. */
    public static final Instant START = Instant.parse("2024-06-01T00:00:00Z");
    /** Twelve hours: ~15,000 ticks per symbol (45,650 in all), 720 one-minute bars. */
    public static final Instant END = START.plusSeconds(12 * 3600);
    static final long SEED = 20240601L;

    private SamplePrices() {
    }

    /** Writes the sample as an ops-cli import CSV ({@code ts,symbol,price,volume}); returns the tick count. */
    public static long write(Path csv) throws IOException {
        Random random = new Random(SEED);
        long start = START.toEpochMilli();
        long end = END.toEpochMilli();
        int n = INSTRUMENTS.size();
        double[] price = new double[n];
        double[] drift = new double[n];
        long[] next = new long[n];
        long[] regimeEnds = new long[n];
        for (int i = 0; i < n; i++) {
            price[i] = INSTRUMENTS.get(i).startPrice();
            next[i] = start + (long) (random.nextDouble() * 3_000);
        }
        long ticks = 0;
        try (BufferedWriter out = Files.newBufferedWriter(csv)) {
            out.write("ts,symbol,price,volume\n");
            while (true) {
                int i = 0;
                for (int j = 1; j < n; j++) {
                    if (next[j] < next[i]) {
                        i = j;
                    }
                }
                long ts = next[i];
                if (ts >= end) {
                    return ticks;
                }
                if (ts >= regimeEnds[i]) {
                    // A new regime: up, down or sideways, for one to three hours.
                    drift[i] = (random.nextInt(3) - 1) * INSTRUMENTS.get(i).volatility() * 0.04;
                    regimeEnds[i] = ts + 3_600_000L + (long) (random.nextDouble() * 7_200_000L);
                }
                double gapSeconds = Math.max(0.001, -Math.log(1 - random.nextDouble()) * 3.0);
                double vol = INSTRUMENTS.get(i).volatility();
                price[i] *= Math.exp(drift[i] * gapSeconds + vol * Math.sqrt(gapSeconds) * random.nextGaussian());
                double volume = Math.round(random.nextDouble() * 5_000) / 1_000.0;
                out.write(Instant.ofEpochMilli(ts) + "," + INSTRUMENTS.get(i).symbol() + ","
                        + String.format("%.2f", price[i]) + "," + volume + "\n");
                ticks++;
                // One tick in twenty shares its timestamp with the next one of the same symbol.
                next[i] = random.nextInt(20) == 0 ? ts : ts + Math.max(1, Math.round(gapSeconds * 1000));
            }
        }
    }
}
