package io.quantsignals.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalTextTest {

    private static final String EVIL = "a\u001b[2Jb\u0007c\u009bd\u007fe\u0000f\tg";

    @Test
    void everyControlCharacterIsShownAsAVisibleEscape() {
        assertEquals("a\\u001b[2Jb\\u0007c\\u009bd\\u007fe\\u0000f\\u0009g", TerminalText.escape(EVIL));
        String plain = "Zoë Ødegård 株式 \uD83D\uDE00 back\\slash";
        assertSame(plain, TerminalText.escape(plain), "other text is left as it is");
        assertNull(TerminalText.escape(null));
    }

    @Test
    void controlCharactersAreRefusedNamingTheFirstWithoutQuotingIt() {
        assertNull(TerminalText.controlCharacterProblem("Zoë"));
        assertNull(TerminalText.controlCharacterProblem(null));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TerminalText.requireNoControlCharacters("--created-by", "x\u009b\u001b"));
        assertEquals("--created-by contains the control character U+009B", e.getMessage());
        TerminalText.requireNoControlCharacters("--created-by", "alice");
    }

    @Test
    void jsonOutputEscapesDelAndC1ControlsToo() throws Exception {
        ObjectMapper plain = new ObjectMapper();
        assertTrue(plain.writeValueAsString(EVIL).contains("\u009b"), "Jackson alone lets U+009B through");

        ObjectMapper mapper = TerminalText.escapingControlCharacters(new ObjectMapper());
        String json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("created_by", EVIL, "name", "Zoë"));
        assertTrue(json.chars().noneMatch(c -> Character.isISOControl(c) && c != '\n'), json);
        assertTrue(json.contains("Zoë"), "non-control characters stay as they are: " + json);
        assertEquals(EVIL, mapper.readTree(json).get("created_by").textValue());
    }
}
