package io.quantsignals.core.params;

/** A parameter set that breaks SPEC §5; the message names the key and the rule, on one line. */
public class InvalidParamsException extends Exception {
    public InvalidParamsException(String message) {
        super(message);
    }
}
