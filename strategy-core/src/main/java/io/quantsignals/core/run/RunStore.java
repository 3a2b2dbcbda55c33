package io.quantsignals.core.run;

import io.quantsignals.core.params.InvalidParamsException;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.params.StrategyParamsParser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads and writes {@code strategy_runs} and its audit table {@code strategy_run_params_history}.
 * Every statement is parameterised. Writes that touch both tables run in one transaction, so the
 * audit trail can never miss a change or record one that did not happen.
 */
public final class RunStore {

    private static final String COLUMNS =
            "strategy_run_id, strategy, run_type, params::text, created_by, created_at, updated_at, ended_at, sweep_id,"
                    + " (SELECT s.store_metrics FROM strategy_sweeps s WHERE s.sweep_id = strategy_runs.sweep_id)";

    private final Connection connection;
    private final StrategyParamsParser.CostDefaults costDefaults;

    public RunStore(Connection connection) {
        this(connection, StrategyParamsParser.CostDefaults.ZERO);
    }

    /**
     * @param costDefaults applied to stored params that lack the cost keys (rows written by hand;
     *     runs created through this class always store every key)
     */
    public RunStore(Connection connection, StrategyParamsParser.CostDefaults costDefaults) {
        this.connection = connection;
        this.costDefaults = costDefaults;
    }

    /** Inserts a new run and its first history row; returns the stored run. */
    public StrategyRun create(String strategy, RunType runType, StrategyParams params, String createdBy)
            throws SQLException {
        return inTransaction(() -> find(insert(strategy, runType, params, createdBy, null)).orElseThrow());
    }

