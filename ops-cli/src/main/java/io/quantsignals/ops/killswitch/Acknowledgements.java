package io.quantsignals.ops.killswitch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Whether the running job has seen a kill-switch file: it records an {@code ENGAGED} row with source
 * {@code FILE} for the file's scope whose {@code event_time} is the file's last-modified time (in
 * milliseconds). A row at or after that time acknowledges this file; an older one belongs to an
 * earlier engagement of the same scope.
 */
public final class Acknowledgements {

    private Acknowledgements() {
    }

    /** The {@code event_time} of the job's row for this switch, or null if the job has not recorded it (yet). */
    public static Instant acknowledgedAt(Connection c, EngagedSwitch engaged) throws SQLException {
        String sql = "SELECT min(event_time) FROM kill_switch_events WHERE action = 'ENGAGED' AND source = 'FILE'"
                + " AND event_time >= ? AND "
                + (engaged.runId() == null ? "strategy_run_id IS NULL" : "strategy_run_id = ?");
        try (PreparedStatement query = c.prepareStatement(sql)) {
            query.setObject(1, OffsetDateTime.ofInstant(engaged.modifiedAt(), ZoneOffset.UTC));
            if (engaged.runId() != null) {
                query.setObject(2, engaged.runId());
            }
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                Timestamp at = rs.getTimestamp(1);
                return at == null ? null : at.toInstant();
            }
        }
    }
}
