package io.quantsignals.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --version} of a program: its name and the Implementation-Version of the jar its command
 * class comes from, or "(development build)" when run from classes (no manifest), as in tests.
 */
public final class ProgramVersion implements CommandLine.IVersionProvider {

    /** The command that names this provider; picocli injects it. */
    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        // The command's class, not this one: cli-support is shaded into each program's jar, whose
        // manifest is the program's.
        Package p = spec.userObject().getClass().getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return new String[] {spec.name() + " " + (v == null ? "(development build)" : v)};
    }
}
