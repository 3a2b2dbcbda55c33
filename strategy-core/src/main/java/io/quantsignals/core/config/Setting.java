package io.quantsignals.core.config;

import java.util.Map;
import java.util.Optional;

/**
 * The settings every program reads (SPEC §2): each is an environment variable with a default and
 * a command-line option of the same meaning; an option beats the environment. Keeping the three
 * names and the default in one table is what keeps the programs consistent with each other.
 */
public enum Setting {
    DATABASE_URL("--db-url", "jdbc:postgresql://localhost:5432/quant", false),
    DATABASE_USER("--db-user", "quant", false),
    DATABASE_PASSWORD("--db-password", null, true),
    KAFKA_BOOTSTRAP_SERVERS("--kafka", "localhost:9092", false),
    PRICES_TOPIC("--prices-topic", "prices", false),
    KILL_SWITCH_DIR("--kill-switch-dir", "./kill-switch", false),
    STRATEGY_RUN_ID("--strategy-run-id", null, false),
    TRANSACTION_COST_BPS("--transaction-cost-bps", "0", false),
    SLIPPAGE_BPS("--slippage-bps", "0", false),
    /** ops-cli health: the Flink REST API ({@code none} skips the Flink checks). */
    FLINK_URL("--flink-url", "http://localhost:8081", false);

    private final String option;
    private final String defaultValue;
    private final boolean secret;

    Setting(String option, String defaultValue, boolean secret) {
        this.option = option;
        this.defaultValue = defaultValue;
        this.secret = secret;
    }

    /** The long command-line option, e.g. {@code --db-url}. */
    public String option() {
        return option;
    }

    /** The environment variable's name. */
    public String envName() {
        return name();
    }

    /** The value when neither option nor environment gives one (null: unset). */
    public String defaultValue() {
        return defaultValue;
    }

    /** Secrets are never printed: not in logs, not in --help. */
    public boolean secret() {
        return secret;
    }

    /** The setting an option name belongs to, if any. */
    public static Optional<Setting> forOption(String optionName) {
        for (Setting s : values()) {
            if (s.option.equals(optionName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The value from the environment, else the default; a blank variable counts as unset. */
    public String resolve(Map<String, String> env) {
        String value = env.get(envName());
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
