package io.quantsignals.core.run;

import io.quantsignals.core.params.StrategyParams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads and writes {@code strategy_sweeps}. A sweep's runs are ordinary REPLAY runs in
 * {@code strategy_runs}, each with its params-history row, written through {@link RunStore} in
 * the same transaction as the sweep row: a sweep exists with all its runs or not at all.
 */
public final class SweepStore {

    private static final String COLUMNS = "s.sweep_id, s.strategy, s.grid::text, s.store_metrics, s.created_by,"
            + " s.created_at, (SELECT count(*) FROM strategy_runs r WHERE r.sweep_id = s.sweep_id)";

    private final Connection connection;
    private final RunStore runs;

    public SweepStore(Connection connection) {
        this.connection = connection;
        this.runs = new RunStore(connection);
    }

    /**
     * Inserts the sweep and one REPLAY run per element of {@code params}, in that order.
     *
     * @param grid the normalised grid, JSON text
     */
    public Sweep create(String strategy, String grid, StoreMetrics storeMetrics, String createdBy,
            List<StrategyParams> params) throws SQLException {
        UUID id = UUID.randomUUID();
        return runs.inTransaction(() -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO strategy_sweeps (sweep_id, strategy, grid, store_metrics, created_by, created_at)"
                            + " VALUES (?, ?, ?::jsonb, ?, ?, now())")) {
                insert.setObject(1, id);
                insert.setString(2, strategy);
                insert.setString(3, grid);
                insert.setString(4, storeMetrics.dbValue());
                insert.setString(5, createdBy);
                insert.executeUpdate();
            }
            for (StrategyParams p : params) {
                runs.insert(strategy, RunType.REPLAY, p, createdBy, id);
            }
            return find(id).orElseThrow();
        });
    }

    public Optional<Sweep> find(UUID id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM strategy_sweeps s WHERE s.sweep_id = ?")) {
            query.setObject(1, id);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Every sweep, oldest first. */
    public List<Sweep> list() throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM strategy_sweeps s ORDER BY s.created_at, s.sweep_id");
             ResultSet rs = query.executeQuery()) {
            List<Sweep> sweeps = new ArrayList<>();
            while (rs.next()) {
                sweeps.add(read(rs));
            }
            return sweeps;
        }
    }

    /** The sweep's runs (see {@link RunStore#ofSweep}). */
    public List<StrategyRun> runs(UUID sweepId) throws SQLException {
        return runs.ofSweep(sweepId);
    }

    private static Sweep read(ResultSet rs) throws SQLException {
        return new Sweep(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                StoreMetrics.fromDb(rs.getString(4)), rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getInt(7));
    }
}
