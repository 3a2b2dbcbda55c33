package io.quantsignals.core.params;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quantsignals.core.tick.Symbols;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the JSON parameter set of an {@code sma_cross} run (SPEC §5).
 *
 * <p>Strict on purpose: an unknown key is most likely a typo of a real one, and a run that silently
 * trades with a default where the user meant something else costs money. Numbers that must be
 * integers must be JSON integers ({@code 5}, not {@code 5.0} or {@code "5"}).
 *
 * <p>The cost defaults ({@code TRANSACTION_COST_BPS}, {@code SLIPPAGE_BPS}) are resolved when a run
 * is created or updated and stored with the run, so a run's costs never change behind its back when
 * a program's environment does; the stored form always carries every key.
 */
public final class StrategyParamsParser {

    public static final String SMA_FAST_WINDOW = "sma_fast_window";
    public static final String SMA_SLOW_WINDOW = "sma_slow_window";
    public static final String SMA_CONFIRMATION_WINDOW = "sma_confirmation_window";
    public static final String TRANSACTION_COST_BPS = "transaction_cost_bps";
    public static final String SLIPPAGE_BPS = "slippage_bps";
    public static final String BAR_INTERVAL_SECONDS = "bar_interval_seconds";
    public static final String ALLOW_SHORT = "allow_short";
    public static final String SYMBOLS = "symbols";
    public static final String MAX_DRAWDOWN = "max_drawdown";

    /** Every key, in the order they are written and shown. */
    public static final List<String> KEYS = List.of(SMA_FAST_WINDOW, SMA_SLOW_WINDOW, SMA_CONFIRMATION_WINDOW,
            TRANSACTION_COST_BPS, SLIPPAGE_BPS, BAR_INTERVAL_SECONDS, ALLOW_SHORT, SYMBOLS, MAX_DRAWDOWN);

    /** Bounds that keep the exact SMA arithmetic (128-bit sums) and bar arithmetic far from overflow. */
    public static final int MAX_WINDOW = 1_000_000;
    public static final long MAX_BAR_INTERVAL_SECONDS = 366L * 24 * 3600;
    /** 10,000 bps = 100% of the traded notional: anything above is certainly a unit mistake. */
    public static final double MAX_BPS = 10_000;

    public static final long DEFAULT_BAR_INTERVAL_SECONDS = 60;
    public static final int DEFAULT_CONFIRMATION_WINDOW = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Cost defaults for params that omit them (SPEC §2: TRANSACTION_COST_BPS, SLIPPAGE_BPS). */
    public record CostDefaults(double transactionCostBps, double slippageBps) implements java.io.Serializable {
        public static final CostDefaults ZERO = new CostDefaults(0, 0);

        /** Reads the two environment variables; a malformed or negative value is an error, not a silent 0. */
        public static CostDefaults fromEnvironment(Map<String, String> env) throws InvalidParamsException {
            return new CostDefaults(envBps(env, "TRANSACTION_COST_BPS"), envBps(env, "SLIPPAGE_BPS"));
        }

