package io.quantsignals.core.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParamsParser;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a sweep's grid (issue 12): a JSON object whose keys are {@code sma_cross} params keys
 * (contract §5.1) and whose values are each
 * <ul>
 *   <li>a non-empty list of values, each a value the key takes in a param file (so a
 *       {@code symbols} grid is a list of symbol lists);</li>
 *   <li>a range {@code {"from": a, "to": b, "step": s}} of a numeric key: a, a+s, a+2s, ... up to
 *       and including b when b is reached exactly. Computed in decimal, so 0.1 steps do not drift;
 *       an integer key needs integer bounds and step;</li>
 *   <li>any other value, meaning a one-value list.</li>
 * </ul>
 * Read with the param files' strictness ({@link StrategyParamsParser#readStrict}): a key twice,
 * text after the object, an unknown key are errors. The values themselves are checked when the
 * grid is expanded ({@link Grid#expand}), against the same rules as a param file.
 */
public final class GridParser {

    /** Keys whose values are integers: a range of them must stay on integers. */
    private static final Set<String> INTEGER_KEYS = Set.of(StrategyParamsParser.SMA_FAST_WINDOW,
            StrategyParamsParser.SMA_SLOW_WINDOW, StrategyParamsParser.SMA_CONFIRMATION_WINDOW,
            StrategyParamsParser.BAR_INTERVAL_SECONDS);
    /** Keys a range makes sense for. */
    private static final Set<String> NUMERIC_KEYS = Set.of(StrategyParamsParser.SMA_FAST_WINDOW,
            StrategyParamsParser.SMA_SLOW_WINDOW, StrategyParamsParser.SMA_CONFIRMATION_WINDOW,
            StrategyParamsParser.BAR_INTERVAL_SECONDS, StrategyParamsParser.TRANSACTION_COST_BPS,
            StrategyParamsParser.SLIPPAGE_BPS, StrategyParamsParser.MAX_DRAWDOWN);
    private static final List<String> RANGE_KEYS = List.of("from", "to", "step");

    private GridParser() {
    }

    /** Parses the text of a grid file; every problem is one line naming the key and value. */
    public static Grid parse(String json) throws InvalidParamsException {
        JsonNode root = StrategyParamsParser.readStrict(json);
        if (root == null || !root.isObject()) {
            throw new InvalidParamsException("a grid must be a JSON object like {\"" + StrategyParamsParser.SMA_FAST_WINDOW
                    + "\": [5, 10], \"" + StrategyParamsParser.SMA_SLOW_WINDOW + "\": {\"from\": 20, \"to\": 50, \"step\": 10}}");
        }
        StrategyParamsParser.requireKnownKeys(root);
        if (root.isEmpty()) {
            throw new InvalidParamsException("the grid has no keys: give at least one params key with its values");
        }
        // Contract order, whatever the file's order: the product's order and the stored grid do not
        // depend on how the author happened to list the keys.
        Map<String, Grid.Axis> axes = new LinkedHashMap<>();
        for (String key : StrategyParamsParser.KEYS) {
            JsonNode value = root.get(key);
            if (value != null) {
                axes.put(key, axis(key, value));
            }
        }
        return new Grid(axes);
    }

    /**
     * The params a sweep's runs share where the grid does not vary them ({@code --base-params}): a
     * JSON object of params keys, read as strictly as a param file. It need not be a complete
     * param set (the grid may give the windows); each combination is validated when expanded.
     */
    public static ObjectNode parseBase(String json) throws InvalidParamsException {
        JsonNode root = StrategyParamsParser.readStrict(json);
        if (root == null || !root.isObject()) {
            throw new InvalidParamsException("base params must be a JSON object of params keys like {\""
                    + StrategyParamsParser.ALLOW_SHORT + "\": true}");
        }
        StrategyParamsParser.requireKnownKeys(root);
        return (ObjectNode) root;
    }

    private static Grid.Axis axis(String key, JsonNode value) throws InvalidParamsException {
        if (value.isArray()) {
            if (value.isEmpty()) {
                throw new InvalidParamsException(key + ": an empty list gives no runs; list at least one value");
            }
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode element : value) {
                // The same value twice would create two identical runs: a typo, most likely.
                if (!seen.add(element)) {
                    throw new InvalidParamsException(key + " lists " + element + " twice");
                }
            }
            return Grid.Axis.listed(key, (ArrayNode) value);
        }
        if (value.isObject()) {
            return range(key, (ObjectNode) value);
        }
        ArrayNode single = JsonNodeFactory.instance.arrayNode();
        single.add(value);
        return Grid.Axis.listed(key, single);
    }

    private static Grid.Axis range(String key, ObjectNode range) throws InvalidParamsException {
        List<String> names = new ArrayList<>();
        range.fieldNames().forEachRemaining(names::add);
        if (!NUMERIC_KEYS.contains(key)) {
            throw new InvalidParamsException(key + ": a range {\"from\", \"to\", \"step\"} needs a numeric key, got " + range);
        }
        if (names.size() != RANGE_KEYS.size() || !names.containsAll(RANGE_KEYS)) {
            throw new InvalidParamsException(key + ": a range has exactly the keys from, to and step, got " + range);
        }
        boolean integers = INTEGER_KEYS.contains(key);
        for (String name : RANGE_KEYS) {
            JsonNode bound = range.get(name);
            if (!bound.isNumber() || (integers && !bound.isIntegralNumber())) {
                throw new InvalidParamsException(key + ": range " + name + " must be " + (integers ? "an integer" : "a number")
                        + ", got " + bound);
            }
        }
        BigDecimal from = range.get("from").decimalValue();
        BigDecimal to = range.get("to").decimalValue();
        BigDecimal step = range.get("step").decimalValue();
        if (step.signum() <= 0 || from.compareTo(to) > 0) {
            throw new InvalidParamsException(key + ": a range needs step > 0 and from <= to, got " + range);
        }
        // Counted, not enumerated, so a range of 10^12 values is refused by the size check without
        // being materialised.
        BigInteger count = to.subtract(from).divide(step, 0, RoundingMode.FLOOR).toBigIntegerExact().add(BigInteger.ONE);
        ObjectNode given = JsonNodeFactory.instance.objectNode();
        RANGE_KEYS.forEach(name -> given.set(name, range.get(name)));
        return Grid.Axis.ranged(key, given, from, step, count, integers);
    }
}
