package io.quantsignals.job.signal;

import io.quantsignals.core.tick.Tick;

/** A tick on its way to one strategy run: the unit the keyed strategy operator receives. */
public class RoutedTick {
    /** The Flink key: {@code <run id>|<symbol>}. State is kept per (run, symbol), never shared. */
    public String key;
    public String runId;
    public Tick tick;

    public RoutedTick() {
    }

    public RoutedTick(String runId, Tick tick) {
        this.key = keyOf(runId, tick.symbol);
        this.runId = runId;
        this.tick = tick;
    }

    public static String keyOf(String runId, String symbol) {
        return runId + '|' + symbol;
    }

    /** The run id of a key (run ids are UUIDs, which never contain '|'). */
    public static String runIdOf(String key) {
        return key.substring(0, key.indexOf('|'));
    }

    public static String symbolOf(String key) {
        return key.substring(key.indexOf('|') + 1);
    }
}
