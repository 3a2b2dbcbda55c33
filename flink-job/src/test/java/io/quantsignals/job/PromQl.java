package io.quantsignals.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The parts of a PromQL expression that must match what Flink's reporter exposes: its vector
 * selectors ({@code metric{label="v", other=~"re"}}) and the labels it groups by
 * ({@code by (label)}). With no Prometheus server here, a test proves the dashboard's and alert
 * rules' PromQL against a real scrape by matching these. The scan also checks the expression's
 * brackets balance and that every selector is well formed, so a typo fails here rather than in
 * Grafana.
 */
final class PromQl {

    /** PromQL keywords that look like identifiers but name no metric. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan",
            // Aggregation operators: followed by "(" or by a by/without clause ("max by (job_name) (...)").
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    /** {@code label op "value"}; op is =, !=, =~ or !~ (regexes are anchored, as in Prometheus). */
    record LabelMatcher(String label, String op, String value) {
        boolean matches(Map<String, String> labels) {
            String actual = labels.getOrDefault(label, "");
            return switch (op) {
                case "=" -> actual.equals(value);
                case "!=" -> !actual.equals(value);
                case "=~" -> Pattern.compile(value).matcher(actual).matches();
                case "!~" -> !Pattern.compile(value).matcher(actual).matches();
                default -> throw new IllegalStateException(op);
            };
        }
    }

    record Selector(String metric, List<LabelMatcher> matchers) {
        boolean matches(PrometheusScrape.Sample sample) {
            return sample.name().equals(metric) && matchers.stream().allMatch(m -> m.matches(sample.labels()));
        }

        List<PrometheusScrape.Sample> select(PrometheusScrape scrape) {
            return scrape.samples().stream().filter(this::matches).toList();
        }
    }

    /** The selectors and grouping labels of an expression. */
    record Parts(List<Selector> selectors, Set<String> groupingLabels) {
    }

    private PromQl() {
    }

    static Parts parse(String expr) {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new TreeSet<>();
        int depth = 0;
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == '[') {
                depth++;
                i++;
            } else if (c == ')' || c == ']') {
                if (--depth < 0) {
                    throw new IllegalArgumentException("unbalanced " + c + " at " + i + " in " + expr);
                }
                i++;
            } else if (c == '$') {
                // A Grafana variable such as $__rate_interval or ${__interval}: Grafana replaces it.
                i++;
                if (i < expr.length() && expr.charAt(i) == '{') {
                    i = expr.indexOf('}', i) + 1;
                } else {
                    while (i < expr.length() && isIdentifierPart(expr.charAt(i))) {
                        i++;
                    }
                }
            } else if (Character.isDigit(c) || c == '.') {
                // A number or a duration (5m, 1.5e3): digits, a dot, letters.
                while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                    i++;
                }
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < expr.length() && isIdentifierPart(expr.charAt(i))) {
                    i++;
                }
                String word = expr.substring(start, i);
                int next = skipSpaces(expr, i);
                if (GROUPING.contains(word)) {
                    if (next < expr.length() && expr.charAt(next) == '(') {
                        int close = expr.indexOf(')', next);
                        for (String label : expr.substring(next + 1, close).split(",")) {
                            if (!label.isBlank()) {
                                grouping.add(label.strip());
                            }
                        }
                        i = close + 1;
                    }
                } else if (KEYWORDS.contains(word) || next < expr.length() && expr.charAt(next) == '(') {
                    // A keyword, or a function or aggregation followed by its arguments.
                    continue;
                } else if (next < expr.length() && expr.charAt(next) == '{') {
                    int close = closingBrace(expr, next);
                    selectors.add(new Selector(word, matchers(expr.substring(next + 1, close), expr)));
                    i = close + 1;
                } else {
                    selectors.add(new Selector(word, List.of()));
                }
            } else if (c == '{') {
                throw new IllegalArgumentException("a selector without a metric name in " + expr);
            } else if (c == '"' || c == '\'') {
                i = expr.indexOf(c, i + 1) + 1;
                if (i == 0) {
                    throw new IllegalArgumentException("unterminated string in " + expr);
                }
            } else if ("+-*/%^=!<>,".indexOf(c) >= 0) {
                i++;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i + " in " + expr);
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced brackets in " + expr);
        }
        return new Parts(selectors, grouping);
    }

    private static List<LabelMatcher> matchers(String inside, String expr) {
        List<LabelMatcher> matchers = new ArrayList<>();
        int i = 0;
        while (i < inside.length()) {
            i = skipSpaces(inside, i);
            if (i >= inside.length()) {
                break;
            }
            int start = i;
            while (i < inside.length() && isIdentifierPart(inside.charAt(i))) {
                i++;
            }
            String label = inside.substring(start, i);
            i = skipSpaces(inside, i);
            String op = inside.startsWith("=~", i) ? "=~" : inside.startsWith("!~", i) ? "!~"
                    : inside.startsWith("!=", i) ? "!=" : inside.startsWith("=", i) ? "=" : null;
            if (label.isEmpty() || op == null) {
                throw new IllegalArgumentException("malformed label matcher {" + inside + "} in " + expr);
            }
            i = skipSpaces(inside, i + op.length());
            char quote = inside.charAt(i);
            if (quote != '"' && quote != '\'') {
                throw new IllegalArgumentException("label value not quoted in {" + inside + "} in " + expr);
            }
            StringBuilder value = new StringBuilder();
            for (i++; inside.charAt(i) != quote; i++) {
                char c = inside.charAt(i);
                if (c == '\\') {
                    // In PromQL strings a backslash escapes; "\\." is a regex's literal dot.
                    value.append(inside.charAt(++i));
                } else {
                    value.append(c);
                }
            }
            matchers.add(new LabelMatcher(label, op, value.toString()));
            i = skipSpaces(inside, i + 1);
            if (i < inside.length() && inside.charAt(i) == ',') {
                i++;
            }
        }
        return matchers;
    }

    private static int closingBrace(String expr, int open) {
        boolean inString = false;
        for (int i = open + 1; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' && expr.charAt(i - 1) != '\\') {
                inString = !inString;
            } else if (c == '}' && !inString) {
                return i;
            }
        }
        throw new IllegalArgumentException("unterminated { in " + expr);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
