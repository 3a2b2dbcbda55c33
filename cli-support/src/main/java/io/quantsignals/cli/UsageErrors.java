package io.quantsignals.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Picocli's parse errors as ops-cli, replay-tool and the Flink job print them: on one line, and
 * never with the value given to an unknown option. Picocli quotes the unmatched arguments as given
 * ({@code Unknown option: '--db-pasword=hunter2'}, or {@code Unknown options: '--db-pasword',
 * 'hunter2'} with the value as the next argument), and a misspelt option is most often a password
 * option; guessing which names look like one ({@link Messages#maskSecrets}) misses misspellings
 * like {@code --db-pssword}. So an unknown option is named up to its {@code =}, and the other
 * unmatched arguments, any of which may be its value, are only counted.
 */
public final class UsageErrors {

    private UsageErrors() {
    }

    /**
     * The one-line message for a parse error: {@code Unknown option: '--db-pasword' (its value is not
     * shown); did you mean '--db-password'?}. Other errors keep picocli's words, with passwords
     * masked ({@link Messages#maskSecrets}) and control characters escaped ({@link Messages#oneLine}).
     *
     * @param args the command line as given
     * @param env the environment the program runs with (its password is masked too)
     */
    public static String describe(CommandLine.ParameterException e, String[] args, Map<String, String> env) {
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && unmatched.isUnknownOption()) {
            message = unknownOptions(unmatched);
        }
        return Messages.oneLine(Messages.maskSecrets(message, args, env));
    }

    private static String unknownOptions(CommandLine.UnmatchedArgumentException e) {
        List<String> names = new ArrayList<>();
        int others = 0;
        for (String arg : e.getUnmatched()) {
            if (arg.startsWith("-") && arg.length() > 1) {
                names.add("'" + optionName(arg) + "'");
            } else {
                others++;
            }
        }
        StringBuilder message = new StringBuilder("Unknown option").append(names.size() == 1 ? "" : "s").append(": ")
                .append(String.join(", ", names));
        if (others > 0) {
            message.append(" and ").append(others).append(" other argument").append(others == 1 ? "" : "s")
                    .append(" (values are not shown)");
        } else {
            message.append(names.size() == 1 ? " (its value is not shown)" : " (their values are not shown)");
        }
        // Picocli's suggestions are names of this command's own options, so safe to show; they come
        // unranked (--db-url, --db-user, --db-password for --db-pasword): name the closest one.
        String typed = e.getUnmatched().isEmpty() ? "" : optionName(e.getUnmatched().get(0));
        e.getSuggestions().stream().min(Comparator.comparingInt((String s) -> editDistance(typed, s)))
                .ifPresent(best -> message.append("; did you mean '").append(best).append("'?"));
        return message.toString();
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * The option as typed up to its value: {@code --db-pasword=x} is {@code --db-pasword}; a short
     * option may carry its value attached ({@code -px}), so {@code -px} and {@code -p=x} are {@code -p}.
     */
    static String optionName(String arg) {
        int eq = arg.indexOf('=');
        String name = eq >= 0 ? arg.substring(0, eq) : arg;
        if (!name.startsWith("--") && name.length() > 2) {
            name = name.substring(0, 2);
        }
        return name;
    }
}
