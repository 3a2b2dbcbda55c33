package io.quantsignals.core.db;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StorableTextTest {

    @Test
    void nulIsWrittenOutAndUnpairedSurrogatesReplaced() {
        assertEquals("plain \u001b[31m text", StorableText.of("plain \u001b[31m text"), "other controls are kept");
        assertEquals("a\\u0000b", StorableText.of("a\u0000b"));
        assertEquals("\uD83D\uDCB0 \uFFFD \uFFFD", StorableText.of("\uD83D\uDCB0 \uD83D \uDCB0"));
        assertEquals("", StorableText.of(""));
    }

    @Test
    void truncationKeepsSurrogatePairsWhole() {
        assertEquals("abc", StorableText.truncated("abc", 3));
        assertEquals("ab...(2 more chars)", StorableText.truncated("abcd", 2));
        assertEquals("a...(3 more chars)", StorableText.truncated("a\uD83D\uDCB0b", 2));
    }
}
