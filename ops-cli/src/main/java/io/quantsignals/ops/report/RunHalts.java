package io.quantsignals.ops.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Whether a risk halt or a kill switch ended a run's trading, from {@code kill_switch_events}
 * (SPEC §4, §5.4 step 8, §8): the banner of {@code runs report} and the warning of {@code runs compare}.
 *
 * <ul>
 *   <li>Risk halt: an {@code ENGAGED}/{@code RISK_LIMIT} row of the run with no
 *       {@code RELEASED}/{@code RISK_LIMIT} row of the run at or after it (a params update lifts a
 *       halt with such a row). One per halt still in force; its reason names the symbol.</li>
 *   <li>Kill switch: the run has a {@code KILL_SWITCH} transition and, at the run's last row (the
 *       latest metric_time or transition event_time), the latest {@code FILE} row of the run's own
 *       switch or of the global one, at or before that time, is {@code ENGAGED}. Comparing with
 *       the last row, not with now, keeps a switch released after the run stopped from hiding why
 *       it stopped, and one engaged later from claiming it. A replay's bars carry history's times
 *       while files carry the wall clock, so there the flatten's own (wall-clock) time is what
 *       puts the engagement within the run.</li>
 * </ul>
 */
final class RunHalts {

    enum Kind { RISK_LIMIT, KILL_SWITCH }

    /**
     * One cause that ended trading.
     *
     * @param scope for a kill switch, {@code run} or {@code global}; for a risk halt, {@code run}
     * @param reason the event's reason text (may be null)
     */
    record Halt(Kind kind, Instant since, String scope, String reason) {
    }

    private RunHalts() {
    }

    /**
     * @param lastRow the run's last row time, null if it has none
     * @param killSwitchTransition whether the run has a KILL_SWITCH transition
     */
    static List<Halt> read(Connection c, UUID runId, Instant lastRow, boolean killSwitchTransition) throws SQLException {
        List<Halt> halts = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement(
                "SELECT e.event_time, e.reason FROM kill_switch_events e"
                        + " WHERE e.strategy_run_id = ? AND e.source = 'RISK_LIMIT' AND e.action = 'ENGAGED'"
                        + " AND NOT EXISTS (SELECT 1 FROM kill_switch_events r WHERE r.strategy_run_id = e.strategy_run_id"
                        + "   AND r.source = 'RISK_LIMIT' AND r.action = 'RELEASED' AND r.event_time >= e.event_time)"
                        + " ORDER BY e.event_time")) {
            query.setObject(1, runId);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    halts.add(new Halt(Kind.RISK_LIMIT, rs.getTimestamp(1).toInstant(), "run", rs.getString(2)));
                }
            }
        }
        if (killSwitchTransition && lastRow != null) {
            // Latest FILE row per scope (the run's, then the global NULL one); at one time RELEASED wins.
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT DISTINCT ON (strategy_run_id) strategy_run_id IS NULL, action, event_time, reason"
                            + " FROM kill_switch_events WHERE source = 'FILE'"
                            + " AND (strategy_run_id = ? OR strategy_run_id IS NULL) AND event_time <= ?"
                            + " ORDER BY strategy_run_id NULLS LAST, event_time DESC, action DESC")) {
                query.setObject(1, runId);
                query.setObject(2, OffsetDateTime.ofInstant(lastRow, ZoneOffset.UTC));
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        if ("ENGAGED".equals(rs.getString(2))) {
                            halts.add(new Halt(Kind.KILL_SWITCH, rs.getTimestamp(3).toInstant(),
                                    rs.getBoolean(1) ? "global" : "run", rs.getString(4)));
                        }
                    }
                }
            }
        }
        return halts;
    }

    /** One line for a person: what ended trading, since when, and why. */
    static String describe(Halt h) {
        String what = h.kind() == Kind.RISK_LIMIT ? "halted by its risk limit"
                : h.scope().equals("global") ? "stopped by the global kill switch" : "stopped by its kill switch";
        return what + " since " + h.since() + (h.reason() == null ? "" : ": " + h.reason());
    }
}
