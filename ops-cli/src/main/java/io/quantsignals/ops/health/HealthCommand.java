package io.quantsignals.ops.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.Durations;
import io.quantsignals.cli.Messages;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.cli.UsageErrors;
import io.quantsignals.ops.killswitch.KillSwitchDirOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ops-cli health}: every health check in one pass, reported the way monitoring plugins
 * (Nagios, Icinga, Sensu, ...) expect: a summary line first, led by the most severe finding, then
 * one line per finding, most severe first, and the exit code 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
 * (SPEC §9).
 *
 * <p>Unlike every other command, invalid usage is exit 3 (UNKNOWN), as the convention requires: this
 * command collects its own parse errors (see {@link CollectParseErrors}) instead of leaving them to
 * ops-cli's handler, which would exit 2 (= CRITICAL to a monitoring system).
 */
@Command(name = "health", mixinStandardHelpOptions = true, modelTransformer = HealthCommand.CollectParseErrors.class,
        description = {
            "Check the whole system in one pass and exit by the monitoring-plugin convention:"
                + " 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the most severe finding wins; CRITICAL beats UNKNOWN"
                + " beats WARNING). Invalid usage is exit 3 too.",
            "",
            "Checks: database reachable (CRITICAL if not); newest live tick per symbol within --max-tick-age"
                + " (WARNING; symbols with only imported history are not judged); per active LIVE/PAPER run: a"
                + " metric row within 2 x max-tick-age + its bar interval (WARNING), its current drawdown against"
                + " max_drawdown (beyond: CRITICAL, within 80%%: WARNING), a risk-limit halt since its last params"
                + " change (WARNING); kill switches (engaged and acknowledged by the job: WARNING; present over 5 s"
                + " without the job's ENGAGED row: CRITICAL); the Flink job 'quant-signals...' RUNNING (RESTARTING,"
                + " FAILING, FAILED, CANCELED, SUSPENDED, ...: CRITICAL; INITIALIZING, CREATED, RECONCILING: WARNING;"
                + " RUNNING but failed and restarted twice or more in 15 minutes: WARNING) with a completed checkpoint"
                + " within --max-checkpoint-age (WARNING); rejected ticks in the last 15 minutes (over 5%%: WARNING,"
                + " over 50%%: CRITICAL).",
            "",
            "Output: a summary line led by the most severe finding, then one line per finding, most severe first.",
            "",
            "A Flink REST API that cannot be reached is UNKNOWN (the job's state is not known); --flink-url none"
                + " skips the Flink checks, e.g. where the JobManager is not reachable from the monitoring host."
        })
