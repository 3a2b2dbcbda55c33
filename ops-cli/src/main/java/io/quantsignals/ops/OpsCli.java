package io.quantsignals.ops;

import io.quantsignals.cli.EnvironmentDefaults;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.Messages;
import io.quantsignals.cli.UsageErrors;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.ops.health.HealthCommand;
import io.quantsignals.ops.killswitch.KillSwitchCommand;
import io.quantsignals.ops.prices.PricesCommand;
import io.quantsignals.ops.runs.RunsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code ops-cli}: the operator's command line (SPEC §9).
 *
 * <p>Exit codes: 0 success; 1 runtime failure (database unreachable, ...); 2 invalid usage or
 * input. Every error is one line on stderr. Commands validate everything they read before they
 * write anything, and write in one transaction, so a rejected command changes nothing.
 */
@Command(name = "ops-cli", mixinStandardHelpOptions = true, versionProvider = OpsCli.Version.class,
        description = "Operate Quant Signals: database, strategy runs, price history, kill switches, health.",
        subcommands = {DbCommand.class, RunsCommand.class, PricesCommand.class, KillSwitchCommand.class,
                HealthCommand.class, CommandLine.HelpCommand.class})
public final class OpsCli implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME_FAILURE = 1;
    public static final int EXIT_INVALID_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see 'ops-cli --help')");
    }

    public static void main(String[] args) {
        System.exit(execute(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line against the given environment and streams; returns the exit code. */
    public static int execute(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new OpsCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setDefaultValueProvider(new EnvironmentDefaults(env));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, commandArgs) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            // picocli echoes offending arguments ("Unknown option: '--db-pasword=…'"): never their values.
            err.println("ops-cli: " + UsageErrors.describe(e, args, env) + " (see '" + help + " --help')");
            return EXIT_INVALID_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException || e instanceof InvalidParamsException) {
                err.println("ops-cli: " + Messages.oneLine(e.getMessage()));
                return EXIT_INVALID_INPUT;
            }
            err.println("ops-cli: " + Messages.oneLine(describe(e)));
            return EXIT_RUNTIME_FAILURE;
        });
        return cli.execute(args);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = OpsCli.class.getPackage().getImplementationVersion();
            return new String[] {"ops-cli " + (v == null ? "(development build)" : v)};
        }
    }
}
