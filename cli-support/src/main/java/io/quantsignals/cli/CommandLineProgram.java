package io.quantsignals.cli;

import io.quantsignals.core.params.InvalidParamsException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Map;

/**
 * How ops-cli and replay-tool run one command line (SPEC §9): settings from the environment as
 * option defaults, every error on one line prefixed with the program's name, and the exit code by
 * {@link ExitCodes}:
 * <ul>
 *   <li>a parse error (unknown option, bad value, missing argument) is exit 2, worded by
 *       {@link UsageErrors} (never an unknown option's value) and pointing at the command's help;
 *   <li>an {@link InvalidInputException} or {@link InvalidParamsException} from a command is
 *       exit 2 with its message;
 *   <li>any other exception is exit 1 with its message, or the program's own wording of it.
 * </ul>
 * The environment and streams are parameters so tests run a program in-process.
 */
public final class CommandLineProgram {

    /** A program's own one-line wording for some runtime failures. */
    @FunctionalInterface
    public interface FailureWording {
        /** The message for this exit-1 failure, without the program's name; null for the default. */
        String describe(Exception e);
    }

    private final Object command;
    private final FailureWording wording;

    /** @param command the top-level command object (its {@code @Command} name is the program's name) */
    public CommandLineProgram(Object command) {
        this(command, e -> null);
    }

    public CommandLineProgram(Object command, FailureWording wording) {
        this.command = command;
        this.wording = wording;
    }

    /** Runs the command line against the given environment and streams; returns the exit code. */
    public int execute(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        String program = cli.getCommandName();
        cli.setOut(out);
        cli.setErr(err);
        cli.setDefaultValueProvider(new EnvironmentDefaults(env));
        // --run-type paper is as clear as PAPER.
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, commandArgs) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            // picocli echoes offending arguments ("Unknown option: '--db-pasword=…'"): never their values.
            err.println(program + ": " + UsageErrors.describe(e, args, env) + " (see '" + help + " --help')");
            return ExitCodes.INVALID_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException || e instanceof InvalidParamsException) {
                err.println(program + ": " + Messages.oneLine(e.getMessage()));
                return ExitCodes.INVALID_INPUT;
            }
            String own = wording.describe(e);
            err.println(program + ": " + (own != null ? own : Messages.oneLine(Messages.describe(e))));
            return ExitCodes.RUNTIME_FAILURE;
        });
        return cli.execute(args);
    }
}
