package io.quantsignals.local;

import io.quantsignals.cli.Messages;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One-line causes for the console. The stack's failures arrive wrapped in Flink's, Kafka's and
 * JDBC's exceptions ("Job execution failed." around "Could not start the JobMaster." around the
 * actual problem): the innermost cause is the one that says what is wrong.
 */
final class Failures {

    private Failures() {
    }

    /** The innermost cause (cycles in a cause chain are cut). */
    static Throwable rootCause(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable root = e;
        while (root.getCause() != null && seen.add(root)) {
            root = root.getCause();
        }
        return root;
    }

    /** Whether {@code e} or any of its causes is a {@code type}. */
    static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The root cause's message on one line; its class name when it has no message (a bare NullPointerException). */
    static String rootMessage(Throwable e) {
        Throwable root = rootCause(e);
        String message = root.getMessage();
        return Messages.oneLine(message == null || message.isBlank() ? root.getClass().getName() : message);
    }

    /**
     * The root cause's message in a stack trace as Flink's REST API gives it (its exception history):
     * the last {@code Caused by: class: message} line, else the first line, without the class name.
     */
    static String rootMessage(String stackTrace) {
        String root = null;
        for (String line : stackTrace.strip().lines().toList()) {
            if (root == null) {
                root = line.strip();
            } else if (line.startsWith("Caused by: ")) {
                root = line.substring("Caused by: ".length()).strip();
            }
        }
        if (root == null || root.isEmpty()) {
            return "(no details)";
        }
        // "java.sql.SQLException: message" -> "message"; a bare class name stays as it is.
        int colon = root.indexOf(": ");
        return Messages.oneLine(colon > 0 && !root.substring(0, colon).contains(" ") ? root.substring(colon + 2) : root);
    }
}
