package io.quantsignals.ops.health;

/** One result of one check: which check, its state, and a one-line message. */
public record Finding(String check, HealthStatus status, String message) {

    public static Finding ok(String check, String message) {
        return new Finding(check, HealthStatus.OK, message);
    }

    public static Finding warning(String check, String message) {
        return new Finding(check, HealthStatus.WARNING, message);
    }

    public static Finding critical(String check, String message) {
        return new Finding(check, HealthStatus.CRITICAL, message);
    }

    public static Finding unknown(String check, String message) {
        return new Finding(check, HealthStatus.UNKNOWN, message);
    }

    /** The output line: {@code CRITICAL database: ...}. */
    public String line() {
        return status + " " + check + ": " + message;
    }
}