        private static double envBps(Map<String, String> env, String name) throws InvalidParamsException {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return 0;
            }
            double bps;
            try {
                bps = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new InvalidParamsException("environment " + name + "='" + value + "' is not a number");
            }
            if (!Double.isFinite(bps) || bps < 0 || bps > MAX_BPS) {
                throw new InvalidParamsException("environment " + name + "=" + value
                        + " must be a number from 0 to " + (long) MAX_BPS);
            }
            return bps;
        }
    }

    private StrategyParamsParser() {
    }

    /**
     * Parses and validates a parameter set given as JSON text: ops-cli's param files and the params
     * the job reads from {@code strategy_runs} go through here, so both apply the same rules.
     */
    public static StrategyParams parse(String json, CostDefaults defaults) throws InvalidParamsException {
        JsonNode root = readStrict(json);
        if (root == null || !root.isObject()) {
            throw new InvalidParamsException("parameters must be a JSON object like {\"" + SMA_FAST_WINDOW
                    + "\": 5, \"" + SMA_SLOW_WINDOW + "\": 20}");
        }
        return fromObject((ObjectNode) root, defaults);
    }

    /**
     * Reads one JSON value as strictly as a param file: malformed JSON, a key given twice and text
     * after the value are errors. Shared with the files that carry params in another shape (sweep
     * grids, base params), so every params-bearing file is read by one set of rules.
     *
     * @return the value, or null for a text without one (empty or white space)
     */
    public static JsonNode readStrict(String json) throws InvalidParamsException {
        try {
            checkShape(json);
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidParamsException("malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
    }

    /**
     * What a JSON tree cannot tell: a key given twice in one object (the tree keeps the last value,
     * so the file would not say what its author reads in it) and text after the first value (a
     * second object pasted below the first, a stray bracket), which the tree reader ignores.
     * White space after the value is fine.
     */
    private static void checkShape(String json) throws InvalidParamsException, JsonProcessingException {
        long end;
        try (JsonParser parser = MAPPER.createParser(json)) {
            Deque<Set<String>> objects = new ArrayDeque<>();
            JsonToken token = parser.nextToken();
            while (token != null) {
                if (token == JsonToken.START_OBJECT) {
                    objects.push(new HashSet<>());
                } else if (token == JsonToken.END_OBJECT) {
                    objects.pop();
                } else if (token == JsonToken.FIELD_NAME && !objects.peek().add(parser.currentName())) {
                    JsonLocation at = parser.currentTokenLocation();
                    throw new InvalidParamsException("key '" + parser.currentName() + "' appears twice (line "
                            + at.getLineNr() + ", column " + at.getColumnNr() + "): give each key once");
                }
                if (parser.getParsingContext().inRoot()) {
                    break;
                }
                token = parser.nextToken();
            }
            end = parser.currentLocation().getCharOffset();
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from a string", e);
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (i >= end && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                throw new InvalidParamsException("unexpected text after the JSON object at line " + line + ", column "
                        + (i - lineStart + 1) + ": the file holds one JSON object");
            }
            if (c == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
    }

    /**
     * Validates a parameter object (the keys of {@link #KEYS}) and resolves its defaults. The rule
     * {@code sma_slow_window > sma_fast_window} is checked last and fails with
     * {@link WindowOrderException}, so that exception means every other rule held: a sweep skips
     * exactly those combinations of its grid and reports any other problem as an error.
     */
    public static StrategyParams fromObject(ObjectNode node, CostDefaults defaults) throws InvalidParamsException {
        requireKnownKeys(node);
        int fast = requiredInt(node, SMA_FAST_WINDOW, 1, MAX_WINDOW);
        int slow = requiredInt(node, SMA_SLOW_WINDOW, 1, MAX_WINDOW);
        int confirmation = (int) optionalLong(node, SMA_CONFIRMATION_WINDOW, 1, MAX_WINDOW, DEFAULT_CONFIRMATION_WINDOW);
        double transactionBps = optionalBps(node, TRANSACTION_COST_BPS, defaults.transactionCostBps());
        double slippageBps = optionalBps(node, SLIPPAGE_BPS, defaults.slippageBps());
        long barSeconds = optionalLong(node, BAR_INTERVAL_SECONDS, 0, MAX_BAR_INTERVAL_SECONDS, DEFAULT_BAR_INTERVAL_SECONDS);
        boolean allowShort = optionalBoolean(node, ALLOW_SHORT);
        List<String> symbols = optionalSymbols(node);
        Double maxDrawdown = optionalMaxDrawdown(node);
        if (slow <= fast) {
            throw new WindowOrderException(slow, fast);
        }
        return new StrategyParams(fast, slow, confirmation, transactionBps, slippageBps, barSeconds, allowShort,
                symbols, maxDrawdown);
    }

    /** Refuses a key of {@code object} that is not in {@link #KEYS}: most likely a typo of a real one. */
    public static void requireKnownKeys(JsonNode object) throws InvalidParamsException {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new InvalidParamsException("unknown parameter '" + name + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
    }

    /** The stored and shown form: every key, in {@link #KEYS} order, absent optionals as null. */
    public static String toJson(StrategyParams p) {
        return toJsonNode(p).toString();
    }

    public static ObjectNode toJsonNode(StrategyParams p) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put(SMA_FAST_WINDOW, p.smaFastWindow());
        node.put(SMA_SLOW_WINDOW, p.smaSlowWindow());
        node.put(SMA_CONFIRMATION_WINDOW, p.smaConfirmationWindow());
        node.put(TRANSACTION_COST_BPS, p.transactionCostBps());
        node.put(SLIPPAGE_BPS, p.slippageBps());
        node.put(BAR_INTERVAL_SECONDS, p.barIntervalSeconds());
        node.put(ALLOW_SHORT, p.allowShort());
        if (p.symbols() == null) {
            node.putNull(SYMBOLS);
        } else {
            ArrayNode array = node.putArray(SYMBOLS);
            p.symbols().forEach(array::add);
        }
        if (p.maxDrawdown() == null) {
            node.putNull(MAX_DRAWDOWN);
        } else {
            node.put(MAX_DRAWDOWN, p.maxDrawdown());
        }
        return node;
    }

    private static int requiredInt(ObjectNode node, String key, int min, int max) throws InvalidParamsException {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new InvalidParamsException("missing required parameter '" + key + "' (an integer >= " + min + ")");
        }
        return (int) integerIn(value, key, min, max);
    }

    private static long optionalLong(ObjectNode node, String key, long min, long max, long fallback)
            throws InvalidParamsException {
        JsonNode value = node.get(key);
        if (value == null) {
            return fallback;
        }
        return integerIn(value, key, min, max);
    }

    private static long integerIn(JsonNode value, String key, long min, long max) throws InvalidParamsException {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidParamsException(key + " must be an integer from " + min + " to " + max
                    + ", got " + value);
        }
        long n = value.longValue();
        if (n < min || n > max) {
            throw new InvalidParamsException(key + " must be an integer from " + min + " to " + max + ", got " + n);
        }
        return n;
    }

    private static double optionalBps(ObjectNode node, String key, double fallback) throws InvalidParamsException {
        JsonNode value = node.get(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())
                || value.doubleValue() < 0 || value.doubleValue() > MAX_BPS) {
            throw new InvalidParamsException(key + " must be a number from 0 to " + (long) MAX_BPS + " (basis points), got " + value);
        }
        return value.doubleValue();
    }

    private static boolean optionalBoolean(ObjectNode node, String key) throws InvalidParamsException {
        JsonNode value = node.get(key);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidParamsException(key + " must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    private static List<String> optionalSymbols(ObjectNode node) throws InvalidParamsException {
        JsonNode value = node.get(SYMBOLS);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidParamsException(SYMBOLS + " must be a non-empty list of symbols like [\"BTCUSD\"], got " + value);
        }
        Set<String> seen = new LinkedHashSet<>();
        int index = 0;
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw new InvalidParamsException(SYMBOLS + "[" + index + "] must be a string, got " + element);
            }
            // The rule the job applies to every tick: a symbol it would reject can never be traded.
            String problem = Symbols.problem(element.textValue());
            if (problem != null) {
                throw new InvalidParamsException(SYMBOLS + "[" + index + "]: " + problem);
            }
            index++;
            if (!seen.add(element.textValue())) {
                throw new InvalidParamsException(SYMBOLS + " lists '" + element.textValue() + "' twice");
            }
        }
        return new ArrayList<>(seen);
    }

    private static Double optionalMaxDrawdown(ObjectNode node) throws InvalidParamsException {
        JsonNode value = node.get(MAX_DRAWDOWN);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !(value.doubleValue() > 0) || value.doubleValue() > 1) {
            throw new InvalidParamsException(MAX_DRAWDOWN + " must be a fraction above 0 and at most 1 (e.g. 0.15), got " + value);
        }
        return value.doubleValue();
    }
}
