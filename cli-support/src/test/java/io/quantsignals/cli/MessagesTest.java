package io.quantsignals.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MessagesTest {

    @Test
    void oneLineJoinsLinesWithOneSpace() {
        assertEquals("first second third", Messages.oneLine("first\n  second \r\n\tthird\n"));
        assertEquals("as is", Messages.oneLine("  as is "));
        assertEquals("", Messages.oneLine(null));
    }

    @Test
    void oneLineShowsControlCharactersAsVisibleEscapes() {
        // An error message may quote text from a file, a row or an argument: it must not drive the terminal.
        assertEquals("unknown parameter 'x\\u001b[2J' (tab: a b)", Messages.oneLine("unknown parameter 'x\u001b[2J' (tab:\ta b)"));
    }

    @Test
    void passwordsGivenToPasswordLikeOptionsAreMasked() {
        String[] args = {"--db-pasword=hunter2", "--db-passwd", "hunter3", "--DB-PWD", "hunter4", "--kafka", "k:1"};
        assertEquals("Unknown options: '--db-pasword=***', '--db-passwd', '***', '--DB-PWD', '***'; k:1",
                Messages.maskSecrets("Unknown options: '--db-pasword=hunter2', '--db-passwd', 'hunter3', "
                        + "'--DB-PWD', 'hunter4'; k:1", args, Map.of()));
    }

    @Test
    void theEnvironmentPasswordIsMaskedWherever() {
        assertEquals("Unknown option: '--bogus' (parameter '***')",
                Messages.maskSecrets("Unknown option: '--bogus' (parameter 's3cret-env')", new String[] {"--bogus", "s3cret-env"},
                        Map.of("DATABASE_PASSWORD", "s3cret-env")));
    }

    @Test
    void otherArgumentsEmptyValuesAndNullAreLeftAlone() {
        String message = "Unknown option: '--db-url=jdbc:postgresql://h/q'";
        assertEquals(message, Messages.maskSecrets(message, new String[] {"--db-url=jdbc:postgresql://h/q", "password"},
                Map.of("DATABASE_PASSWORD", "")));
        assertEquals("x", Messages.maskSecrets("x", new String[] {"--db-password="}, Map.of()));
        assertEquals("x", Messages.maskSecrets("x", new String[] {"--db-password"}, Map.of()));
        assertNull(Messages.maskSecrets(null, new String[0], Map.of()));
    }
}
