package io.quantsignals.cli;

/**
 * The exit codes of ops-cli and replay-tool (SPEC §9). They coincide with picocli's own
 * {@link picocli.CommandLine.ExitCode} (OK, SOFTWARE, USAGE), so {@code --help}, {@code --version}
 * and parse errors picocli handles itself exit by the same rule.
 *
 * <p>Not used by {@code ops-cli health}: it follows the monitoring-plugin convention (0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN, see {@code HealthStatus}), where 2 means an outage, not bad usage.
 * replay-tool's 130 (interrupted) is its own and lives there.
 */
public final class ExitCodes {

    /** Done as asked. */
    public static final int OK = 0;
    /** Something outside the command failed (database or Kafka unreachable, a write refused, a bug). */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad usage or input the user can fix; nothing was changed. */
    public static final int INVALID_INPUT = 2;

    private ExitCodes() {
    }
}