public final class HealthCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = TerminalText.escapingControlCharacters(new ObjectMapper());

    @Option(names = "--max-tick-age", paramLabel = "DURATION", defaultValue = "60s",
            converter = Durations.PositiveConverter.class,
            description = "Oldest acceptable newest tick per symbol, e.g. 500ms, 60s, 5m (default ${DEFAULT-VALUE}).")
    Duration maxTickAge;

    @Option(names = "--max-checkpoint-age", paramLabel = "DURATION", defaultValue = "5m",
            converter = Durations.PositiveConverter.class,
            description = "Oldest acceptable completed Flink checkpoint (default ${DEFAULT-VALUE}).")
    Duration maxCheckpointAge;

    @Option(names = "--flink-url", paramLabel = "URL",
            description = "Base URL of the Flink REST API (env FLINK_URL; default ${DEFAULT-VALUE});"
                    + " 'none' skips the Flink checks.")
    String flinkUrl;

    @Option(names = "--json", description = "Print {status, findings: [{check, status, message}]} as JSON (same exit code).")
    boolean json;

    @Mixin
    KillSwitchDirOption killSwitchDir;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<CommandLine.ParameterException> errors = parseErrors();
        if (!errors.isEmpty()) {
            // picocli echoes the offending arguments: a mistyped password option must not be printed.
            String[] args = spec.commandLine().getParseResult().originalArgs().toArray(String[]::new);
            return usageError(out, UsageErrors.describe(errors.get(0), args, Map.of()));
        }
        URI flink;
        try {
            flink = flinkUri(flinkUrl);
        } catch (IllegalArgumentException e) {
            return usageError(out, e.getMessage());
        }
        List<Finding> findings;
        try {
            findings = HealthChecks.run(new HealthChecks.Settings(maxTickAge, maxCheckpointAge, flink,
                    killSwitchDir.folder()), database);
        } catch (RuntimeException e) {
            // A bug must not look like a healthy system or like a CRITICAL outage: the check itself failed.
            findings = List.of(Finding.unknown("health", "the check failed: " + Messages.oneLine(String.valueOf(e))));
        }
        print(out, findings);
        return overall(findings).exitCode();
    }

    private List<CommandLine.ParameterException> parseErrors() {
        CommandLine.ParseResult result = spec.commandLine().getParseResult();
        return result == null ? List.of() : result.errors().stream()
                .map(e -> e instanceof CommandLine.ParameterException p ? p
                        : new CommandLine.ParameterException(spec.commandLine(), String.valueOf(e.getMessage()), e))
                .toList();
    }

    private int usageError(PrintWriter out, String message) {
        String text = "invalid usage: " + message + " (see 'ops-cli health --help')";
        if (json) {
            ObjectNode root = JSON.createObjectNode();
            root.put("status", HealthStatus.UNKNOWN.name());
            root.put("summary", "HEALTH UNKNOWN - " + text);
            ArrayNode list = root.putArray("findings");
            ObjectNode node = list.addObject();
            node.put("check", "usage");
            node.put("status", HealthStatus.UNKNOWN.name());
            node.put("message", text);
            out.println(root);
        } else {
            out.println("HEALTH UNKNOWN - " + text);
        }
        return HealthStatus.UNKNOWN.exitCode();
    }

    static URI flinkUri(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--flink-url must not be blank (use 'none' to skip the Flink checks)");
        }
        if (text.strip().equalsIgnoreCase("none")) {
            return null;
        }
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid --flink-url '" + text + "': expected e.g. http://localhost:8081 or none");
        }
    }

    static HealthStatus overall(List<Finding> findings) {
        HealthStatus status = HealthStatus.OK;
        for (Finding f : findings) {
            status = status.worst(f.status());
        }
        return status;
    }

    /**
     * The findings, most severe first (CRITICAL, UNKNOWN, WARNING, OK); within one state in the order
     * the checks ran (database first). Pagers and chat alerts show the first lines only.
     */
    static List<Finding> worstFirst(List<Finding> findings) {
        return findings.stream()
                .sorted(Comparator.comparingInt((Finding f) -> f.status().severity()).reversed())
                .toList();
    }

    /**
     * The first line, led by the worst finding (the part a pager or an SMS keeps), then the counts:
     * {@code HEALTH CRITICAL - flink-job: job ... is RESTARTING, not RUNNING... (9 checks: 1 critical,
     * 1 warning, 0 unknown, 7 ok)}; all well: {@code HEALTH OK - 9 checks: 0 critical, 0 warning, 0 unknown, 9 ok}.
     */
    static String summary(List<Finding> findings) {
        HealthStatus status = overall(findings);
        StringBuilder counts = new StringBuilder().append(findings.size())
                .append(" check").append(findings.size() == 1 ? "" : "s").append(":");
        String separator = " ";
        for (HealthStatus s : new HealthStatus[] {HealthStatus.CRITICAL, HealthStatus.WARNING, HealthStatus.UNKNOWN,
                HealthStatus.OK}) {
            long n = findings.stream().filter(f -> f.status() == s).count();
            counts.append(separator).append(n).append(' ').append(s.name().toLowerCase(Locale.ROOT));
            separator = ", ";
        }
        Finding worst = worstFirst(findings).stream().findFirst().orElse(null);
        if (status == HealthStatus.OK || worst == null) {
            return "HEALTH " + status + " - " + counts;
        }
        return "HEALTH " + status + " - " + worst.check() + ": " + worst.message() + " (" + counts + ")";
    }

    private void print(PrintWriter out, List<Finding> unordered) {
        List<Finding> findings = worstFirst(unordered);
        if (!json) {
            // Findings quote kill-switch files and rows: their control characters are shown escaped.
            out.println(TerminalText.escape(summary(findings)));
            findings.forEach(f -> out.println(TerminalText.escape(f.line())));
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("status", overall(findings).name());
        root.put("summary", summary(findings));
        root.put("checked_at", Instant.now().toString());
        ArrayNode list = root.putArray("findings");
        for (Finding f : findings) {
            ObjectNode node = list.addObject();
            node.put("check", f.check());
            node.put("status", f.status().name());
            node.put("message", f.message());
        }
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes picocli collect this command's parse errors (bad duration, unknown option, missing value)
     * instead of throwing them to ops-cli's handler (exit 2): {@link #call()} reports them as UNKNOWN
     * (exit 3). Applies to this command only; every other command keeps exit 2 for invalid usage.
     */
    public static final class CollectParseErrors implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            commandSpec.parser().collectErrors(true);
            return commandSpec;
        }
    }
}
