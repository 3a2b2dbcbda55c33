package io.quantsignals.replay;

/** Bad usage or input the user can fix (exit code 2); the message is shown as is, on one line. */
final class InvalidInputException extends RuntimeException {
    InvalidInputException(String message) {
        super(message);
    }
}
