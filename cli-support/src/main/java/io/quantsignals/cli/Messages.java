package io.quantsignals.cli;

import io.quantsignals.core.config.Setting;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Error messages as the command-line programs print them: on one line, without passwords, terminal-safe. */
public final class Messages {

    private Messages() {
    }

    /**
     * The message on one line (line breaks and the blanks around them become one space, a tab a
     * space) with any other control character shown as {@link TerminalText#escape a visible escape}:
     * messages quote file content, rows and arguments. Null becomes "".
     */
    public static String oneLine(String message) {
        return message == null ? "" : TerminalText.escape(message.replaceAll("\\s*\\R\\s*", " ").replace('\t', ' ').strip());
    }

    /**
     * What went wrong, for a one-line error: the exception's message or, when it has none (a
     * wrapper, a bare {@code new SomeException(cause)} without text), its cause's, down to the
     * class name of the innermost one.
     */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getCause() != null && e.getCause() != e ? describe(e.getCause()) : e.getClass().getSimpleName();
        }
        return message;
    }

    /**
     * The message with every password it might contain replaced by {@code ***}: the value of each
     * secret setting in the environment (DATABASE_PASSWORD), and the value given to any option whose
     * name looks like a password option, misspelt ones included ({@code --db-pasword=x},
     * {@code --db-pwd x}). For picocli's parse errors, which echo the offending arguments
     * ({@code Unknown option: '--db-pasword=x'}).
     *
     * @param args the command line as given
     * @param env the environment the program runs with
     */
    public static String maskSecrets(String message, String[] args, Map<String, String> env) {
        if (message == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            String fromEnv = setting.secret() ? env.get(setting.envName()) : null;
            if (fromEnv != null && !fromEnv.isEmpty()) {
                secrets.add(fromEnv);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String name = (eq >= 0 ? arg.substring(0, eq) : arg).toLowerCase(Locale.ROOT);
            if (!arg.startsWith("-") || !(name.contains("pas") || name.contains("pw"))) {
                continue;
            }
            if (eq >= 0) {
                secrets.add(arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                secrets.add(args[i + 1]);
            }
        }
        String masked = message;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                masked = masked.replace(secret, "***");
            }
        }
        return masked;
    }
}
