package io.quantsignals.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunIdConverterTest {

    private final RunIdConverter converter = new RunIdConverter();

    @Test
    void aCanonicalUuidInAnyCaseWithBlanksAroundIsARunId() {
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertEquals(id, converter.convert("123e4567-e89b-12d3-a456-426614174000"));
        assertEquals(id, converter.convert(" 123E4567-E89B-12D3-A456-426614174000 "));
    }

    @Test
    void anythingElseIsRefusedQuotingTheValue() {
        // "1-2-3-4-5" is a UUID to UUID.fromString (00000001-0002-0003-0004-000000000005), not a run id.
        for (String bad : new String[] {"nope", "42", "1-2-3-4-5", "", "123e4567e89b12d3a456426614174000"}) {
            CommandLine.TypeConversionException e =
                    assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "' is not a run id"),
                    e.getMessage());
        }
    }

    @Test
    void aSweepIdFollowsTheSameRuleAndIsNamedAsASweepId() {
        RunIdConverter sweeps = new RunIdConverter.SweepIdConverter();
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertEquals(id, sweeps.convert(" 123E4567-E89B-12D3-A456-426614174000 "));
        CommandLine.TypeConversionException e =
                assertThrows(CommandLine.TypeConversionException.class, () -> sweeps.convert("1-2-3-4-5"));
        assertTrue(e.getMessage().startsWith("'1-2-3-4-5' is not a sweep id (a UUID"), e.getMessage());
    }
}
