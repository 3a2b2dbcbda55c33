package io.quantsignals.core.run;

import java.util.Locale;

/**
 * What the job keeps of a sweep's runs ({@code strategy_sweeps.store_metrics}): no per-bar metrics,
 * a summary, or every bar as for a single run. Stored in lower case, the check constraint's values.
 */
public enum StoreMetrics {
    NONE, SUMMARY, ALL;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StoreMetrics fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
