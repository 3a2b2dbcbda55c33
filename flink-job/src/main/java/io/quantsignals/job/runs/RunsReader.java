package io.quantsignals.job.runs;

import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.StrategyRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the runs a job evaluates from {@code strategy_runs}: every active run, or only the one
 * named by {@code --strategy-run-id}. Keeps one connection and reopens it after a failure.
 */
public class RunsReader implements Serializable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunsReader.class);

    private final DatabaseSettings database;
    /** Null: every active run. */
    private final String onlyRunId;
    private final StrategyParamsParser.CostDefaults costDefaults;

    private transient Connection connection;
    /** The last valid params read per run, for a run whose row later stops parsing. */
    private transient Map<String, RunConfig> lastValid;
    private transient Set<String> reported;

    public RunsReader(DatabaseSettings database, String onlyRunId, StrategyParamsParser.CostDefaults costDefaults) {
        this.database = database;
        this.onlyRunId = onlyRunId;
        this.costDefaults = costDefaults;
    }

    /** Whether the job evaluates one run only ({@code --strategy-run-id}). */
    public boolean scoped() {
        return onlyRunId != null;
    }

    /** Whether this job evaluates that run at all. */
    public boolean inScope(String runId) {
        return onlyRunId == null || onlyRunId.equals(runId);
    }

    /**
     * Every active run in scope. A run whose stored params no longer parse (the table was edited by
     * hand) must not stop the job nor hide the other runs: it keeps the last params this reader read
     * for it, or, never read valid, is left out; either way the job's log says so, once per problem.
     */
    public RunsSnapshot readActive() throws SQLException {
        List<RunConfig> runs = new ArrayList<>();
        Map<UUID, String> invalid = new LinkedHashMap<>();
        for (StrategyRun run : store().list(true, invalid::put)) {
            if (inScope(run.id().toString())) {
                RunConfig config = RunConfig.of(run);
                lastValid().put(config.runId, config);
                runs.add(config);
            }
        }
        for (Map.Entry<UUID, String> e : invalid.entrySet()) {
            String runId = e.getKey().toString();
            if (inScope(runId)) {
                RunConfig previous = lastValid().get(runId);
                reportOnce(runId, e.getValue(), previous != null ? "keeping its last valid params" : "not evaluated");
                if (previous != null) {
                    runs.add(previous);
                }
            }
        }
        return new RunsSnapshot(runs, System.currentTimeMillis());
    }

    /** One run by id if it is active, in scope and has valid params. */
    public Optional<RunConfig> readActive(String runId) throws SQLException {
        if (!inScope(runId)) {
            return Optional.empty();
        }
        try {
            return store().find(UUID.fromString(runId)).filter(StrategyRun::active).map(RunConfig::of);
        } catch (RunStore.InvalidStoredParams e) {
            reportOnce(runId, e.getMessage(), "not evaluated");
            return Optional.empty();
        }
    }

    private Map<String, RunConfig> lastValid() {
        if (lastValid == null) {
            lastValid = new HashMap<>();
        }
        return lastValid;
    }

    private void reportOnce(String runId, String problem, String consequence) {
        if (reported == null) {
            reported = new HashSet<>();
        }
        if (reported.add(runId + problem)) {
            LOG.error("run {}: {}; {} until its params are fixed (ops-cli runs update {} --param-file F)",
                    runId, problem, consequence, runId);
        }
    }

    private RunStore store() throws SQLException {
        if (connection == null || connection.isClosed() || !connection.isValid(2)) {
            close();
            connection = database.connect("quant-signals-job");
        }
        return new RunStore(connection, costDefaults);
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being discarded anyway.
            }
            connection = null;
        }
    }
}
