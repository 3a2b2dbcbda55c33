package io.quantsignals.job.runs;

import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.StrategyRun;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the runs a job evaluates from {@code strategy_runs}: every active run, or only the one
 * named by {@code --strategy-run-id}. Keeps one connection and reopens it after a failure.
 */
public class RunsReader implements Serializable, AutoCloseable {

    private final DatabaseSettings database;
    /** Null: every active run. */
    private final String onlyRunId;
    private final StrategyParamsParser.CostDefaults costDefaults;

    private transient Connection connection;

    public RunsReader(DatabaseSettings database, String onlyRunId, StrategyParamsParser.CostDefaults costDefaults) {
        this.database = database;
        this.onlyRunId = onlyRunId;
        this.costDefaults = costDefaults;
    }

    /** Whether this job evaluates that run at all. */
    public boolean inScope(String runId) {
        return onlyRunId == null || onlyRunId.equals(runId);
    }

    public RunsSnapshot readActive() throws SQLException {
        List<RunConfig> runs = new ArrayList<>();
        for (StrategyRun run : store().list(true)) {
            if (inScope(run.id().toString())) {
                runs.add(RunConfig.of(run));
            }
        }
        return new RunsSnapshot(runs, System.currentTimeMillis());
    }

    /** One run by id if it is active and in scope. */
    public Optional<RunConfig> readActive(String runId) throws SQLException {
        if (!inScope(runId)) {
            return Optional.empty();
        }
        return store().find(UUID.fromString(runId)).filter(StrategyRun::active).map(RunConfig::of);
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
