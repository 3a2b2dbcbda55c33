package io.quantsignals.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageErrorsTest {

    @Command(name = "flat")
    static final class Flat {
        @Option(names = "--db-password")
        String password;

        @Option(names = "--kafka")
        String kafka;
    }

    @Command(name = "positional")
    static final class WithPositional {
        @Option(names = "--db-password")
        String password;

        @Parameters(arity = "0..1")
        String runId;
    }

    private static String describe(Object command, String... args) {
        return describe(command, Map.of(), args);
    }

    private static String describe(Object command, Map<String, String> env, String... args) {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(command).parseArgs(args));
        return UsageErrors.describe(e, args, env);
    }

    @Test
    void anUnknownOptionIsNamedWithoutItsValue() {
        assertEquals("Unknown option: '--db-pasword' (its value is not shown); did you mean '--db-password'?",
                describe(new Flat(), "--db-pasword=hunter2"));
        // The value as the next argument, in a command that takes no positional parameter.
        String separate = describe(new Flat(), "--db-pasword", "hunter2");
        assertEquals("Unknown option: '--db-pasword' and 1 other argument (values are not shown);"
                + " did you mean '--db-password'?", separate);
        // Misspelt beyond what looks like a password option: still not shown.
        for (String[] args : new String[][] {{"--db-pssword=hunter2"}, {"--db-pssword", "hunter2"},
                {"--kafka", "k:1", "--secret-thing=hunter2", "--other", "hunter2"}, {"-xhunter2"}, {"-x=hunter2"}}) {
            String message = describe(new Flat(), args);
            assertTrue(message.startsWith("Unknown option"), message);
            assertFalse(message.contains("hunter2"), message);
        }
        assertEquals("Unknown options: '--secret-thing', '--other' and 1 other argument (values are not shown)",
                describe(new Flat(), "--kafka", "k:1", "--secret-thing=hunter2", "--other", "hunter2"));
        assertTrue(describe(new Flat(), "-xhunter2").startsWith("Unknown option: '-x' ("), "a short option's attached value");
        assertTrue(describe(new WithPositional(), "--db-pasword", "hunter2").startsWith("Unknown option: '--db-pasword' ("));
    }

    @Test
    void theClosestKnownOptionIsSuggested() {
        assertEquals(1, UsageErrors.editDistance("--db-pasword", "--db-password"));
        assertEquals(0, UsageErrors.editDistance("", ""));
        assertEquals(3, UsageErrors.editDistance("kitten", "sitting"));
        assertTrue(describe(new Flat(), "--kafak=k").endsWith("; did you mean '--kafka'?"), describe(new Flat(), "--kafak=k"));
    }

    @Test
    void otherUsageErrorsKeepPicocliWordsWithPasswordsMasked() {
        // An extra positional argument is no option's value: it is named, to say what is wrong.
        assertEquals("Unmatched argument at index 1: 'extra'", describe(new WithPositional(), "run-1", "extra"));
        assertEquals("Missing required parameter for option '--kafka' (<kafka>)", describe(new Flat(), "--kafka"));
        // The environment's password is masked wherever it appears.
        assertEquals("Unmatched argument at index 1: '***'",
                describe(new WithPositional(), Map.of("DATABASE_PASSWORD", "s3cret"), "run-1", "s3cret"));
        assertEquals("Unmatched argument at index 1: 'x\\u001b[2J'", describe(new WithPositional(), "run-1", "x\u001b[2J"),
                "terminal-safe");
    }
}
