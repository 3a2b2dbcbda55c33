package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.quantsignals.job.OpsStackFiles.ALERT_RULES;
import static io.quantsignals.job.OpsStackFiles.yaml;

/**
 * The provisioned alert rules (grafana/provisioning/alerting/) and how Grafana evaluates one of
 * them on what its query returned, for the expressions these rules use: a SQL query in table format
 * is "numeric data" (each row one alert instance: its one numeric column the value, its string
 * columns the labels), then a threshold or a math comparison decides which instances fire; no rows
 * is "no data", whose state the rule's noDataState gives. Anything else is refused, so a rule
 * changed to something this evaluation does not know fails the test instead of passing untested.
 */
final class GrafanaAlertRules {

    static final String EXPRESSION_DATASOURCE = "__expr__";
    private static final Pattern MATH_COMPARISON = Pattern.compile("\\$(\\w+)\\s*(>=|<=|==|!=|>|<)\\s*(-?[0-9.]+)");

    /** One provisioned rule: its title, the refId of its condition, its queries and expressions by refId. */
    record Rule(String uid, String title, String condition, Map<String, JsonNode> data, String noDataState, JsonNode source) {

        /** The data query (not an expression) the condition is computed from. */
        JsonNode query() {
            List<JsonNode> queries = data.values().stream()
                    .filter(d -> !d.path("datasourceUid").asText().equals(EXPRESSION_DATASOURCE)).toList();
            if (queries.size() != 1) {
                throw new IllegalStateException(title + ": expected one data query, found " + queries.size());
            }
            return queries.get(0);
        }

        String datasourceUid() {
            return query().path("datasourceUid").asText();
        }

        String sql() {
            return query().path("model").path("rawSql").asText();
        }

        String promQl() {
            return query().path("model").path("expr").asText();
        }
    }

    /** What an evaluation gives: every instance (its labels) and whether it fires; or no data and what that means. */
    record Evaluation(Map<Map<String, String>, Boolean> instances, boolean noData, String noDataState) {

        /** The labels of the firing instances; no data with noDataState Alerting is one firing instance without labels. */
        List<Map<String, String>> firing() {
            if (noData) {
                return noDataState.equals("Alerting") ? List.of(Map.of()) : List.of();
            }
            List<Map<String, String>> firing = new ArrayList<>();
            instances.forEach((labels, fires) -> {
                if (fires) {
                    firing.add(labels);
                }
            });
            return firing;
        }
    }

    private GrafanaAlertRules() {
    }

    static List<Rule> load() {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : yaml(ALERT_RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                Map<String, JsonNode> data = new LinkedHashMap<>();
                rule.path("data").forEach(d -> data.put(d.path("refId").asText(), d));
                rules.add(new Rule(rule.path("uid").asText(), rule.path("title").asText(), rule.path("condition").asText(),
                        data, rule.path("noDataState").asText("NoData"), rule));
            }
        }
        return rules;
    }

    static Rule rule(String title) {
        return load().stream().filter(r -> r.title().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no alert rule titled '" + title + "' in " + ALERT_RULES));
    }

    /**
     * Evaluates {@code rule} on the rows its SQL query returned, as Grafana's numeric-data handling does:
     * exactly one numeric column (the value), every other column a string (a label); label sets unique.
     */
    static Evaluation evaluateTable(Rule rule, List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return new Evaluation(Map.of(), true, rule.noDataState());
        }
        Map<Map<String, String>, Double> values = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            Map<String, String> labels = new TreeMap<>();
            Double value = null;
            for (Map.Entry<String, Object> column : row.entrySet()) {
                Object v = column.getValue();
                if (v instanceof Number n) {
                    if (value != null) {
                        throw new AssertionError(rule.title() + ": more than one numeric column: " + row);
                    }
                    value = n.doubleValue();
                } else if (v instanceof String s) {
                    labels.put(column.getKey(), s);
                } else {
                    throw new AssertionError(rule.title() + ": column " + column.getKey() + " is neither a number nor a"
                            + " string (" + (v == null ? "null" : v.getClass().getSimpleName()) + "): Grafana would not"
                            + " read the table as numeric data: " + row);
                }
            }
            if (value == null) {
                throw new AssertionError(rule.title() + ": no numeric column: " + row);
            }
            if (values.put(labels, value) != null) {
                throw new AssertionError(rule.title() + ": two rows with the labels " + labels + " (Grafana refuses duplicates)");
            }
        }
        return evaluate(rule, values);
    }

    /** Evaluates the rule's condition on instance values already computed (labels to value). */
    static Evaluation evaluate(Rule rule, Map<Map<String, String>, Double> values) {
        JsonNode condition = rule.data().get(rule.condition());
        if (condition == null) {
            throw new AssertionError(rule.title() + ": the condition " + rule.condition() + " is not one of " + rule.data().keySet());
        }
        JsonNode model = condition.path("model");
        String queryRef = rule.query().path("refId").asText();
        Map<Map<String, String>, Boolean> instances = new LinkedHashMap<>();
        switch (model.path("type").asText()) {
            case "threshold" -> {
                if (!model.path("expression").asText().equals(queryRef) || model.path("conditions").size() != 1) {
                    throw new AssertionError(rule.title() + ": a threshold on " + queryRef + " with one condition expected: " + model);
                }
                JsonNode evaluator = model.path("conditions").get(0).path("evaluator");
                values.forEach((labels, v) -> instances.put(labels, threshold(rule, evaluator, v)));
            }
            case "math" -> {
                Matcher m = MATH_COMPARISON.matcher(model.path("expression").asText().strip());
                if (!m.matches() || !m.group(1).equals(queryRef)) {
                    throw new AssertionError(rule.title() + ": only '$" + queryRef + " <op> <number>' math is evaluated here: " + model);
                }
                double bound = Double.parseDouble(m.group(3));
                values.forEach((labels, v) -> instances.put(labels, switch (m.group(2)) {
                    case ">=" -> v >= bound;
                    case "<=" -> v <= bound;
                    case ">" -> v > bound;
                    case "<" -> v < bound;
                    case "==" -> v == bound;
                    default -> v != bound;
                }));
            }
            default -> throw new AssertionError(rule.title() + ": expression type " + model.path("type") + " is not evaluated here");
        }
        return new Evaluation(instances, false, rule.noDataState());
    }

    /** Grafana's threshold functions (pkg/expr/threshold.go). */
    private static boolean threshold(Rule rule, JsonNode evaluator, double v) {
        JsonNode params = evaluator.path("params");
        double a = params.path(0).asDouble();
        double b = params.path(1).asDouble();
        return switch (evaluator.path("type").asText()) {
            case "gt" -> v > a;
            case "lt" -> v < a;
            case "gte" -> v >= a;
            case "lte" -> v <= a;
            case "eq" -> v == a;
            case "ne" -> v != a;
            case "within_range" -> v > a && v < b;
            case "outside_range" -> v < a || v > b;
            default -> throw new AssertionError(rule.title() + ": threshold type " + evaluator.path("type") + " is not evaluated here");
        };
    }
}
