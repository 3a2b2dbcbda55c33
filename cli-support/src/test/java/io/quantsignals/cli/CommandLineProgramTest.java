package io.quantsignals.cli;

import io.quantsignals.core.params.InvalidParamsException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineProgramTest {

    /** Fails as its --fail option says, so each mapping to an exit code can be seen. */
    @Command(name = "tool", mixinStandardHelpOptions = true, versionProvider = ProgramVersion.class,
            subcommands = {Tool.Sub.class, Tool.Many.class})
    static final class Tool implements Callable<Integer> {
        @Option(names = "--run-id", converter = RunIdConverter.class)
        UUID runId;

        @Option(names = "--fail")
        String fail;

        @Option(names = "--kafka")
        String kafka;

        @Override
        public Integer call() throws Exception {
            switch (fail == null ? "" : fail) {
                case "input" -> throw new InvalidInputException("bad\ninput");
                case "params" -> throw new InvalidParamsException("sma_fast_window must be >= 1");
                case "sql" -> throw new SQLException("relation missing", "42P01");
                case "wrapped" -> throw new UncheckedIOException(null, new IOException("disk full"));
                case "bare" -> throw new IllegalStateException();
                default -> {
                    return ExitCodes.OK;
                }
            }
        }

        @Command(name = "many")
        static final class Many implements Callable<Integer> {
            @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "RUN_ID")
            List<String> runIds;

            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                spec.commandLine().getOut().println(RunIdConverter.convertAll(spec.commandLine(), "RUN_ID", runIds));
                return ExitCodes.OK;
            }
        }

        @Command(name = "sub")
        static final class Sub implements Runnable {
            @Option(names = "--count")
            int count;

            @Override
            public void run() {
            }
        }
    }

    record Result(int code, String out, String err) {
    }

    private static Result run(CommandLineProgram program, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = program.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result run(String... args) {
        return run(new CommandLineProgram(new Tool()), Map.of(), args);
    }

    @Test
    void successIsZero() {
        assertEquals(new Result(ExitCodes.OK, "", ""), run("--run-id", UUID.randomUUID().toString()));
    }

    @Test
    void aParseErrorIsTwoOnOneLineNamingTheOptionAndTheHelpOfItsCommand() {
        Result r = run("--run-id", "42");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertEquals("tool: Invalid value for option '--run-id': '42' is not a run id (a UUID"
                + " such as 123e4567-e89b-12d3-a456-426614174000) (see 'tool --help')" + System.lineSeparator(), r.err());

        Result sub = run("sub", "--count", "many");
        assertEquals(ExitCodes.INVALID_INPUT, sub.code());
        assertTrue(sub.err().startsWith("tool: ") && sub.err().strip().endsWith("(see 'tool sub --help')"), sub.err());
    }

    @Test
    void aBadRunIdAfterTheFirstOfAListIsNamedAsSuchNotAsAnUnmatchedArgument() {
        UUID id = UUID.randomUUID();
        assertEquals(new Result(ExitCodes.OK, List.of(id, id) + System.lineSeparator(), ""),
                run("many", id.toString(), id.toString().toUpperCase(java.util.Locale.ROOT)));
        Result r = run("many", id.toString(), "nope");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertEquals("tool: Invalid value for RUN_ID: 'nope' is not a run id (a UUID such as"
                + " 123e4567-e89b-12d3-a456-426614174000) (see 'tool many --help')" + System.lineSeparator(), r.err());
    }

    @Test
    void aParseErrorNeverShowsAnUnknownOptionsValueNorTheEnvironmentsPassword() {
        Result r = run(new CommandLineProgram(new Tool()), Map.of("DATABASE_PASSWORD", "s3cret"),
                "--db-pasword=hunter2", "--kafka", "s3cret:9092", "--bogus");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertFalse(r.err().contains("hunter2") || r.err().contains("s3cret"), r.err());
    }

    @Test
    void invalidInputAndInvalidParamsAreTwoWithTheirMessageOnOneLine() {
        assertEquals(new Result(ExitCodes.INVALID_INPUT, "", "tool: bad input" + System.lineSeparator()),
                run("--fail", "input"));
        assertEquals(new Result(ExitCodes.INVALID_INPUT, "", "tool: sma_fast_window must be >= 1"
                + System.lineSeparator()), run("--fail", "params"));
    }

    @Test
    void anyOtherFailureIsOneWithItsMessageOrItsCausesOrItsClassName() {
        assertEquals(new Result(ExitCodes.RUNTIME_FAILURE, "", "tool: relation missing" + System.lineSeparator()),
                run("--fail", "sql"));
        assertEquals("tool: disk full" + System.lineSeparator(), run("--fail", "wrapped").err());
        assertEquals("tool: IllegalStateException" + System.lineSeparator(), run("--fail", "bare").err());
    }

    @Test
    void aProgramMayWordSomeFailuresItself() {
        CommandLineProgram program = new CommandLineProgram(new Tool(),
                e -> e instanceof SQLException sql ? "database error: " + sql.getSQLState() : null);
        assertEquals(new Result(ExitCodes.RUNTIME_FAILURE, "", "tool: database error: 42P01" + System.lineSeparator()),
                run(program, Map.of(), "--fail", "sql"));
        assertEquals("tool: IllegalStateException" + System.lineSeparator(), run(program, Map.of(), "--fail", "bare").err());
    }

    @Test
    void settingsComeFromTheEnvironment() {
        Tool tool = new Tool();
        run(new CommandLineProgram(tool), Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9092"));
        assertEquals("broker:9092", tool.kafka);
    }

    @Test
    void versionNamesTheProgramAndHelpIsZero() {
        assertEquals(new Result(ExitCodes.OK, "tool (development build)" + System.lineSeparator(), ""), run("--version"));
        Result help = run("--help");
        assertEquals(ExitCodes.OK, help.code());
        assertTrue(help.out().contains("--run-id"), help.out());
    }
}
