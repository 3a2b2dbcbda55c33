package io.quantsignals.replay;

import io.quantsignals.core.config.Setting;
import picocli.CommandLine;

import java.util.Map;

/**
 * Gives every option that belongs to a {@link Setting} its environment value or documented default,
 * so that an option beats the environment which beats the default (SPEC §2). The environment is
 * injected so tests need not mutate the real one.
 *
 * <p>Same as ops-cli's class of the same name (kept separate so the replay tool does not depend on
 * the ops-cli module).
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> env;

    EnvironmentDefaults(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (argSpec instanceof CommandLine.Model.OptionSpec option) {
            return Setting.forOption(option.longestName()).map(s -> s.resolve(env)).orElse(argSpec.defaultValue());
        }
        return argSpec.defaultValue();
    }
}
