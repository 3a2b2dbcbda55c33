package io.quantsignals.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvironmentDefaultsTest {

    @Command(name = "tool")
    static final class Tool {
        @Option(names = "--kafka", description = "Kafka (default ${DEFAULT-VALUE}).")
        String kafka;

        @Option(names = "--prices-topic")
        String topic;

        @Option(names = "--db-password")
        String password;

        @Option(names = "--limit", defaultValue = "7")
        int limit;
    }

    private static Tool parse(Map<String, String> env, String... args) {
        Tool tool = new Tool();
        CommandLine cli = new CommandLine(tool);
        cli.setDefaultValueProvider(new EnvironmentDefaults(env));
        cli.parseArgs(args);
        return tool;
    }

    @Test
    void optionBeatsEnvironmentWhichBeatsTheDefault() {
        Tool defaults = parse(Map.of());
        assertEquals("localhost:9092", defaults.kafka);
        assertEquals("prices", defaults.topic);
        assertNull(defaults.password);

        Tool fromEnv = parse(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "DATABASE_PASSWORD", "pw"));
        assertEquals("kafka:9092", fromEnv.kafka);
        assertEquals("pw", fromEnv.password);

        Tool fromOption = parse(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), "--kafka", "other:9092");
        assertEquals("other:9092", fromOption.kafka);
    }

    @Test
    void blankOrNullVariablesCountAsUnset() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", " ");
        env.put("PRICES_TOPIC", null);
        Tool tool = parse(env);
        assertEquals("localhost:9092", tool.kafka);
        assertEquals("prices", tool.topic);
    }

    @Test
    void optionsThatAreNotSettingsKeepTheirOwnDefault() {
        assertEquals(7, parse(Map.of()).limit);
        assertEquals(3, parse(Map.of(), "--limit", "3").limit);
    }

    @Test
    void theEnvironmentIsCopied() {
        Map<String, String> env = new HashMap<>(Map.of("PRICES_TOPIC", "ticks"));
        EnvironmentDefaults defaults = new EnvironmentDefaults(env);
        env.put("PRICES_TOPIC", "changed");
        Tool tool = new Tool();
        CommandLine cli = new CommandLine(tool);
        cli.setDefaultValueProvider(defaults);
        cli.parseArgs();
        assertEquals("ticks", tool.topic);
    }

    @Test
    void helpShowsEnvironmentValuesButTheDescriptionDecidesAboutThePassword() {
        CommandLine cli = new CommandLine(new Tool());
        cli.setDefaultValueProvider(new EnvironmentDefaults(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "DATABASE_PASSWORD", "s3cret")));
        StringWriter help = new StringWriter();
        cli.usage(new PrintWriter(help));
        assertTrue(help.toString().contains("default kafka:9092"), help.toString());
        assertFalse(help.toString().contains("s3cret"), help.toString());
    }
}
