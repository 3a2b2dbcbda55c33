package io.quantsignals.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseOptionsTest {

    @Command(name = "tool", subcommands = Tool.Sub.class)
    static final class Tool {
        @Mixin
        DatabaseOptions database;

        @Command(name = "sub")
        static final class Sub {
            @Mixin
            DatabaseOptions database;
        }
    }

    @Test
    void settingsComeFromOptionsAndEnvironment() {
        Tool tool = new Tool();
        CommandLine cli = new CommandLine(tool);
        cli.setDefaultValueProvider(new EnvironmentDefaults(Map.of("DATABASE_USER", "alice")));
        cli.parseArgs("--db-url", "jdbc:postgresql://db:5432/quant?password=hunter2");
        assertEquals("jdbc:postgresql://db:5432/quant?password=hunter2", tool.database.url());
        assertEquals("jdbc:postgresql://db:5432/quant?password=*** as alice", tool.database.describe());
        assertEquals("tool", tool.database.applicationName());
    }

    @Test
    void theProgramIsNamedByTheTopLevelCommand() {
        CommandLine cli = new CommandLine(new Tool());
        CommandLine.ParseResult result = cli.parseArgs("sub");
        Tool.Sub sub = (Tool.Sub) result.subcommand().commandSpec().userObject();
        assertEquals("tool", sub.database.applicationName());
    }

    @Test
    void anUnreachableServerIsOneLineWithoutThePassword() {
        Tool tool = new Tool();
        CommandLine cli = new CommandLine(tool);
        cli.setDefaultValueProvider(new EnvironmentDefaults(Map.of()));
        cli.parseArgs("--db-url", "jdbc:postgresql://127.0.0.1:1/quant?password=hunter2", "--db-password", "s3cret");
        DatabaseOptions.DatabaseUnavailableException e =
                assertThrows(DatabaseOptions.DatabaseUnavailableException.class, tool.database::connect);
        assertTrue(e.getMessage().startsWith("cannot connect to database jdbc:postgresql://127.0.0.1:1/quant?password=*** "
                + "as quant: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("hunter2") || e.getMessage().contains("s3cret"),
                e.getMessage());
    }

    @Test
    void anUnknownHostIsNamed() {
        SQLException e = new SQLException("The connection attempt failed.", new UnknownHostException("nohost.invalid"));
        assertEquals("The connection attempt failed. (unknown host nohost.invalid)", DatabaseOptions.withRootCause(e));

        SQLException other = new SQLException("The connection attempt failed.",
                new RuntimeException(new IllegalStateException("boom")));
        assertEquals("The connection attempt failed. (IllegalStateException: boom)", DatabaseOptions.withRootCause(other));

        SQLException plain = new SQLException("password authentication failed", new IllegalStateException("detail"));
        assertEquals("password authentication failed", DatabaseOptions.withRootCause(plain));
    }
}
