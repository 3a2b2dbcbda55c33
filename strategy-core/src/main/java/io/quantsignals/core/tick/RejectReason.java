package io.quantsignals.core.tick;

/**
 * Why a message was not processed (SPEC §3). The code opens {@code rejected_ticks.reason}
 * ({@code CODE: detail}), so dashboards can group by {@code split_part(reason, ':', 1)}.
 */
public enum RejectReason {
    /** Not parseable as a JSON object. */
    NOT_JSON,
    /** A required field (symbol, price, ts) is absent or null. */
    MISSING_FIELD,
    /** Price not a JSON number, not finite, not positive, or out of range. */
    INVALID_PRICE,
    /** ts neither ISO-8601 nor integral epoch milliseconds, or out of range. */
    INVALID_TIMESTAMP,
    /** symbol not a string, or not a valid symbol by {@link Symbols#problem}. */
    INVALID_SYMBOL,
    /** volume present but not a finite number >= 0. */
    INVALID_VOLUME,
    /** replayed, replay_end or replay_reset present but neither true, false nor null. */
    INVALID_FLAG,
    /** replay_run_id not a UUID, or not an active REPLAY run. */
    INVALID_RUN_ID,
    /**
     * A live tick's ts lies further past the wall clock than the job allows ({@code --max-future-skew}):
     * a clock error or a typo (year 2099) that would otherwise move the watermark and make every
     * later tick late.
     */
    FUTURE_TIMESTAMP,
    /** The tick's bar had already completed when it arrived. */
    LATE,
    /**
     * Handling the message threw: a bug, never the sender's fault, but one message must not stop
     * every run. The detail names the exception; the job's log has its stack trace.
     */
    UNPROCESSABLE
}
