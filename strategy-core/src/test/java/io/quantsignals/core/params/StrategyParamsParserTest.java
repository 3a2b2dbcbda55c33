package io.quantsignals.core.params;

import io.quantsignals.core.params.StrategyParamsParser.CostDefaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrategyParamsParserTest {

    @Test
    void minimalParamsGetEveryDefault() throws Exception {
        StrategyParams p = StrategyParamsParser.parse("{\"sma_fast_window\": 5, \"sma_slow_window\": 20}",
                new CostDefaults(1.5, 2));
        assertEquals(new StrategyParams(5, 20, 1, 1.5, 2.0, 60, false, null, null), p);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        StrategyParams p = StrategyParamsParser.parse("""
                {"sma_fast_window": 3, "sma_slow_window": 7, "sma_confirmation_window": 2,
                 "transaction_cost_bps": 10, "slippage_bps": 2.5, "bar_interval_seconds": 0,
                 "allow_short": true, "symbols": ["BTCUSD", "ETHUSD"], "max_drawdown": 0.15}""", CostDefaults.ZERO);
        assertEquals(new StrategyParams(3, 7, 2, 10.0, 2.5, 0, true, List.of("BTCUSD", "ETHUSD"), 0.15), p);
    }

    @Test
    void storedFormShowsEveryKeyAndRoundTrips() throws Exception {
        StrategyParams p = StrategyParams.of(5, 20).withCosts(1, 0.5);
        String json = StrategyParamsParser.toJson(p);
        assertEquals("{\"sma_fast_window\":5,\"sma_slow_window\":20,\"sma_confirmation_window\":1,"
                + "\"transaction_cost_bps\":1.0,\"slippage_bps\":0.5,\"bar_interval_seconds\":60,"
                + "\"allow_short\":false,\"symbols\":null,\"max_drawdown\":null}", json);
        assertEquals(p, StrategyParamsParser.parse(json, new CostDefaults(99, 99)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown key            | {\"sma_fast_window\":5,\"sma_slow_window\":20,\"sma_fats\":3}       | unknown parameter 'sma_fats'",
            "fast equal slow        | {\"sma_fast_window\":5,\"sma_slow_window\":5}                       | sma_slow_window (5) must be greater than sma_fast_window (5)",
            "fast above slow        | {\"sma_fast_window\":9,\"sma_slow_window\":5}                       | must be greater than",
            "missing fast           | {\"sma_slow_window\":5}                                             | missing required parameter 'sma_fast_window'",
            "fractional window      | {\"sma_fast_window\":2.5,\"sma_slow_window\":5}                     | sma_fast_window must be an integer",
            "float-typed window     | {\"sma_fast_window\":2.0,\"sma_slow_window\":5}                     | sma_fast_window must be an integer",
            "string window          | {\"sma_fast_window\":\"2\",\"sma_slow_window\":5}                   | sma_fast_window must be an integer",
            "zero window            | {\"sma_fast_window\":0,\"sma_slow_window\":5}                       | sma_fast_window must be an integer from 1",
            "zero confirmation      | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"sma_confirmation_window\":0} | sma_confirmation_window must be an integer from 1",
            "negative bps           | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"transaction_cost_bps\":-1}   | transaction_cost_bps must be a number from 0",
            "string slippage        | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"slippage_bps\":\"1\"}      | slippage_bps must be a number from 0",
            "negative interval      | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"bar_interval_seconds\":-60} | bar_interval_seconds must be an integer from 0",
            "non-boolean short      | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"allow_short\":\"yes\"}     | allow_short must be true or false",
            "empty symbols          | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"symbols\":[]}             | symbols must be a non-empty list",
            "duplicate symbol       | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"symbols\":[\"A\",\"A\"]}  | symbols lists 'A' twice",
            "drawdown above one     | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"max_drawdown\":1.5}       | max_drawdown must be a fraction",
            "zero drawdown          | {\"sma_fast_window\":1,\"sma_slow_window\":5,\"max_drawdown\":0}         | max_drawdown must be a fraction",
            "array instead of object| [1,2]                                                              | parameters must be a JSON object",
            "malformed JSON         | {\"sma_fast_window\":5,                                            | malformed JSON at line 1",
    })
    void invalidParamsAreRejectedWithAOneLineMessage(String name, String json, String expected) {
        InvalidParamsException e = assertThrows(InvalidParamsException.class,
                () -> StrategyParamsParser.parse(json, CostDefaults.ZERO));
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void textAfterTheObjectIsRejected() throws Exception {
        String params = "{\"sma_fast_window\":5,\"sma_slow_window\":20}";
        for (String trailing : List.of(" {\"sma_fast_window\":7}", "\n{}", " garbage", "]", ",", " 5", " \"x\"")) {
            assertInvalid(params + trailing, "unexpected text after the JSON object at line ");
        }
        assertInvalid(params + " garbage", "line 1, column 44");
        // White space after the object is not content.
        assertEquals(5, StrategyParamsParser.parse(params + " \n\t\r\n", CostDefaults.ZERO).smaFastWindow());
    }

    @Test
    void aKeyGivenTwiceIsRejectedRatherThanTheLastWinning() {
        assertInvalid("{\"sma_fast_window\":5,\"sma_slow_window\":20,\"sma_fast_window\":7}",
                "key 'sma_fast_window' appears twice (line 1, column ");
        assertInvalid("{\"sma_fast_window\":5,\"sma_slow_window\":20,\"symbols\":[\"A\"],\"symbols\":null}",
                "key 'symbols' appears twice");
        // Even with equal values: the file is not what its author thinks it is.
        assertInvalid("{\"sma_fast_window\":5,\"sma_fast_window\":5,\"sma_slow_window\":20}", "appears twice");
    }

    @Test
    void everySymbolFollowsTheSymbolRuleOfTheTicks() throws Exception {
        String head = "{\"sma_fast_window\":5,\"sma_slow_window\":20,\"symbols\":[\"BTCUSD\",\"ETHUSD\",";
        assertInvalid(head + "\"BAD\\u0000\"]}", "symbols[2]: symbol contains the control character U+0000");
        assertInvalid(head + "\"\\u001b[31mRED\"]}", "symbols[2]: symbol contains the control character U+001B");
        assertInvalid(head + "\"" + "X".repeat(65) + "\"]}", "symbols[2]: symbol is longer than 64 characters");
        assertInvalid(head + "\" SOLUSD\"]}", "symbols[2]: symbol has leading or trailing white space");
        assertInvalid(head + "\"\"]}", "symbols[2]: symbol is empty");
        assertInvalid(head + "\"\\ud800\"]}", "symbols[2]: symbol contains the unpaired surrogate U+D800");
        assertInvalid(head + "5]}", "symbols[2] must be a string, got 5");
        // The longest symbol a tick may carry is a symbol a run may trade.
        String longest = "Y".repeat(64);
        assertEquals(List.of("BTCUSD", "ETHUSD", longest),
                StrategyParamsParser.parse(head + "\"" + longest + "\"]}", CostDefaults.ZERO).symbols());
    }

    private static void assertInvalid(String json, String expected) {
        InvalidParamsException e = assertThrows(InvalidParamsException.class,
                () -> StrategyParamsParser.parse(json, CostDefaults.ZERO), json);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(Character::isISOControl), "no control character: " + e.getMessage());
    }

    @Test
    void costDefaultsComeFromTheEnvironment() throws Exception {
        CostDefaults d = CostDefaults.fromEnvironment(Map.of("TRANSACTION_COST_BPS", "5", "SLIPPAGE_BPS", " 1.25 "));
        assertEquals(new CostDefaults(5, 1.25), d);
        assertEquals(CostDefaults.ZERO, CostDefaults.fromEnvironment(Map.of()));
        InvalidParamsException e = assertThrows(InvalidParamsException.class,
                () -> CostDefaults.fromEnvironment(Map.of("SLIPPAGE_BPS", "-2")));
        assertTrue(e.getMessage().contains("SLIPPAGE_BPS"));
    }

    @Test
    void nullOptionalsMeanAbsent() throws Exception {
        StrategyParams p = StrategyParamsParser.parse(
                "{\"sma_fast_window\":1,\"sma_slow_window\":2,\"symbols\":null,\"max_drawdown\":null}", CostDefaults.ZERO);
        assertNull(p.symbols());
        assertNull(p.maxDrawdown());
        assertTrue(p.tradesSymbol("ANY"));
    }
}
