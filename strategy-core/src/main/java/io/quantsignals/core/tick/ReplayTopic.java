package io.quantsignals.core.tick;

/**
 * The topic the replay tool publishes REPLAY runs' and sweeps' messages to: {@code <prices
 * topic>-replay} (contract §3). Derived rather than configured, so the job and the tool, which
 * both read {@code PRICES_TOPIC}, can never disagree about it.
 *
 * <p>Why a topic of its own: a replay at {@code --speedup max} publishes history far faster than
 * a market feed, and in the prices topic it would queue ahead of the live ticks of the same
 * partitions (live bars held back for as long as the job takes to work through the replay), and
 * the tick archive, which stores live ticks only, would still have to fetch every replayed record
 * to skip it (bench/README.md "The REPLAY path end to end").
 */
public final class ReplayTopic {

    static final String SUFFIX = "-replay";

    private ReplayTopic() {
    }

    /** The replay topic that goes with {@code pricesTopic}. */
    public static String of(String pricesTopic) {
        return pricesTopic + SUFFIX;
    }
}
