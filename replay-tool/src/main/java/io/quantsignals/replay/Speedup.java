package io.quantsignals.replay;

import picocli.CommandLine;

import java.math.BigDecimal;

/**
 * How much faster than the original event time ticks are replayed: a positive finite factor, or
 * {@code max} (no pacing at all).
 *
 * @param factor event-time milliseconds per wall-clock millisecond; infinite for {@code max}
 */
record Speedup(double factor) {

    static final Speedup MAX = new Speedup(Double.POSITIVE_INFINITY);

    boolean isMax() {
        return Double.isInfinite(factor);
    }

    /** Wall-clock nanoseconds per event-time millisecond (0 for {@code max}). */
    double nanosPerEventMilli() {
        return isMax() ? 0 : 1e6 / factor;
    }

    @Override
    public String toString() {
        if (isMax()) {
            return "max";
        }
        return BigDecimal.valueOf(factor).stripTrailingZeros().toPlainString() + "x";
    }

    /** {@code max}, or a decimal number greater than zero ({@code 10}, {@code 0.5}, {@code 1e3}). */
    static Speedup parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("max")) {
            return MAX;
        }
        double value;
        try {
            value = new BigDecimal(t).doubleValue();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number or 'max'");
        }
        if (!(value > 0)) {
            throw new IllegalArgumentException("must be greater than 0, got '" + text + "'");
        }
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException("'" + text + "' is too large (use 'max' for no pacing)");
        }
        return new Speedup(value);
    }

    /** For picocli: a bad value becomes a usage error (exit 2). */
    static final class Converter implements CommandLine.ITypeConverter<Speedup> {
        @Override
        public Speedup convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
