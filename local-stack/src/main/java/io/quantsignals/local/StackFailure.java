package io.quantsignals.local;

/**
 * A failure of the stack whose message was written for the operator (it already names what failed
 * and, where there is one, the root cause): printed as it is, on one line, exit code 1. Any other
 * exception is printed as its root cause's message ({@link Failures#rootMessage}).
 */
public final class StackFailure extends RuntimeException {
    public StackFailure(String message) {
        super(message);
    }

    public StackFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
