package io.quantsignals.core.db;

/**
 * Text from outside (a rejected message, a kill-switch file's reason) as a PostgreSQL {@code text}
 * value can hold it. NUL, which no text column accepts (one such row fails its whole batch, and a
 * streaming job then restarts forever), is written out as the six characters backslash, u, 0, 0,
 * 0, 0; an unpaired surrogate, which has no UTF-8 form, becomes U+FFFD. Everything else, other
 * control characters included, is kept as received.
 */
public final class StorableText {

    private StorableText() {
    }

    public static String of(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                out.append("\\u0000");
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * At most {@code maxChars} characters of {@code text}, never cutting a surrogate pair in half,
     * with a note of how many were left out.
     */
    public static String truncated(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, end) + "...(" + (text.length() - end) + " more chars)";
    }
}
