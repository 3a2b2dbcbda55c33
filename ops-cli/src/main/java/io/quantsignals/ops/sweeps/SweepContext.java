package io.quantsignals.ops.sweeps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.cli.TerminalText;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.StrategyRun;
import io.quantsignals.core.run.Sweep;
import io.quantsignals.core.run.SweepStore;
import io.quantsignals.core.run.SweepSummaries;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What {@code sweeps report} and {@code sweeps walk-forward} read first: the sweep, its runs in
 * {@link io.quantsignals.core.run.RunStore#ofSweep} order, the params that differ between them (the
 * grid's varying keys, in §5.1 order), and the span of its summary rows.
 *
 * @param symbol the {@code --symbol} filter, or null
 */
record SweepContext(Sweep sweep, List<StrategyRun> runs, List<ObjectNode> params, List<String> varying,
        SweepSummaries.Span span, String symbol) {

    /** Reads the sweep in the connection's snapshot; an unknown sweep or a symbol it has no rows of is invalid input. */
    static SweepContext read(Connection c, UUID id, String symbol) throws SQLException {
        SweepStore store = new SweepStore(c);
        Sweep sweep = store.find(id).orElseThrow(() -> new InvalidInputException("unknown sweep id " + id));
        List<StrategyRun> runs = store.runs(id);
        List<ObjectNode> params = new ArrayList<>();
        for (StrategyRun run : runs) {
            params.add(StrategyParamsParser.toJsonNode(run.params()));
        }
        List<String> varying = new ArrayList<>();
        for (String key : StrategyParamsParser.KEYS) {
            Set<JsonNode> values = new HashSet<>();
            params.forEach(p -> values.add(p.get(key)));
            if (values.size() > 1) {
                varying.add(key);
            }
        }
        SweepSummaries.Span span = new SweepSummaries(c).span(id, symbol);
        if (symbol != null && span.rows() == 0 && !span.symbols().isEmpty()) {
            throw new InvalidInputException("sweep " + id + " has no summaries of symbol '" + TerminalText.escape(symbol)
                    + "' (its symbols: " + TerminalText.escape(String.join(", ", span.symbols())) + ")");
        }
        return new SweepContext(sweep, runs, params, List.copyOf(varying), span, symbol);
    }

    /** The value of {@code key} in run {@code i}'s stored params, as JSON text ({@code 10}, {@code true}, {@code null}). */
    String paramText(int i, String key) {
        return params.get(i).get(key).toString();
    }

    /** The one-line "no summaries yet" explanation. */
    String noSummaries() {
        String why = switch (sweep.storeMetrics()) {
            case NONE -> "store_metrics none: the job keeps no summaries of this sweep's runs";
            default -> "the job writes them as the sweep is replayed with replay-tool --sweep-id";
        };
        return "sweep " + sweep.id() + " has no summaries yet" + (symbol == null ? "" : " of symbol '"
                + TerminalText.escape(symbol) + "'") + " (" + runs.size() + " runs; " + why + ")";
    }

    /** "all (A, B)" or the one symbol. */
    String symbolsText() {
        return symbol != null ? symbol : "all" + (span.symbols().isEmpty() ? "" : " (" + String.join(", ", span.symbols()) + ")");
    }
}
