package io.quantsignals.replay;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.quantsignals.core.price.ScaledPrice;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

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
 * <p>An instance reuses one buffer: not thread-safe.
 */
final class TickMessages {

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final long SCALE = ScaledPrice.SCALE;

    private final StringBuilder sb = new StringBuilder(160);
    /** {@code ,"replay_run_id":"…"}, {@code ,"replay_sweep_id":"…"} or {@code ,"replayed":true}, precomputed. */
    private final String marking;
    private final ReplayTarget target;

    /** @param target the run or sweep the replay is for, or null */
    TickMessages(ReplayTarget target) {
        this.target = target;
        this.marking = target == null ? ",\"replayed\":true" : ",\"" + target.field() + "\":\"" + target.id() + "\"";
    }

    /** One tick; {@code volume} is ignored when {@code hasVolume} is false. */
    byte[] tick(String symbol, long tsMillis, double price, boolean hasVolume, double volume) {
        sb.setLength(0);
        sb.append("{\"symbol\":");
        appendString(symbol);
        sb.append(",\"price\":");
        appendPrice(price);
        sb.append(",\"ts\":").append(tsMillis);
        if (hasVolume) {
            sb.append(",\"volume\":");
            appendVolume(volume);
        }
        sb.append(marking).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The end marker of one symbol of a run or sweep (only with a target). */
    byte[] targetEndMarker(String symbol, long endMillis) {
        if (target == null) {
            throw new IllegalStateException("a per-symbol end marker needs a run or sweep id");
        }
        sb.setLength(0);
        sb.append("{\"symbol\":");
        appendString(symbol);
        sb.append(",\"ts\":").append(endMillis).append(marking).append(",\"replay_end\":true}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The start marker sent before a symbol's first tick in a replay for a run or sweep: the job then
     * evaluates that symbol from a fresh state, so a run replayed again starts clean.
     */
    byte[] targetResetMarker(String symbol, long firstTickMillis) {
        if (target == null) {
            throw new IllegalStateException("a reset marker needs a run or sweep id");
        }
        sb.setLength(0);
        sb.append("{\"symbol\":");
        appendString(symbol);
        sb.append(",\"ts\":").append(firstTickMillis).append(marking).append(",\"replay_reset\":true}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The end marker of one partition (replays without a run id). */
    static byte[] partitionEndMarker(long endMillis) {
        return ("{\"ts\":" + endMillis + ",\"replay_end\":true}").getBytes(StandardCharsets.UTF_8);
    }

    private void appendString(String s) {
        sb.append('"');
        ENCODER.quoteAsString(s, sb);
        sb.append('"');
    }

    private void appendPrice(double price) {
        if (!Double.isFinite(price)) {
            sb.append('"').append(price).append('"');
            return;
        }
        long scaled;
        try {
            scaled = ScaledPrice.fromDouble(price);
        } catch (IllegalArgumentException e) {
            // Not positive, or too large for 10^-8 units: let the job reject it with the reason.
            sb.append(price);
            return;
        }
        appendScaled(sb, scaled);
    }

    /**
     * {@code scaled / 10^8} as a plain decimal without trailing zeros; the same text as
     * {@code BigDecimal.valueOf(scaled, 8).stripTrailingZeros().toPlainString()}, without allocating.
     */
    static void appendScaled(StringBuilder out, long scaled) {
        if (scaled < 0) {
            // Never a valid price; only for completeness (Long.MIN_VALUE cannot be negated).
            out.append(ScaledPrice.toBigDecimal(scaled).stripTrailingZeros().toPlainString());
            return;
        }
        long integer = scaled / SCALE;
        long fraction = scaled % SCALE;
        out.append(integer);
        if (fraction == 0) {
            return;
        }
        int digits = 8;
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        out.append('.');
        int len = Long.toString(fraction).length(); // leading zeros of the fraction
        for (int i = len; i < digits; i++) {
            out.append('0');
        }
        out.append(fraction);
    }

    private void appendVolume(double volume) {
        if (!Double.isFinite(volume)) {
            sb.append('"').append(volume).append('"');
            return;
        }
        String text = Double.toString(volume);
        if (text.indexOf('E') < 0) {
            // 10^-3 <= |v| < 10^7: already plain; "2.0" -> "2".
            if (text.endsWith(".0")) {
                sb.append(text, 0, text.length() - 2);
            } else {
                sb.append(text);
            }
            return;
        }
        double magnitude = Math.abs(volume);
        if (magnitude >= 1e-12 && magnitude < 1e21) {
            // Same decimal value as Double.toString, so it reads back as the same double.
            sb.append(new BigDecimal(text).stripTrailingZeros().toPlainString());
        } else {
            sb.append(text); // exponent form is valid JSON too
        }
    }
}
