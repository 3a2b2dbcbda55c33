package io.quantsignals.core.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SettingTest {

    @Test
    void defaultsAreThoseOfTheSpec() {
        Map<String, String> none = Map.of();
        assertEquals("jdbc:postgresql://localhost:5432/quant", Setting.DATABASE_URL.resolve(none));
        assertEquals("quant", Setting.DATABASE_USER.resolve(none));
        assertNull(Setting.DATABASE_PASSWORD.resolve(none));
        assertEquals("localhost:9092", Setting.KAFKA_BOOTSTRAP_SERVERS.resolve(none));
        assertEquals("prices", Setting.PRICES_TOPIC.resolve(none));
        assertEquals("./kill-switch", Setting.KILL_SWITCH_DIR.resolve(none));
        assertNull(Setting.STRATEGY_RUN_ID.resolve(none));
        assertEquals("0", Setting.TRANSACTION_COST_BPS.resolve(none));
        assertEquals("0", Setting.SLIPPAGE_BPS.resolve(none));
        assertEquals("http://localhost:8081", Setting.FLINK_URL.resolve(none));
    }

    @Test
    void flinkUrlIsTheHealthCommandsOption() {
        assertEquals(Setting.FLINK_URL, Setting.forOption("--flink-url").orElseThrow());
        assertEquals("FLINK_URL", Setting.FLINK_URL.envName());
    }

    @Test
    void environmentBeatsDefaultAndBlankCountsAsUnset() {
        assertEquals("x", Setting.PRICES_TOPIC.resolve(Map.of("PRICES_TOPIC", "x")));
        assertEquals("prices", Setting.PRICES_TOPIC.resolve(Map.of("PRICES_TOPIC", " ")));
    }

    @Test
    void passwordsAreRedactedFromUrls() {
        assertEquals("jdbc:postgresql://db:5432/quant?user=q&password=***&ssl=true",
                JdbcUrls.redact("jdbc:postgresql://db:5432/quant?user=q&password=s3cret&ssl=true"));
        assertEquals("jdbc:postgresql://q:***@db/quant", JdbcUrls.redact("jdbc:postgresql://q:s3cret@db/quant"));
        assertEquals("jdbc:postgresql://localhost:5432/quant", JdbcUrls.redact("jdbc:postgresql://localhost:5432/quant"));
    }
}
