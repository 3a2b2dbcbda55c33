package io.quantsignals.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Text from outside the program (database rows, kill-switch files, the command line) as a terminal
 * may print it. A control character is what a terminal acts on instead of showing: ESC (U+001B) and
 * the 8-bit CSI (U+009B) start escape sequences that can move the cursor, clear the screen, retitle
 * the window or hide text; BEL rings; a line break forges a line of output. So every control
 * character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) is either refused where text comes
 * in, or shown as a visible <code>&#92;u001b</code> where it goes out.
 */
public final class TerminalText {

    private TerminalText() {
    }

    /** The text with each control character as <code>&#92;uXXXX</code> (lower-case hex); null stays null. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The first control character's problem, like {@code contains the control character U+001B}; null if none. */
    public static String controlCharacterProblem(String text) {
        if (text != null) {
            for (int i = 0; i < text.length(); i++) {
                if (Character.isISOControl(text.charAt(i))) {
                    return String.format("contains the control character U+%04X", (int) text.charAt(i));
                }
            }
        }
        return null;
    }

    /**
     * Refuses a value with a control character as invalid input (exit 2): {@code --created-by
     * contains the control character U+001B}. The value itself is not quoted: it holds the very
     * character objected to.
     */
    public static void requireNoControlCharacters(String option, String value) {
        String problem = controlCharacterProblem(value);
        if (problem != null) {
            throw new InvalidInputException(option + " " + problem);
        }
    }

    /**
     * Makes the mapper's JSON output escape DEL and the C1 controls (U+007F–U+009F) as well: Jackson
     * escapes U+0000–U+001F only, and {@code --json} output is printed to terminals too.
     */
    public static <M extends ObjectMapper> M escapingControlCharacters(M mapper) {
        mapper.getFactory().setCharacterEscapes(JsonEscapes.INSTANCE);
        return mapper;
    }

    private static final class JsonEscapes extends CharacterEscapes {
        static final JsonEscapes INSTANCE = new JsonEscapes();

        private final int[] ascii = standardAsciiEscapesForJSON();

        private JsonEscapes() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return Character.isISOControl(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
