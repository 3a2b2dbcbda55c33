package io.quantsignals.job;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the SQL of a Grafana PostgreSQL panel, annotation or variable the way Grafana does before
 * it sends it to the database, so tests can run dashboard queries against a real schema.
 *
 * <p>First the template variables (as Grafana's frontend interpolates them):
 * <ul>
 *   <li>{@code $name}, {@code ${name}}, {@code [[name]]} of a dashboard variable: its selected values,
 *       each single-quoted (quotes doubled) and comma-separated, which is how the SQL datasources
 *       format a multi-value variable ({@code 'a','b'});</li>
 *   <li>{@code $__interval}: the interval given here in Grafana's notation ({@code 1m}, {@code 30s});
 *       {@code $__interval_ms}: the same in milliseconds.</li>
 * </ul>
 * Then the PostgreSQL datasource's macros (as its backend expands them; the from/to bounds are
 * RFC 3339 UTC timestamps at second precision, like Grafana's):
 * <ul>
 *   <li>{@code $__time(c)} → {@code c AS "time"}; {@code $__timeEpoch(c)} → {@code extract(epoch from c) AS "time"};</li>
 *   <li>{@code $__timeFilter(c)} → {@code c BETWEEN 'from' AND 'to'};</li>
 *   <li>{@code $__timeFrom()} → {@code 'from'}; {@code $__timeTo()} → {@code 'to'};</li>
 *   <li>{@code $__timeGroup(c, '5m'[, fill])} → {@code floor(extract(epoch from c)/300)*300} (epoch seconds:
 *       Grafana reads a numeric time column as epoch; plain PostgreSQL, no {@code time_bucket});</li>
 *   <li>{@code $__timeGroupAlias(c, '5m'[, fill])} → the same {@code AS "time"};</li>
 *   <li>{@code $__unixEpochFilter(c)} → {@code c >= fromEpoch AND c <= toEpoch}.</li>
 * </ul>
 * Anything else that looks like a variable or macro is an error, so a query can never reach the
 * database half-expanded.
 */
final class GrafanaSql {

    private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)\\(");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    private static final Pattern INTERVAL = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private final Instant from;
    private final Instant to;
    private final Duration interval;
    private final Map<String, List<String>> variables;

    GrafanaSql(Instant from, Instant to, Duration interval, Map<String, List<String>> variables) {
        this.from = from.truncatedTo(ChronoUnit.SECONDS);
        this.to = to.truncatedTo(ChronoUnit.SECONDS);
        this.interval = interval;
        this.variables = variables;
    }

    GrafanaSql withVariables(Map<String, List<String>> newVariables) {
        return new GrafanaSql(from, to, interval, newVariables);
    }

    String expand(String sql) {
        return expandMacros(expandVariables(sql));
    }

    private String expandVariables(String sql) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value;
            if (name.equals("__interval")) {
                value = grafanaInterval(interval);
            } else if (name.equals("__interval_ms")) {
                value = Long.toString(interval.toMillis());
            } else if (name.startsWith("__")) {
                value = m.group(); // a macro (or an unknown built-in): expandMacros decides
            } else if (variables.containsKey(name)) {
                List<String> values = variables.get(name);
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("variable $" + name + " has no value");
                }
                List<String> quoted = new ArrayList<>();
                values.forEach(v -> quoted.add("'" + v.replace("'", "''") + "'"));
                value = String.join(",", quoted);
            } else {
                throw new IllegalArgumentException("unknown variable $" + name + " in:\n" + sql);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String expandMacros(String sql) {
        String text = sql;
        Matcher m = MACRO.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            int open = m.end() - 1;
            int close = matchingParenthesis(text, open);
            List<String> args = splitArguments(text.substring(open + 1, close));
            String replacement = macro(name, args);
            text = text.substring(0, m.start()) + replacement + text.substring(close + 1);
            m = MACRO.matcher(text);
        }
        if (text.contains("$")) {
            // Dollar-quoted strings are not used in dashboard SQL; a $ left is an unexpanded name.
            throw new IllegalArgumentException("unexpanded macro or variable left in:\n" + text);
        }
        return text;
    }

    private String macro(String name, List<String> args) {
        return switch (name) {
            case "time" -> arg(name, args, 0) + " AS \"time\"";
            case "timeEpoch" -> "extract(epoch from " + arg(name, args, 0) + ") AS \"time\"";
            case "timeFilter" -> arg(name, args, 0) + " BETWEEN " + quoted(from) + " AND " + quoted(to);
            case "timeFrom" -> quoted(from);
            case "timeTo" -> quoted(to);
            case "unixEpochFilter" -> arg(name, args, 0) + " >= " + from.getEpochSecond() + " AND " + arg(name, args, 0)
                    + " <= " + to.getEpochSecond();
            case "timeGroup" -> timeGroup(name, args);
            case "timeGroupAlias" -> timeGroup(name, args) + " AS \"time\"";
            default -> throw new IllegalArgumentException("macro $__" + name + "() is not supported by this test's expansion");
        };
    }

    private String timeGroup(String name, List<String> args) {
        if (args.size() < 2 || args.size() > 3) {
            throw new IllegalArgumentException("$__" + name + " takes (column, interval[, fill]), not " + args);
        }
        long seconds = parseInterval(args.get(1).replace("'", "").strip()).toSeconds();
        if (seconds < 1) {
            throw new IllegalArgumentException("$__" + name + " interval below one second: " + args.get(1));
        }
        return "floor(extract(epoch from " + args.get(0) + ")/" + seconds + ")*" + seconds;
    }

    private static String arg(String name, List<String> args, int index) {
        if (args.size() <= index || args.get(index).isBlank()) {
            throw new IllegalArgumentException("$__" + name + " needs argument " + (index + 1) + ": " + args);
        }
        return args.get(index);
    }

    private static String quoted(Instant instant) {
        return "'" + instant + "'";
    }

    private static int matchingParenthesis(String text, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                inString = !inString;
            } else if (!inString && c == '(') {
                depth++;
            } else if (!inString && c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses after position " + open + " in:\n" + text);
    }

    /** Top-level comma-separated arguments, trimmed; an empty argument list gives an empty list. */
    private static List<String> splitArguments(String inside) {
        List<String> args = new ArrayList<>();
        if (inside.isBlank()) {
            return args;
        }
        int depth = 0;
        boolean inString = false;
        int start = 0;
        for (int i = 0; i < inside.length(); i++) {
            char c = inside.charAt(i);
            if (c == '\'') {
                inString = !inString;
            } else if (!inString && c == '(') {
                depth++;
            } else if (!inString && c == ')') {
                depth--;
            } else if (!inString && depth == 0 && c == ',') {
                args.add(inside.substring(start, i).strip());
                start = i + 1;
            }
        }
        args.add(inside.substring(start).strip());
        return args;
    }

    static Duration parseInterval(String text) {
        Matcher m = INTERVAL.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Grafana interval: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /** Grafana's notation for an interval: the largest whole unit. */
    static String grafanaInterval(Duration d) {
        long ms = d.toMillis();
        if (ms % Duration.ofDays(1).toMillis() == 0) {
            return ms / Duration.ofDays(1).toMillis() + "d";
        } else if (ms % Duration.ofHours(1).toMillis() == 0) {
            return ms / Duration.ofHours(1).toMillis() + "h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
