package io.quantsignals.cli;

/** Bad usage or input the user can fix (exit code 2); the message is shown as is, on one line. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
