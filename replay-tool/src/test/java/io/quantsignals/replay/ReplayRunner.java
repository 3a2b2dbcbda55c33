package io.quantsignals.replay;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link ReplayTool} in-process with a given environment and captures what it prints. */
final class ReplayRunner {

    record Result(int exitCode, String out, String err, long millis) {
        /** Non-empty lines on stderr. */
        long errLines() {
            return err.lines().filter(l -> !l.isBlank()).count();
        }
    }

    private final Map<String, String> env;

    ReplayRunner(Map<String, String> env) {
        this.env = new HashMap<>(env);
    }

    ReplayRunner withEnv(String name, String value) {
        ReplayRunner copy = new ReplayRunner(env);
        copy.env.put(name, value);
        return copy;
    }

    Result run(String... args) {
        return run(new ReplayTool(env, false), args);
    }

    /** Runs a tool the caller holds (to stop it from another thread). */
    Result run(ReplayTool tool, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = tool.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString(), (System.nanoTime() - t0) / 1_000_000);
    }

    ReplayTool newTool() {
        return new ReplayTool(env, false);
    }
}
