package io.quantsignals.ops;

import io.quantsignals.embedded.PostgresServer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link OpsCli} in-process with a given environment and captures what it prints. */
final class CliRunner {

    record Result(int exitCode, String out, String err) {
        /** stdout without the trailing newline. */
        String outLine() {
            return out.strip();
        }
    }

    private final Map<String, String> env;

    CliRunner(Map<String, String> env) {
        this.env = new HashMap<>(env);
    }

    /** Empties the shared test database and returns a runner whose environment points at it. */
    static CliRunner againstEmptyDatabase(PostgresServer postgres) {
        postgres.truncateAll();
        return new CliRunner(Map.of("DATABASE_URL", postgres.jdbcUrl(), "DATABASE_USER", PostgresServer.USER));
    }

    CliRunner withEnv(String name, String value) {
        CliRunner copy = new CliRunner(env);
        copy.env.put(name, value);
        return copy;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = OpsCli.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
