package io.quantsignals.core.tick;

/**
 * What a symbol may be, everywhere one enters the system: a Kafka tick (SPEC §3), a row of
 * {@code ops-cli prices import}, and a run's {@code symbols} param. One rule, so that a run can
 * never list a symbol the job would reject, and nothing reaches the database that a PostgreSQL
 * {@code text} column refuses (NUL) or that would print as a terminal escape.
 *
 * <p>A symbol is 1 to {@value #MAX_LENGTH} UTF-16 characters, without leading or trailing white
 * space, without control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) and without
 * unpaired surrogates (which have no UTF-8 encoding). Any other Unicode text is allowed.
 */
public final class Symbols {

    public static final int MAX_LENGTH = 64;

    private Symbols() {
    }

    /**
     * @return null if {@code symbol} is a valid symbol, otherwise a one-line reason (it never
     *         quotes the symbol, which may hold the very characters it objects to)
     */
    public static String problem(String symbol) {
        if (symbol == null || symbol.isEmpty()) {
            return "symbol is empty";
        }
        if (symbol.length() > MAX_LENGTH) {
            return "symbol is longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < symbol.length(); i++) {
            char c = symbol.charAt(i);
            if (Character.isISOControl(c)) {
                return String.format("symbol contains the control character U+%04X", (int) c);
            }
            if (Character.isHighSurrogate(c) && i + 1 < symbol.length() && Character.isLowSurrogate(symbol.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("symbol contains the unpaired surrogate U+%04X", (int) c);
            }
        }
        if (symbol.isBlank()) {
            return "symbol is blank";
        }
        if (!symbol.strip().equals(symbol)) {
            return "symbol has leading or trailing white space";
        }
        return null;
    }
}
