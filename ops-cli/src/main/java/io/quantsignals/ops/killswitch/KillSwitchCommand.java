package io.quantsignals.ops.killswitch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.ExitCodes;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.Messages;
import io.quantsignals.cli.RunIdConverter;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.run.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code ops-cli kill-switch ...}: stop every run, or one, through the files the job watches (SPEC §8, §9). */
@Command(name = "kill-switch", mixinStandardHelpOptions = true,
        description = {
            "Engage, release and list kill switches: files in KILL_SWITCH_DIR that the running job watches.",
            "",
            "KILL_SWITCH stops every run, KILL_SWITCH.<run-id> one run: within a second the job flattens every"
                + " affected position and opens none while the file exists. The job acknowledges each file with"
                + " an ENGAGED row (source FILE) in kill_switch_events; 'status' shows whether it has."
        },
        subcommands = {KillSwitchCommand.Engage.class, KillSwitchCommand.Release.class, KillSwitchCommand.Status.class})
public final class KillSwitchCommand {

    private static final ObjectMapper JSON = TerminalText.escapingControlCharacters(new ObjectMapper());

    @Command(name = "engage", mixinStandardHelpOptions = true,
            description = {
                "Engage the kill switch for all runs, or with --run-id for one run.",
                "",
                "The file is written atomically (a dot-named temporary file, forced to disk, then linked or"
                    + " renamed into place), so the job never reads a partial file. An engaged switch is never"
                    + " replaced: engaging again leaves the first file, and its time, as they are.",
                "The global switch needs no database: it works while the database is down. --run-id must"
                    + " name a run in strategy_runs, so it needs the database.",
                "The folder must exist (exit 2 otherwise, nothing written): a misspelt KILL_SWITCH_DIR would"
                    + " otherwise create a folder the job does not watch. --create-dir creates it."
            })
    static final class Engage implements Callable<Integer> {
        @Option(names = "--run-id", paramLabel = "ID", converter = RunIdConverter.class,
                description = "Stop only this run (its strategy_run_id).")
        UUID id;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (written into the file).")
        String reason;

        @Option(names = "--created-by", paramLabel = "NAME",
                description = "Who engages it; default: the OS user (${DEFAULT-VALUE}).",
                defaultValue = "${sys:user.name}")
        String createdBy;

        @Option(names = "--create-dir",
                description = "Create the kill-switch folder (and its parents) if it does not exist; without it a"
                        + " missing folder is an error (exit 2). Use it only where the job watches that path.")
        boolean createDir;

        @Mixin
        KillSwitchDirOption killSwitchDir;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireNonBlank("--reason", reason);
            requireNonBlank("--created-by", createdBy);
            KillSwitchFolder folder = killSwitchDir.folder();
            if (!createDir || folder.state() == KillSwitchFolder.State.NOT_A_FOLDER) {
                requireFolder(folder, "nothing engaged", " (--create-dir creates it)");
            }
            if (id != null) {
                requireKnownRun(id);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (createDir) {
                try {
                    if (folder.create()) {
                        out.println(TerminalText.escape("created the kill-switch folder " + folder.dir()));
                    }
                } catch (IOException e) {
                    throw folderFailure("cannot create the kill-switch folder", folder, e);
                }
            }
            KillSwitchFolder.Engagement result;
            try {
                result = folder.engage(id, reason.strip(), createdBy.strip(), Instant.now());
            } catch (IOException e) {
                throw folderFailure("cannot engage the kill switch for " + EngagedSwitch.describe(id), folder, e);
            }
            EngagedSwitch s = result.engagedSwitch();
            if (result.created()) {
                out.println(TerminalText.escape("engaged kill switch for " + s.scopeDescription() + ": " + s.file()));
            } else {
                out.println(TerminalText.escape("kill switch for " + s.scopeDescription() + " already engaged by "
                        + orDash(s.createdBy()) + " since " + s.since() + " (reason: " + orDash(s.reason())
                        + "); left unchanged: " + s.file()));
            }
            return ExitCodes.OK;
        }

