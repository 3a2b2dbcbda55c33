package io.quantsignals.replay;

/**
 * A runtime failure (exit code 1): Kafka unreachable, a record Kafka did not acknowledge. The
 * message is shown as is, on one line, and never contains a password. (An unreachable database is
 * cli-support's {@code DatabaseOptions.DatabaseUnavailableException}, reported the same way.)
 */
final class ReplayFailedException extends RuntimeException {
    ReplayFailedException(String message) {
        super(message);
    }

    ReplayFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
