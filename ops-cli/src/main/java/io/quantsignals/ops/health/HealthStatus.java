package io.quantsignals.ops.health;

/**
 * A finding's state and its exit code under the monitoring-plugin convention (Nagios, Icinga,
 * Sensu): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. The overall state is the most severe finding,
 * with severity OK &lt; WARNING &lt; UNKNOWN &lt; CRITICAL: a check that could not be made is worse
 * than a known degradation, but a known outage beats not knowing.
 */
public enum HealthStatus {
    OK(0, 0),
    WARNING(1, 1),
    UNKNOWN(3, 2),
    CRITICAL(2, 3);

    private final int exitCode;
    private final int severity;

    HealthStatus(int exitCode, int severity) {
        this.exitCode = exitCode;
        this.severity = severity;
    }

    public int exitCode() {
        return exitCode;
    }

    public HealthStatus worst(HealthStatus other) {
        return other.severity > severity ? other : this;
    }

    int severity() {
        return severity;
    }
}