        private void requireKnownRun(UUID id) {
            try (Connection c = connectForRunCheck(id)) {
                if (new RunStore(c).find(id).isEmpty()) {
                    throw new InvalidInputException("unknown run id " + id + "; nothing engaged");
                }
            } catch (SQLException e) {
                throw new DatabaseOptions.DatabaseUnavailableException("cannot check run id " + id + ": "
                        + e.getMessage() + "; nothing engaged", e);
            }
        }

        private Connection connectForRunCheck(UUID id) {
            try {
                return database.connect();
            } catch (DatabaseOptions.DatabaseUnavailableException e) {
                throw new DatabaseOptions.DatabaseUnavailableException("cannot check run id " + id + ", nothing engaged"
                        + " (without --run-id the global switch needs no database): " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release the kill switch for all runs, or with --run-id for one run (removes the file; no database needed).")
    static final class Release implements Callable<Integer> {
        @Option(names = "--run-id", paramLabel = "ID", converter = RunIdConverter.class,
                description = "Release only this run's switch.")
        UUID id;

        @Mixin
        KillSwitchDirOption killSwitchDir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            KillSwitchFolder folder = killSwitchDir.folder();
            requireFolder(folder, "nothing released", ": is the path right?");
            List<EngagedSwitch> removed;
            try {
                removed = folder.release(id);
            } catch (IOException e) {
                throw folderFailure("cannot release the kill switch for " + EngagedSwitch.describe(id), folder, e);
            }
            PrintWriter out = spec.commandLine().getOut();
            String scope = EngagedSwitch.describe(id);
            if (removed.isEmpty()) {
                out.println(TerminalText.escape("kill switch for " + scope + " is not engaged in " + folder.dir()
                        + "; nothing to release"));
            }
            for (EngagedSwitch s : removed) {
                out.println(TerminalText.escape("released kill switch for " + scope + " (engaged by "
                        + orDash(s.createdBy()) + " since " + s.since() + "): removed " + s.file()));
            }
            // Releasing one switch does not restart trading that another still stops: say so.
            List<String> stillEngaged = new ArrayList<>();
            try {
                for (EngagedSwitch s : folder.list().engaged()) {
                    if (id == null || s.runId() == null) {
                        stillEngaged.add(s.scopeDescription());
                    }
                }
            } catch (IOException e) {
                // Only a note: the release itself is done.
            }
            if (!stillEngaged.isEmpty()) {
                out.println("still engaged: kill switch for " + String.join(", ", stillEngaged));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {
                "List the engaged kill switches (scope, since when, by whom, reason, from the files) and whether the"
                    + " job has acknowledged each (an ENGAGED row with source FILE in kill_switch_events at or after"
                    + " the file's last-modified time).",
                "",
                "If the database is unreachable the switches are still listed, with acknowledgement 'unknown'."
            })
    static final class Status implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Mixin
        KillSwitchDirOption killSwitchDir;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            KillSwitchFolder folder = killSwitchDir.folder();
            requireFolder(folder, "is the path right?", "");
            KillSwitchFolder.Listing listing;
            try {
                listing = folder.list();
            } catch (IOException e) {
                throw folderFailure("cannot list kill switches", folder, e);
            }
            Map<EngagedSwitch, Instant> acknowledged = new LinkedHashMap<>();
            String ackError = null;
            if (!listing.engaged().isEmpty()) {
                try (Connection c = database.connect()) {
                    for (EngagedSwitch s : listing.engaged()) {
                        acknowledged.put(s, Acknowledgements.acknowledgedAt(c, s));
                    }
                } catch (DatabaseOptions.DatabaseUnavailableException | SQLException e) {
                    acknowledged.clear();
                    ackError = e.getMessage();
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                        toJson(folder, listing, acknowledged, ackError)));
                return ExitCodes.OK;
            }
            if (listing.engaged().isEmpty()) {
                out.println(TerminalText.escape("no kill switch engaged (" + folder.dir() + ")"));
            } else {
                String format = "%-36s  %-24s  %-16s  %-12s  %s%n";
                out.printf(format, "SCOPE", "SINCE", "CREATED_BY", "ACKNOWLEDGED", "REASON");
                for (EngagedSwitch s : listing.engaged()) {
                    String ack = ackError != null ? "unknown" : acknowledged.get(s) != null ? "yes" : "no";
                    out.printf(format, s.scope(), s.since(), orDash(s.createdBy()), ack, orDash(s.reason()));
                }
                if (ackError != null) {
                    out.println("acknowledgement unknown: " + Messages.oneLine(ackError));
                }
            }
            for (String name : listing.ignored()) {
                out.println(TerminalText.escape("ignored by the job: " + folder.dir().resolve(name)
                        + " (only KILL_SWITCH and KILL_SWITCH.<run-id> are kill switches)"));
            }
            return ExitCodes.OK;
        }

        private static ObjectNode toJson(KillSwitchFolder folder, KillSwitchFolder.Listing listing,
                                         Map<EngagedSwitch, Instant> acknowledged, String ackError) {
            ObjectNode root = JSON.createObjectNode();
            root.put("kill_switch_dir", folder.dir().toString());
            ArrayNode engaged = root.putArray("engaged");
            for (EngagedSwitch s : listing.engaged()) {
                ObjectNode node = engaged.addObject();
                node.put("scope", s.scope());
                node.put("strategy_run_id", s.runId() == null ? null : s.runId().toString());
                node.put("file", s.file().toString());
                node.put("reason", s.reason());
                node.put("created_by", s.createdBy());
                node.put("created_at", text(s.createdAt()));
                node.put("file_modified_at", text(s.modifiedAt()));
                node.put("readable", s.readable());
                if (ackError != null) {
                    node.putNull("acknowledged");
                } else {
                    node.put("acknowledged", acknowledged.get(s) != null);
                }
                node.put("acknowledged_at", text(acknowledged.get(s)));
            }
            ArrayNode ignored = root.putArray("ignored_files");
            listing.ignored().forEach(ignored::add);
            root.put("acknowledgement_error", ackError);
            return root;
        }
    }

    /**
     * The folder must exist and be a folder: an operator who misspells KILL_SWITCH_DIR must learn it
     * now, not after trading went on because the job watches another folder. Invalid input (exit 2).
     */
    private static void requireFolder(KillSwitchFolder folder, String consequence, String ifMissing) {
        switch (folder.state()) {
            case FOLDER -> {
            }
            case MISSING -> throw new InvalidInputException("kill-switch folder " + folder.dir() + " does not exist"
                    + " (KILL_SWITCH_DIR or --kill-switch-dir); " + consequence + ifMissing);
            case NOT_A_FOLDER -> throw new InvalidInputException("kill-switch folder " + folder.dir()
                    + " is not a folder (KILL_SWITCH_DIR or --kill-switch-dir); " + consequence);
        }
    }

    /** A file-system failure as a runtime failure (exit 1) whose one line names the folder and the cause. */
    private static UncheckedIOException folderFailure(String what, KillSwitchFolder folder, IOException e) {
        String message = e.getMessage();
        return new UncheckedIOException(what + " in " + folder.dir() + ": " + e.getClass().getSimpleName()
                + (message == null || message.isBlank() ? "" : " " + message), e);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /**
     * Text from a switch file, shown: anyone who can write the folder writes it, so its control
     * characters are shown escaped rather than sent to the terminal.
     */
    private static String orDash(String text) {
        return text == null || text.isBlank() ? "-" : TerminalText.escape(text);
    }

    private static void requireNonBlank(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(option + " must not be blank");
        }
    }
}
