package io.quantsignals.replay;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.quantsignals.core.price.ScaledPrice;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON the replay tool writes (SPEC §3, §7): replayed ticks and end-of-replay markers.
 *
 * <p>Tick: {@code {"symbol":S,"price":P,"ts":<epoch ms>,"volume":V,<marking>}} where the marking
 * is {@code "replay_run_id":"<uuid>"} for a run, {@code "replay_sweep_id":"<uuid>"} for a sweep and
 * {@code "replayed":true} otherwise, and
 * {@code volume} is left out when it is SQL NULL. {@code P} is the exact decimal (at most 8
 * decimals, no exponent, no trailing zeros) of {@link ScaledPrice#fromDouble}, so the job's
 * {@link ScaledPrice#parse} reads back exactly the price the database holds. {@code V} is the
 * shortest decimal that reads back as the stored double.
 *
 * <p>Values JSON cannot carry as numbers (a stored NaN or infinite price or volume, or a price
 * beyond {@link ScaledPrice}'s range) are written as JSON strings / in exponent form, so that the
 * job rejects the tick with a reason in {@code rejected_ticks} rather than the tool dropping it
 * silently (SPEC §3). The table's {@code CHECK (price > 0)} makes these cases theoretical.
 *
 * <p>End markers: {@code {"symbol":S,"ts":<end ms>,"replay_run_id":"R","replay_end":true}} per
 * symbol for a run (a sweep: {@code "replay_sweep_id"}), {@code {"ts":<end ms>,"replay_end":true}}
 * per partition otherwise.
 *
 * <p>The JSON is written as bytes into one reused buffer, each symbol's opening
 * {@code {"symbol":"…"} and the marking encoded once: building a String per message and encoding it
 * cost a third of the tool's main thread (bench/README.md "The REPLAY path end to end"). An
 * instance is not thread-safe.
 */
final class TickMessages {

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final long SCALE = ScaledPrice.SCALE;
    private static final byte[] PRICE = ascii(",\"price\":");
    private static final byte[] TS = ascii(",\"ts\":");
    private static final byte[] VOLUME = ascii(",\"volume\":");
    private static final byte[] END = ascii(",\"replay_end\":true}");
    private static final byte[] RESET = ascii(",\"replay_reset\":true}");

    private final JsonBytes out = new JsonBytes();
    /** {@code ,"replay_run_id":"…"}, {@code ,"replay_sweep_id":"…"} or {@code ,"replayed":true}. */
    private final byte[] marking;
    private final ReplayTarget target;
    /** {@code {"symbol":"<escaped symbol>"} per symbol. */
    private final Map<String, byte[]> openings = new HashMap<>();

    /** @param target the run or sweep the replay is for, or null */
    TickMessages(ReplayTarget target) {
        this.target = target;
        this.marking = ascii(target == null ? ",\"replayed\":true" : ",\"" + target.field() + "\":\"" + target.id() + "\"");
    }

    /** One tick; {@code volume} is ignored when {@code hasVolume} is false. */
    byte[] tick(String symbol, long tsMillis, double price, boolean hasVolume, double volume) {
        out.clear();
        out.put(opening(symbol)).put(PRICE);
        putPrice(price);
        out.put(TS).putLong(tsMillis);
        if (hasVolume) {
            out.put(VOLUME);
            putVolume(volume);
        }
        return out.put(marking).put((byte) '}').toByteArray();
    }

    /** The end marker of one symbol of a run or sweep (only with a target). */
    byte[] targetEndMarker(String symbol, long endMillis) {
        if (target == null) {
            throw new IllegalStateException("a per-symbol end marker needs a run or sweep id");
        }
        out.clear();
        return out.put(opening(symbol)).put(TS).putLong(endMillis).put(marking).put(END).toByteArray();
    }

    /**
     * The start marker sent before a symbol's first tick in a replay for a run or sweep: the job then
     * evaluates that symbol from a fresh state, so a run replayed again starts clean.
     */
    byte[] targetResetMarker(String symbol, long firstTickMillis) {
        if (target == null) {
            throw new IllegalStateException("a reset marker needs a run or sweep id");
        }
        out.clear();
        return out.put(opening(symbol)).put(TS).putLong(firstTickMillis).put(marking).put(RESET).toByteArray();
    }

    /** The end marker of one partition (replays without a run id). */
    static byte[] partitionEndMarker(long endMillis) {
        return ("{\"ts\":" + endMillis + ",\"replay_end\":true}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] opening(String symbol) {
        byte[] opening = openings.get(symbol);
        if (opening == null) {
            byte[] escaped = ENCODER.quoteAsUTF8(symbol);
            opening = new JsonBytes().put(ascii("{\"symbol\":\"")).put(escaped).put((byte) '"').toByteArray();
            openings.put(symbol, opening);
        }
        return opening;
    }

    private void putPrice(double price) {
        if (!Double.isFinite(price)) {
            out.put((byte) '"').putAscii(Double.toString(price)).put((byte) '"');
            return;
        }
        long scaled;
        try {
            scaled = ScaledPrice.fromDouble(price);
        } catch (IllegalArgumentException e) {
            // Not positive, or too large for 10^-8 units: let the job reject it with the reason.
            out.putAscii(Double.toString(price));
            return;
        }
        out.putScaled(scaled);
    }

    private void putVolume(double volume) {
        if (!Double.isFinite(volume)) {
            out.put((byte) '"').putAscii(Double.toString(volume)).put((byte) '"');
            return;
        }
        String text = Double.toString(volume);
        if (text.indexOf('E') < 0) {
            // 10^-3 <= |v| < 10^7: already plain; "2.0" -> "2".
            out.putAscii(text.endsWith(".0") ? text.substring(0, text.length() - 2) : text);
            return;
        }
        double magnitude = Math.abs(volume);
        if (magnitude >= 1e-12 && magnitude < 1e21) {
            // Same decimal value as Double.toString, so it reads back as the same double.
            out.putAscii(new BigDecimal(text).stripTrailingZeros().toPlainString());
        } else {
            out.putAscii(text); // exponent form is valid JSON too
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A growable byte buffer with the few writes JSON numbers need. */
    static final class JsonBytes {

        private byte[] bytes = new byte[192];
        private int length;

        JsonBytes clear() {
            length = 0;
            return this;
        }

        JsonBytes put(byte b) {
            ensure(1);
            bytes[length++] = b;
            return this;
        }

        JsonBytes put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, length, b.length);
            length += b.length;
            return this;
        }

        /** Text known to be ASCII (numbers as Java prints them). */
        JsonBytes putAscii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                bytes[length++] = (byte) s.charAt(i);
            }
            return this;
        }

        /** Decimal digits of {@code v}, as {@link Long#toString(long)}. */
        JsonBytes putLong(long v) {
            if (v < 0) {
                if (v == Long.MIN_VALUE) {
                    return putAscii(Long.toString(v));
                }
                put((byte) '-');
                v = -v;
            }
            int digits = digits(v);
            ensure(digits);
            for (int i = length + digits - 1; i >= length; i--) {
                bytes[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            length += digits;
            return this;
        }

        /**
         * {@code scaled / 10^8} as a plain decimal without trailing zeros; the same text as
         * {@code BigDecimal.valueOf(scaled, 8).stripTrailingZeros().toPlainString()}, without allocating.
         */
        JsonBytes putScaled(long scaled) {
            if (scaled < 0) {
                // Never a valid price; only for completeness (Long.MIN_VALUE cannot be negated).
                return putAscii(ScaledPrice.toBigDecimal(scaled).stripTrailingZeros().toPlainString());
            }
            putLong(scaled / SCALE);
            long fraction = scaled % SCALE;
            if (fraction == 0) {
                return this;
            }
            int decimals = 8;
            while (fraction % 10 == 0) {
                fraction /= 10;
                decimals--;
            }
            put((byte) '.');
            for (int i = digits(fraction); i < decimals; i++) { // leading zeros of the fraction
                put((byte) '0');
            }
            return putLong(fraction);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, length);
        }

        @Override
        public String toString() {
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }

        private static int digits(long v) {
            int n = 1;
            while (v >= 10) {
                v /= 10;
                n++;
            }
            return n;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }
}
