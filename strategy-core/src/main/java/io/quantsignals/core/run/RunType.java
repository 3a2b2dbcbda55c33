package io.quantsignals.core.run;

/** What a strategy run is for (SPEC §4 {@code strategy_runs.run_type}). */
public enum RunType {
    /** Trades real positions. */
    LIVE,
    /** Evaluated on live ticks without trading. */
    PAPER,
    /** Evaluated only on ticks the replay tool publishes for it. */
    REPLAY
}
