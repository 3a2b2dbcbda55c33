package io.quantsignals.ops.killswitch;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The kill-switch folder setting (SPEC §2 {@code KILL_SWITCH_DIR}) as a picocli mixin. */
public final class KillSwitchDirOption {

    @Option(names = "--kill-switch-dir", paramLabel = "DIR",
            description = "Folder the job watches for kill-switch files (env KILL_SWITCH_DIR; default ${DEFAULT-VALUE}).")
    String dir;

    public KillSwitchFolder folder() {
        return new KillSwitchFolder(Path.of(dir));
    }
}
