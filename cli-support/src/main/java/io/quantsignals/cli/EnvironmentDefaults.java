package io.quantsignals.cli;

import io.quantsignals.core.config.Setting;
import picocli.CommandLine;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives every option that belongs to a {@link Setting} its environment value or documented default,
 * so that an option beats the environment which beats the default (SPEC §2). Options that are not
 * settings keep their own {@code defaultValue}. The environment is injected so tests need not mutate
 * the real one. Used by ops-cli, the replay tool and the Flink job's options.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> env;

    /** @param env the environment (copied; a null value counts as unset, as a blank one does) */
    public EnvironmentDefaults(Map<String, String> env) {
        this.env = Collections.unmodifiableMap(new HashMap<>(env));
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (argSpec instanceof CommandLine.Model.OptionSpec option) {
            return Setting.forOption(option.longestName()).map(s -> s.resolve(env)).orElse(argSpec.defaultValue());
        }
        return argSpec.defaultValue();
    }
}
