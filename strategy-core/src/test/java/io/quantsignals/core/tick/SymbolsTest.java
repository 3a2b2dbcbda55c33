package io.quantsignals.core.tick;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SymbolsTest {

    @Test
    void acceptsOrdinaryAndUnicodeSymbols() {
        assertNull(Symbols.problem("BTCUSD"));
        assertNull(Symbols.problem("BRK.B"));
        assertNull(Symbols.problem("ÄÖÜ-€"));
        assertNull(Symbols.problem("株式 7203"));
        assertNull(Symbols.problem("\uD83D\uDCB0")); // a paired surrogate: one emoji
        assertNull(Symbols.problem("x".repeat(Symbols.MAX_LENGTH)));
    }

    @Test
    void rejectsWhatNoSinkOrTerminalTakes() {
        assertEquals("symbol is empty", Symbols.problem(""));
        assertEquals("symbol is empty", Symbols.problem(null));
        assertEquals("symbol is longer than 64 characters", Symbols.problem("x".repeat(65)));
        assertEquals("symbol contains the control character U+0000", Symbols.problem("BTC\u0000USD"));
        assertEquals("symbol contains the control character U+001B", Symbols.problem("\u001b[31mRED"));
        assertEquals("symbol contains the control character U+0085", Symbols.problem("A\u0085"));
        assertEquals("symbol contains the unpaired surrogate U+D83D", Symbols.problem("A\uD83D"));
        assertEquals("symbol contains the unpaired surrogate U+DCB0", Symbols.problem("\uDCB0A"));
        assertEquals("symbol is blank", Symbols.problem("   "));
        assertEquals("symbol has leading or trailing white space", Symbols.problem(" BTC"));
        assertEquals("symbol has leading or trailing white space", Symbols.problem("BTC\u2003"));
    }
}
