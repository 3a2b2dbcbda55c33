package io.quantsignals.core.sweep;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridParserTest {

    private static final ObjectNode NO_BASE = JsonNodeFactory.instance.objectNode();

    private static Grid.Expansion expand(String grid) throws InvalidParamsException {
        return GridParser.parse(grid).expand(NO_BASE, StrategyParamsParser.CostDefaults.ZERO);
    }

    private static List<List<Integer>> windows(Grid.Expansion e) {
        return e.runs().stream().map(p -> List.of(p.smaFastWindow(), p.smaSlowWindow())).toList();
    }

    @Test
    void listsExpandToTheProductWithTheLastContractKeyVaryingFastest() throws Exception {
        // The file lists slow before fast: the order still follows the contract (fast outermost).
        Grid.Expansion e = expand("{\"sma_slow_window\": [20, 30], \"sma_fast_window\": [5, 10, 15]}");
        assertEquals(List.of(List.of(5, 20), List.of(5, 30), List.of(10, 20), List.of(10, 30),
                List.of(15, 20), List.of(15, 30)), windows(e));
        assertEquals(0, e.skippedWindowOrder());
    }

    @Test
    void integerRangesIncludeToWhenReachedExactly() throws Exception {
        Grid grid = GridParser.parse("{\"sma_fast_window\": 2, \"sma_slow_window\": {\"from\": 5, \"to\": 50, \"step\": 5}}");
        assertEquals(10, grid.size());
        List<Integer> slow = grid.expand(NO_BASE, StrategyParamsParser.CostDefaults.ZERO).runs().stream()
                .map(StrategyParams::smaSlowWindow).toList();
        assertEquals(List.of(5, 10, 15, 20, 25, 30, 35, 40, 45, 50), slow);
        // 'to' not on the step: the last value is the last one below it.
        assertEquals(List.of(5, 12, 19), expand("{\"sma_fast_window\": 2, \"sma_slow_window\": {\"from\": 5, \"to\": 20, \"step\": 7}}")
                .runs().stream().map(StrategyParams::smaSlowWindow).toList());
    }

    @Test
    void decimalStepsDoNotDrift() throws Exception {
        Grid grid = GridParser.parse("{\"sma_fast_window\": 5, \"sma_slow_window\": 20,"
                + " \"max_drawdown\": {\"from\": 0.1, \"to\": 0.3, \"step\": 0.1},"
                + " \"slippage_bps\": {\"from\": 0, \"to\": 1, \"step\": 0.25}}");
        // In doubles, 0.1 + 0.1 + 0.1 is 0.30000000000000004 > 0.3 and the last value would be lost.
        assertEquals(15, grid.size());
        List<StrategyParams> runs = grid.expand(NO_BASE, StrategyParamsParser.CostDefaults.ZERO).runs();
        assertEquals(List.of(0.1, 0.2, 0.3), runs.stream().map(StrategyParams::maxDrawdown).distinct().toList());
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), runs.stream().map(StrategyParams::slippageBps).distinct().toList());
        // slippage_bps comes before max_drawdown in the contract: it is the outer loop.
        assertEquals(List.of(0.0, 0.0, 0.0, 0.25), runs.subList(0, 4).stream().map(StrategyParams::slippageBps).toList());
    }

    @Test
    void aScalarIsAOneValueListAndTheBaseFillsTheRest() throws Exception {
        ObjectNode base = GridParser.parseBase("{\"allow_short\": true, \"sma_slow_window\": 99, \"symbols\": [\"BTCUSD\"]}");
        Grid grid = GridParser.parse("{\"sma_fast_window\": 5, \"sma_slow_window\": [20, 40]}");
        List<StrategyParams> runs = grid.expand(base, StrategyParamsParser.CostDefaults.ZERO).runs();
        // The grid wins over the base; keys in neither take their defaults.
        assertEquals(List.of(StrategyParams.of(5, 20).withAllowShort(true).withSymbols(List.of("BTCUSD")),
                StrategyParams.of(5, 40).withAllowShort(true).withSymbols(List.of("BTCUSD"))), runs);
    }

    @Test
    void costDefaultsApplyWhereNeitherGridNorBaseGivesCosts() throws Exception {
        List<StrategyParams> runs = GridParser.parse("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}")
                .expand(NO_BASE, new StrategyParamsParser.CostDefaults(7, 1.5)).runs();
        assertEquals(List.of(StrategyParams.of(5, 20).withCosts(7, 1.5)), runs);
    }

    @Test
    void combinationsWithSlowNotAboveFastAreSkippedAndCounted() throws Exception {
        Grid grid = GridParser.parse("{\"sma_fast_window\": {\"from\": 10, \"to\": 30, \"step\": 10}, \"sma_slow_window\": [10, 20, 40]}");
        assertEquals(9, grid.size(), "size counts every combination");
        Grid.Expansion e = grid.expand(NO_BASE, StrategyParamsParser.CostDefaults.ZERO);
        assertEquals(List.of(List.of(10, 20), List.of(10, 40), List.of(20, 40), List.of(30, 40)), windows(e));
        assertEquals(5, e.skippedWindowOrder());
    }

    @Test
    void anotherInvalidValueIsAnErrorEvenInACombinationThatWouldBeSkipped() {
        // 20/10 alone would be skipped; its negative slippage must still be reported, not hidden by the skip.
        InvalidParamsException e = assertThrows(InvalidParamsException.class,
                () -> expand("{\"sma_fast_window\": 20, \"sma_slow_window\": 10, \"slippage_bps\": -1}"));
        assertEquals("slippage_bps must be a number from 0 to 10000 (basis points), got -1", e.getMessage());
    }

    @Test
    void sizeSaturatesInsteadOfOverflowing() throws Exception {
        Grid grid = GridParser.parse("{\"sma_fast_window\": {\"from\": 1, \"to\": 1000000000000, \"step\": 1},"
                + " \"sma_slow_window\": {\"from\": 1, \"to\": 1000000000000, \"step\": 1}}");
        assertEquals(Long.MAX_VALUE, grid.size());
        assertThrows(IllegalStateException.class, () -> grid.expand(NO_BASE, StrategyParamsParser.CostDefaults.ZERO));
    }

    @Test
    void theStoredFormIsInContractOrderWithScalarsAsLists() throws Exception {
        Grid grid = GridParser.parse("{\"allow_short\": [false, true], \"sma_slow_window\": {\"step\": 5, \"from\": 10, \"to\": 20},"
                + " \"sma_fast_window\": 3}");
        assertEquals("{\"sma_fast_window\":[3],\"sma_slow_window\":{\"from\":10,\"to\":20,\"step\":5},\"allow_short\":[false,true]}",
                grid.toJson().toString());
        assertEquals(List.of("sma_fast_window", "sma_slow_window", "allow_short"), grid.keys());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not an object       | [1, 2]                                                         | a grid must be a JSON object",
            "empty grid          | {}                                                             | the grid has no keys",
            "unknown key         | {\"sma_fast_window\": [5], \"colour\": [1]}                    | unknown parameter 'colour'",
            "key twice           | {\"sma_fast_window\": [5], \"sma_fast_window\": [6]}           | key 'sma_fast_window' appears twice",
            "key twice in range  | {\"sma_fast_window\": {\"from\": 1, \"from\": 2, \"to\": 3, \"step\": 1}} | key 'from' appears twice",
            "trailing text       | {\"sma_fast_window\": [5]} x                                   | unexpected text after the JSON object at line 1, column 26",
            "malformed           | {\"sma_fast_window\": [5,]                                     | malformed JSON",
            "empty list          | {\"sma_fast_window\": []}                                      | sma_fast_window: an empty list gives no runs",
            "value twice         | {\"sma_fast_window\": [5, 6, 5]}                               | sma_fast_window lists 5 twice",
            "range of a boolean  | {\"allow_short\": {\"from\": 0, \"to\": 1, \"step\": 1}}       | allow_short: a range {\"from\", \"to\", \"step\"} needs a numeric key",
            "range without step  | {\"sma_fast_window\": {\"from\": 1, \"to\": 3}}                | sma_fast_window: a range has exactly the keys from, to and step",
            "range extra key     | {\"sma_fast_window\": {\"from\": 1, \"to\": 3, \"step\": 1, \"by\": 2}} | a range has exactly the keys",
            "decimal int step    | {\"sma_fast_window\": {\"from\": 1, \"to\": 3, \"step\": 0.5}}  | sma_fast_window: range step must be an integer, got 0.5",
            "5.0 for an integer  | {\"sma_fast_window\": {\"from\": 5.0, \"to\": 9, \"step\": 1}}  | sma_fast_window: range from must be an integer, got 5.0",
            "string bound        | {\"slippage_bps\": {\"from\": \"0\", \"to\": 1, \"step\": 1}}   | slippage_bps: range from must be a number, got \"0\"",
            "zero step           | {\"slippage_bps\": {\"from\": 0, \"to\": 1, \"step\": 0}}       | slippage_bps: a range needs step > 0 and from <= to",
            "from above to       | {\"sma_fast_window\": {\"from\": 9, \"to\": 1, \"step\": 1}}   | a range needs step > 0 and from <= to",
    })
    void malformedGridsAreRefusedWithOneLine(String name, String grid, String expected) {
        InvalidParamsException e = assertThrows(InvalidParamsException.class, () -> GridParser.parse(grid));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "window zero         | {\"sma_fast_window\": [0, 5], \"sma_slow_window\": 20}         | sma_fast_window must be an integer from 1 to 1000000, got 0",
            "window not integer  | {\"sma_fast_window\": [5, 2.5], \"sma_slow_window\": 20}       | sma_fast_window must be an integer from 1 to 1000000, got 2.5",
            "symbols not a list  | {\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"symbols\": [\"BTCUSD\"]} | symbols must be a non-empty list of symbols like [\"BTCUSD\"], got \"BTCUSD\"",
            "drawdown too big    | {\"sma_fast_window\": 5, \"sma_slow_window\": 20, \"max_drawdown\": {\"from\": 0.5, \"to\": 1.5, \"step\": 0.5}} | max_drawdown must be a fraction above 0 and at most 1 (e.g. 0.15), got 1.5",
            "missing slow        | {\"sma_fast_window\": [5, 6]}                                  | missing required parameter 'sma_slow_window' (an integer >= 1)",
    })
    void invalidValuesAreErrorsNamingKeyAndValue(String name, String grid, String expected) {
        InvalidParamsException e = assertThrows(InvalidParamsException.class, () -> expand(grid));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void baseParamsAreReadStrictly() {
        assertEquals("unknown parameter 'sma_fast' (known: sma_fast_window, sma_slow_window, sma_confirmation_window,"
                        + " transaction_cost_bps, slippage_bps, bar_interval_seconds, allow_short, symbols, max_drawdown)",
                assertThrows(InvalidParamsException.class, () -> GridParser.parseBase("{\"sma_fast\": 5}")).getMessage());
        assertTrue(assertThrows(InvalidParamsException.class,
                () -> GridParser.parseBase("{\"allow_short\": true, \"allow_short\": false}")).getMessage().contains("appears twice"));
        assertTrue(assertThrows(InvalidParamsException.class, () -> GridParser.parseBase("[]")).getMessage()
                .startsWith("base params must be a JSON object"));
    }
}