    /**
     * Inserts a run and its first history row in the caller's transaction; {@code sweepId} null for
     * a run of its own. {@link SweepStore} creates a sweep's runs through here, so a sweep's run is
     * written, and audited, exactly as any other.
     */
    UUID insert(String strategy, RunType runType, StrategyParams params, String createdBy, UUID sweepId)
            throws SQLException {
        UUID id = UUID.randomUUID();
        String json = StrategyParamsParser.toJson(params);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO strategy_runs (strategy_run_id, strategy, run_type, params, created_by, created_at, updated_at,"
                        + " sweep_id) VALUES (?, ?, ?, ?::jsonb, ?, now(), now(), ?)")) {
            insert.setObject(1, id);
            insert.setString(2, strategy);
            insert.setString(3, runType.name());
            insert.setString(4, json);
            insert.setString(5, createdBy);
            insert.setObject(6, sweepId);
            insert.executeUpdate();
        }
        recordHistory(id, json, createdBy);
        return id;
    }

    /** Replaces the parameters of an active run and records the change; false if no active run has that id. */
    public boolean updateParams(UUID id, StrategyParams params, String changedBy) throws SQLException {
        String json = StrategyParamsParser.toJson(params);
        return inTransaction(() -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE strategy_runs SET params = ?::jsonb, updated_at = now()"
                            + " WHERE strategy_run_id = ? AND ended_at IS NULL")) {
                update.setString(1, json);
                update.setObject(2, id);
                if (update.executeUpdate() == 0) {
                    return false;
                }
            }
            recordHistory(id, json, changedBy);
            return true;
        });
    }

    /** Marks an active run as ended; false if no active run has that id. */
    public boolean end(UUID id) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE strategy_runs SET ended_at = now(), updated_at = now()"
                        + " WHERE strategy_run_id = ? AND ended_at IS NULL")) {
            update.setObject(1, id);
            return update.executeUpdate() == 1;
        }
    }

    public Optional<StrategyRun> find(UUID id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM strategy_runs WHERE strategy_run_id = ?")) {
            query.setObject(1, id);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** All runs, or only those not ended, oldest first; a run whose stored params no longer parse fails the call. */
    public List<StrategyRun> list(boolean activeOnly) throws SQLException {
        return list(activeOnly, (id, problem) -> {
            throw new InvalidStoredParams(problem);
        });
    }

    /** A run's stored params that no longer parse: {@code problem} is one line. */
    public interface InvalidRunHandler {
        void onInvalid(UUID id, String problem) throws SQLException;
    }

    /**
     * All runs, or only those not ended, oldest first; a run whose stored params no longer parse
     * (someone edited the table by hand) goes to {@code invalid} instead, so one bad row cannot hide
     * the others.
     */
    public List<StrategyRun> list(boolean activeOnly, InvalidRunHandler invalid) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM strategy_runs"
                + (activeOnly ? " WHERE ended_at IS NULL" : "") + " ORDER BY created_at, strategy_run_id";
        try (PreparedStatement query = connection.prepareStatement(sql); ResultSet rs = query.executeQuery()) {
            List<StrategyRun> runs = new ArrayList<>();
            while (rs.next()) {
                try {
                    runs.add(read(rs));
                } catch (InvalidStoredParams e) {
                    invalid.onInvalid(rs.getObject(1, UUID.class), e.getMessage());
                }
            }
            return runs;
        }
    }

    /**
     * The runs of a sweep, ordered by their params key by key in contract order ({@link
     * StrategyParamsParser#KEYS}; jsonb compares numbers as numbers): a sweep's runs share one
     * created_at, and for a grid of ranges and ascending lists this is the grid's product order.
     */
    public List<StrategyRun> ofSweep(UUID sweepId) throws SQLException {
        StringBuilder order = new StringBuilder();
        for (String key : StrategyParamsParser.KEYS) {
            order.append("params -> '").append(key).append("', ");
        }
        try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM strategy_runs WHERE sweep_id = ? ORDER BY " + order + "strategy_run_id")) {
            query.setObject(1, sweepId);
            try (ResultSet rs = query.executeQuery()) {
                List<StrategyRun> runs = new ArrayList<>();
                while (rs.next()) {
                    runs.add(read(rs));
                }
                return runs;
            }
        }
    }

    /** The run's parameter history, oldest first. */
    public List<ParamsChange> history(UUID id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT changed_at, params::text, changed_by FROM strategy_run_params_history"
                        + " WHERE strategy_run_id = ? ORDER BY changed_at")) {
            query.setObject(1, id);
            try (ResultSet rs = query.executeQuery()) {
                List<ParamsChange> changes = new ArrayList<>();
                while (rs.next()) {
                    changes.add(new ParamsChange(rs.getTimestamp(1).toInstant(), parseStored(rs.getString(2)),
                            rs.getString(3)));
                }
                return changes;
            }
        }
    }

    private void recordHistory(UUID id, String json, String changedBy) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO strategy_run_params_history (strategy_run_id, changed_at, params, changed_by)"
                        + " VALUES (?, now(), ?::jsonb, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, json);
            insert.setString(3, changedBy);
            insert.executeUpdate();
        }
    }

    private StrategyRun read(ResultSet rs) throws SQLException {
        return new StrategyRun(rs.getObject(1, UUID.class), rs.getString(2), RunType.valueOf(rs.getString(3)),
                parseStored(rs.getString(4)), rs.getString(5), instant(rs.getTimestamp(6)),
                instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)), rs.getObject(9, UUID.class),
                rs.getString(10) == null ? null : StoreMetrics.fromDb(rs.getString(10)));
    }

    /** Stored params were validated on the way in; failing here means someone edited the table by hand. */
    private StrategyParams parseStored(String json) throws SQLException {
        try {
            return StrategyParamsParser.parse(json, costDefaults);
        } catch (InvalidParamsException e) {
            throw new InvalidStoredParams("stored params are invalid: " + e.getMessage() + ": " + json);
        }
    }

    /** Stored params that do not parse: a fault of the row, not of the database. */
    public static final class InvalidStoredParams extends SQLException {
        InvalidStoredParams(String message) {
            super(message);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in one transaction on this store's connection; leaves auto-commit as found. */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
