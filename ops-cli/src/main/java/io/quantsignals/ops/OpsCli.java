package io.quantsignals.ops;

import io.quantsignals.cli.CommandLineProgram;
import io.quantsignals.cli.ProgramVersion;
import io.quantsignals.ops.health.HealthCommand;
import io.quantsignals.ops.killswitch.KillSwitchCommand;
import io.quantsignals.ops.prices.PricesCommand;
import io.quantsignals.ops.runs.RunsCommand;
import io.quantsignals.ops.sweeps.SweepsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code ops-cli}: the operator's command line (SPEC §9).
 *
 * <p>Exit codes ({@link io.quantsignals.cli.ExitCodes}): 0 success; 1 runtime failure (database
 * unreachable, ...); 2 invalid usage or input; {@code health} alone exits by the monitoring-plugin
 * convention instead. Every error is one line on stderr ({@link CommandLineProgram}). Commands
 * validate everything they read before they write anything, and write in one transaction, so a
 * rejected command changes nothing.
 */
@Command(name = "ops-cli", mixinStandardHelpOptions = true, versionProvider = ProgramVersion.class,
        description = "Operate Quant Signals: database, strategy runs, sweeps, price history, kill switches, health.",
        subcommands = {DbCommand.class, RunsCommand.class, SweepsCommand.class, PricesCommand.class, KillSwitchCommand.class,
                HealthCommand.class, CommandLine.HelpCommand.class})
public final class OpsCli implements Runnable {

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
        return new CommandLineProgram(new OpsCli()).execute(env, out, err, args);
    }
}
