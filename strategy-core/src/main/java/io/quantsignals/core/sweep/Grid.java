package io.quantsignals.core.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.params.WindowOrderException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed sweep grid ({@link GridParser}): one axis per params key, in contract order
 * ({@link StrategyParamsParser#KEYS}).
 *
 * <p>The product's order is that of nested loops over the axes in contract order, the first axis
 * outermost: the last key varies fastest, and each axis runs through its values in the order given
 * (a range ascending). So a grid's runs always come out in the same order, whatever the file's key
 * order.
 */
public final class Grid {

    /** One key's values: listed as given, or a range computed on demand. */
    public static final class Axis {
        private final String key;
        private final JsonNode given;
        private final BigInteger count;
        private final BigDecimal from;
        private final BigDecimal step;
        private final boolean integers;

        private Axis(String key, JsonNode given, BigInteger count, BigDecimal from, BigDecimal step, boolean integers) {
            this.key = key;
            this.given = given;
            this.count = count;
            this.from = from;
            this.step = step;
            this.integers = integers;
        }

        static Axis listed(String key, ArrayNode values) {
            return new Axis(key, values, BigInteger.valueOf(values.size()), null, null, false);
        }

        static Axis ranged(String key, ObjectNode range, BigDecimal from, BigDecimal step, BigInteger count,
                boolean integers) {
            return new Axis(key, range, count, from, step, integers);
        }

        public String key() {
            return key;
        }

        public BigInteger count() {
            return count;
        }

        /** The values in order; only call once the grid's size has been checked, a range may be huge. */
        public List<JsonNode> values() {
            List<JsonNode> values = new ArrayList<>();
            if (from == null) {
                given.forEach(values::add);
                return values;
            }
            for (long i = 0; i < count.longValueExact(); i++) {
                // from + i*step in decimal: 0.1 + 0.1 + 0.1 would drift in binary floating point.
                BigDecimal value = from.add(step.multiply(BigDecimal.valueOf(i)));
                values.add(integers ? JsonNodeFactory.instance.numberNode(value.longValueExact())
                        : JsonNodeFactory.instance.numberNode(value.doubleValue()));
            }
            return values;
        }
    }

    /** The params of every run of the sweep, in product order, and how many combinations were skipped. */
    public record Expansion(List<StrategyParams> runs, int skippedWindowOrder) {
        public Expansion {
            runs = List.copyOf(runs);
        }
    }

    private final Map<String, Axis> axes;
    private final List<String> order;

    Grid(Map<String, Axis> axes) {
        this.axes = Map.copyOf(axes);
        this.order = List.copyOf(axes.keySet());
    }

    /** The keys the grid varies, in contract order. */
    public List<String> keys() {
        return order;
    }

    /** How many combinations the grid has (before any is skipped); saturates at Long.MAX_VALUE. */
    public long size() {
        BigInteger product = BigInteger.ONE;
        for (String key : order) {
            product = product.multiply(axes.get(key).count());
        }
        return product.bitLength() < Long.SIZE ? product.longValue() : Long.MAX_VALUE;
    }

    /**
     * The stored form: keys in contract order, lists as given, ranges as {@code {from, to, step}},
     * a scalar as its one-value list.
     */
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (String key : order) {
            node.set(key, axes.get(key).given.deepCopy());
        }
        return node;
    }

    /**
     * Every combination of the grid over {@code base} (the keys the grid does not vary), each
     * validated as a param file is ({@link StrategyParamsParser#fromObject}). A combination whose
     * only fault is {@code sma_slow_window <= sma_fast_window} is skipped and counted; any other
     * invalid value is an error naming the key and value. Check {@link #size()} against a limit
     * first: this materialises every combination.
     */
    public Expansion expand(ObjectNode base, StrategyParamsParser.CostDefaults defaults) throws InvalidParamsException {
        long size = size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("a grid of " + size + " combinations cannot be expanded: check size() first");
        }
        List<List<JsonNode>> values = new ArrayList<>();
        for (String key : order) {
            values.add(axes.get(key).values());
        }
        List<StrategyParams> runs = new ArrayList<>();
        int skipped = 0;
        int[] index = new int[order.size()];
        for (long n = 0; n < size; n++) {
            ObjectNode combination = base.deepCopy();
            for (int k = 0; k < order.size(); k++) {
                combination.set(order.get(k), values.get(k).get(index[k]));
            }
            try {
                runs.add(StrategyParamsParser.fromObject(combination, defaults));
            } catch (WindowOrderException e) {
                skipped++;
            }
            // Odometer: the last axis turns fastest.
            for (int k = order.size() - 1; k >= 0 && ++index[k] == values.get(k).size(); k--) {
                index[k] = 0;
            }
        }
        return new Expansion(runs, skipped);
    }
}
