package io.quantsignals.ops.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.cli.DatabaseOptions;
import io.quantsignals.cli.Durations;
import io.quantsignals.cli.Messages;
import io.quantsignals.core.config.JdbcUrls;
import io.quantsignals.core.params.StrategyParamsParser;
import io.quantsignals.ops.killswitch.Acknowledgements;
import io.quantsignals.ops.killswitch.EngagedSwitch;
import io.quantsignals.ops.killswitch.KillSwitchFolder;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The checks of {@code ops-cli health}, made in one pass; each adds one or more {@link Finding}s.
 * Nothing here throws for a failed check: a failure is a finding.
 */
final class HealthChecks {

    static final String DATABASE = "database";
    static final String TICKS = "ticks";
    static final String METRICS = "metrics";
    static final String DRAWDOWN = "drawdown";
    static final String RISK_HALT = "risk-halt";
    static final String REJECTED = "rejected-ticks";
    static final String KILL_SWITCH = "kill-switch";
    static final String FLINK_JOB = "flink-job";
    static final String CHECKPOINTS = "checkpoints";

    /** The job's name, and the prefix of its per-run variant ("quant-signals run &lt;id&gt;"). */
    static final String JOB_NAME_PREFIX = "quant-signals";
    static final Duration REJECTED_WINDOW = Duration.ofMinutes(15);
    static final double REJECTED_WARNING_RATE = 0.05;
    static final double REJECTED_CRITICAL_RATE = 0.50;
    /** The job polls the folder every 100 ms; a file it has not recorded after this long means it is not watching. */
    static final Duration KILL_SWITCH_ACK_GRACE = Duration.ofSeconds(5);
    static final double DRAWDOWN_WARNING_FRACTION = 0.8;
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    static final Duration FLINK_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Flink job states passed on the way to RUNNING, within seconds of a submission or of a
     * JobManager fail-over (RECONCILING): a warning, not an outage. Every other state that is not
     * RUNNING (RESTARTING, FAILING, FAILED, CANCELLING, CANCELED, FINISHED, SUSPENDED, or one this
     * code does not know) means no tick is processed: CRITICAL. RESTARTING in particular is CRITICAL
     * even though a single restart is over in seconds: the check cannot tell one restart from a
     * restart loop, and a monitoring system's retries (soft states) absorb a single catch.
     */
    private static final Set<String> STARTING_JOB_STATES = Set.of("INITIALIZING", "CREATED", "RECONCILING");
    /** Globally terminal states: such a job is history once a newer attempt runs (Flink lists them for an hour). */
    private static final Set<String> TERMINAL_JOB_STATES = Set.of("FAILED", "CANCELED", "FINISHED");
    /** Failures (restarts) of a RUNNING job within this window ... */
    static final Duration RESTART_WINDOW = Duration.ofMinutes(15);
    /** ... from this many on are a WARNING: the job keeps failing and recovering, a loop in the making. */
    static final int RESTART_WARNING_COUNT = 2;
    /** Entries asked of the exception history: enough to count a loop, small enough to stay cheap. */
    private static final int EXCEPTION_HISTORY_LIMIT = 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param flinkUrl the REST API's base URL, or null when Flink is not to be checked */
    record Settings(Duration maxTickAge, Duration maxCheckpointAge, URI flinkUrl, KillSwitchFolder killSwitches) {
    }

    private final Settings settings;
    private final Instant now;
    private final List<Finding> findings = new ArrayList<>();

    private HealthChecks(Settings settings, Instant now) {
        this.settings = settings;
        this.now = now;
    }

    static List<Finding> run(Settings settings, DatabaseOptions database) {
        HealthChecks checks = new HealthChecks(settings, Instant.now());
        checks.checkAll(database);
        return List.copyOf(checks.findings);
    }

    private void checkAll(DatabaseOptions database) {
        long started = System.nanoTime();
        Connection connection = null;
        try {
            connection = database.connect();
        } catch (DatabaseOptions.DatabaseUnavailableException e) {
            add(Finding.critical(DATABASE, e.getMessage() + " (tick, run and rejected-tick checks not made)"));
        }
        if (connection != null) {
            try (Connection c = connection) {
                if (databaseAnswers(c, started)) {
                    guarded(TICKS, () -> checkTicks(c));
                    guarded(METRICS, () -> checkRuns(c));
                    guarded(REJECTED, () -> checkRejectedRate(c));
                    checkKillSwitches(c);
                } else {
                    checkKillSwitches(null);
                }
            } catch (SQLException e) {
                // Closing failed: every check has been made already.
            }
        } else {
            checkKillSwitches(null);
        }
        checkFlink();
    }

    private void add(Finding finding) {
        findings.add(finding);
    }

    private interface SqlCheck {
        void run() throws SQLException;
    }

    private void guarded(String check, SqlCheck body) {
        try {
            body.run();
        } catch (SQLException e) {
            add(Finding.unknown(check, "query failed: " + Messages.oneLine(e.getMessage())));
        }
    }

    // ---------------------------------------------------------------- database

    private boolean databaseAnswers(Connection c, long startedNanos) {
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = " + QUERY_TIMEOUT.toMillis());
            try (ResultSet rs = s.executeQuery("SELECT version()")) {
                rs.next();
            }
            long ms = (System.nanoTime() - startedNanos) / 1_000_000;
            String product = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
            add(Finding.ok(DATABASE, "reachable: " + JdbcUrls.redact(c.getMetaData().getURL()) + " (" + product
                    + ", answered in " + ms + " ms)"));
            return true;
        } catch (SQLException e) {
            add(Finding.critical(DATABASE, "connected but a query failed: " + Messages.oneLine(e.getMessage())
                    + " (tick, run and rejected-tick checks not made)"));
            return false;
        }
    }

    // ---------------------------------------------------------------- ticks

    /**
     * The newest tick per symbol, found with a loose index scan over {@code (symbol, event_time, ...)}
     * so it costs one index probe per symbol however long the history is. A symbol whose newest
     * tick was imported ({@code source 'import:...'}) has no live feed and is not judged: imported
     * history must not keep the check in WARNING forever.
     */
    private void checkTicks(Connection c) throws SQLException {
        String sql = """
                WITH RECURSIVE symbols AS (
                    (SELECT symbol FROM price_ticks ORDER BY symbol LIMIT 1)
                    UNION ALL
                    SELECT (SELECT p.symbol FROM price_ticks p WHERE p.symbol > s.symbol ORDER BY p.symbol LIMIT 1)
                    FROM symbols s WHERE s.symbol IS NOT NULL)
                SELECT latest.symbol, latest.event_time, latest.source
                FROM symbols s CROSS JOIN LATERAL (
                    SELECT p.symbol, p.event_time, p.source FROM price_ticks p WHERE p.symbol = s.symbol
                    ORDER BY p.event_time DESC, p.source DESC, p.ingest_seq DESC LIMIT 1) latest
                WHERE s.symbol IS NOT NULL
                ORDER BY latest.symbol""";
        int live = 0;
        int importedOnly = 0;
        Duration oldest = Duration.ZERO;
        String oldestSymbol = null;
        List<Finding> stale = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String symbol = rs.getString(1);
                Instant time = rs.getTimestamp(2).toInstant();
                if (rs.getString(3).startsWith("import:")) {
                    importedOnly++;
                    continue;
                }
                live++;
                Duration age = Duration.between(time, now);
                if (oldestSymbol == null || age.compareTo(oldest) > 0) {
                    oldest = age;
                    oldestSymbol = symbol;
                }
                if (age.compareTo(settings.maxTickAge()) > 0) {
                    stale.add(Finding.warning(TICKS, symbol + ": newest tick is " + Durations.format(age)
                            + " old (at " + time + "; max " + Durations.format(settings.maxTickAge()) + ")"));
                }
            }
        }
        if (live == 0) {
            add(Finding.warning(TICKS, "no ticks" + (importedOnly == 0 ? " in price_ticks"
                    : " from the live feed (" + importedOnly + " symbol" + plural(importedOnly) + " with imported history only)")));
            return;
        }
        if (stale.isEmpty()) {
            add(Finding.ok(TICKS, live + " symbol" + plural(live) + " fresh (stalest " + oldestSymbol + ", "
                    + Durations.format(oldest) + " old; max " + Durations.format(settings.maxTickAge()) + ")"));
        }
        stale.forEach(this::add);
    }

    // ---------------------------------------------------------------- runs

    private record ActiveRun(UUID id, String runType, long barIntervalSeconds, Double maxDrawdown, Instant createdAt,
                             Instant lastParamsChange) {
    }

    private record LatestMetric(String symbol, Instant time, double drawdown) {
    }

    private void checkRuns(Connection c) throws SQLException {
        List<ActiveRun> runs = activeRuns(c);
        if (runs.isEmpty()) {
            add(Finding.ok(METRICS, "no active LIVE or PAPER run"));
            return;
        }
        for (ActiveRun run : runs) {
            List<LatestMetric> latest = latestMetrics(c, run.id());
            checkMetricFreshness(run, latest);
            checkDrawdown(run, latest);
            checkRiskHalt(c, run);
        }
    }

    private List<ActiveRun> activeRuns(Connection c) throws SQLException {
        String sql = """
                SELECT r.strategy_run_id, r.run_type, r.params::text, r.created_at,
                       coalesce((SELECT max(h.changed_at) FROM strategy_run_params_history h
                                 WHERE h.strategy_run_id = r.strategy_run_id), r.updated_at)
                FROM strategy_runs r
                WHERE r.ended_at IS NULL AND r.run_type IN ('LIVE', 'PAPER')
                ORDER BY r.created_at, r.strategy_run_id""";
        List<ActiveRun> runs = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                JsonNode params;
                try {
                    params = JSON.readTree(rs.getString(3));
                } catch (IOException e) {
                    params = JSON.createObjectNode();
                }
                JsonNode interval = params.path(StrategyParamsParser.BAR_INTERVAL_SECONDS);
                JsonNode limit = params.path(StrategyParamsParser.MAX_DRAWDOWN);
                runs.add(new ActiveRun(rs.getObject(1, UUID.class), rs.getString(2),
                        interval.canConvertToLong() ? interval.asLong() : 60,
                        limit.isNumber() ? limit.doubleValue() : null,
                        rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant()));
            }
        }
        return runs;
    }

    /** The latest metric row of each symbol of a run (loose index scan over the primary key). */
    private static List<LatestMetric> latestMetrics(Connection c, UUID run) throws SQLException {
        String sql = """
                WITH RECURSIVE symbols AS (
                    (SELECT symbol FROM strategy_metrics WHERE strategy_run_id = ? ORDER BY symbol LIMIT 1)
                    UNION ALL
                    SELECT (SELECT m.symbol FROM strategy_metrics m
                            WHERE m.strategy_run_id = ? AND m.symbol > s.symbol ORDER BY m.symbol LIMIT 1)
                    FROM symbols s WHERE s.symbol IS NOT NULL)
                SELECT latest.symbol, latest.metric_time, latest.drawdown
                FROM symbols s CROSS JOIN LATERAL (
                    SELECT m.symbol, m.metric_time, m.drawdown FROM strategy_metrics m
                    WHERE m.strategy_run_id = ? AND m.symbol = s.symbol ORDER BY m.metric_time DESC LIMIT 1) latest
                WHERE s.symbol IS NOT NULL
                ORDER BY latest.symbol""";
        List<LatestMetric> rows = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement(sql)) {
            query.setObject(1, run);
            query.setObject(2, run);
            query.setObject(3, run);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    rows.add(new LatestMetric(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getDouble(3)));
                }
            }
        }
        return rows;
    }

    /**
     * A bar's row is written once the watermark passes the bar's end, and its {@code metric_time} is the
     * bar's start: the newest row of a healthy run is about one bar interval plus the tick lag old.
     * Allowed: 2 x max-tick-age + the bar interval.
     */
    private void checkMetricFreshness(ActiveRun run, List<LatestMetric> latest) {
        Duration allowed = settings.maxTickAge().multipliedBy(2).plusSeconds(run.barIntervalSeconds());
        String label = "run " + run.id() + " (" + run.runType() + ")";
        String rule = "max " + Durations.format(allowed) + " = 2 x max-tick-age + bar interval "
                + run.barIntervalSeconds() + "s";
        if (latest.isEmpty()) {
            Duration age = Duration.between(run.createdAt(), now);
            if (age.compareTo(allowed) <= 0) {
                add(Finding.ok(METRICS, label + ": no metric rows yet (created " + Durations.format(age) + " ago)"));
            } else {
                add(Finding.warning(METRICS, label + ": no metric rows since it was created " + Durations.format(age)
                        + " ago (" + rule + ")"));
            }
            return;
        }
        LatestMetric newest = latest.stream().max(Comparator.comparing(LatestMetric::time)).orElseThrow();
        Duration age = Duration.between(newest.time(), now);
        if (age.compareTo(allowed) > 0) {
            add(Finding.warning(METRICS, label + ": newest metric row is " + Durations.format(age) + " old (bar "
                    + newest.time() + ", " + newest.symbol() + "; " + rule + ")"));
        } else {
            add(Finding.ok(METRICS, label + ": newest metric row " + Durations.format(age) + " old ("
                    + latest.size() + " symbol" + plural(latest.size()) + ")"));
        }
    }

    /** The current drawdown of each symbol (its latest row) against the run's max_drawdown (SPEC §5 step 8). */
    private void checkDrawdown(ActiveRun run, List<LatestMetric> latest) {
        Double limit = run.maxDrawdown();
        if (limit == null || latest.isEmpty()) {
            return;
        }
        List<LatestMetric> beyond = new ArrayList<>();
        List<LatestMetric> near = new ArrayList<>();
        LatestMetric worst = null;
        for (LatestMetric m : latest) {
            if (m.drawdown() < -limit) {
                beyond.add(m);
            } else if (m.drawdown() <= -DRAWDOWN_WARNING_FRACTION * limit) {
                near.add(m);
            }
            if (worst == null || m.drawdown() < worst.drawdown()) {
                worst = m;
            }
        }
        String label = "run " + run.id();
        String limitText = "max_drawdown " + percent(limit);
        if (!beyond.isEmpty()) {
            add(Finding.critical(DRAWDOWN, label + ": drawdown beyond " + limitText + " on " + describe(beyond)));
        } else if (!near.isEmpty()) {
            add(Finding.warning(DRAWDOWN, label + ": drawdown within " + Math.round(DRAWDOWN_WARNING_FRACTION * 100)
                    + "% of " + limitText + " on " + describe(near)));
        } else {
            add(Finding.ok(DRAWDOWN, label + ": worst drawdown " + percent(-worst.drawdown()) + " (" + worst.symbol()
                    + "), " + limitText));
        }
    }

    private static String describe(List<LatestMetric> metrics) {
        List<String> parts = new ArrayList<>();
        for (LatestMetric m : metrics) {
            parts.add(m.symbol() + " " + percent(-m.drawdown()) + " at " + m.time());
        }
        return String.join(", ", parts);
    }

    /**
     * A symbol halted by the risk limit: an ENGAGED/RISK_LIMIT row newer than the run's last params
     * change (an update lifts every halt of the run, SPEC §5 step 8). The row's time is the bar's
     * event time, so this is exact for live ticks; the drawdown check catches a halt on history.
     */
    private void checkRiskHalt(Connection c, ActiveRun run) throws SQLException {
        String sql = "SELECT event_time, reason FROM kill_switch_events WHERE strategy_run_id = ?"
                + " AND action = 'ENGAGED' AND source = 'RISK_LIMIT' AND event_time > ? ORDER BY event_time DESC";
        int halts = 0;
        Instant latestAt = null;
        String latestReason = null;
        try (PreparedStatement query = c.prepareStatement(sql)) {
            query.setObject(1, run.id());
            query.setObject(2, OffsetDateTime.ofInstant(run.lastParamsChange(), ZoneOffset.UTC));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    if (halts++ == 0) {
                        latestAt = rs.getTimestamp(1).toInstant();
                        latestReason = rs.getString(2);
                    }
                }
            }
        }
        if (halts > 0) {
            add(Finding.warning(RISK_HALT, "run " + run.id() + ": halted by its risk limit (" + halts + " halt"
                    + plural(halts) + " since its params changed at " + run.lastParamsChange() + "; latest at "
                    + latestAt + ": " + Messages.oneLine(latestReason) + ")"));
        }
    }

    // ---------------------------------------------------------------- rejected ticks

    private void checkRejectedRate(Connection c) throws SQLException {
        Instant since = now.minus(REJECTED_WINDOW);
        long rejected;
        long accepted;
        try (PreparedStatement query = c.prepareStatement(
                "SELECT (SELECT count(*) FROM rejected_ticks WHERE received_at >= ?),"
                        + " (SELECT count(*) FROM price_ticks WHERE event_time >= ? AND source NOT LIKE 'import:%')")) {
            OffsetDateTime from = OffsetDateTime.ofInstant(since, ZoneOffset.UTC);
            query.setObject(1, from);
            query.setObject(2, from);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                rejected = rs.getLong(1);
                accepted = rs.getLong(2);
            }
        }
        long total = rejected + accepted;
        String window = "in the last " + Durations.format(REJECTED_WINDOW);
        if (total == 0) {
            add(Finding.ok(REJECTED, "no ticks received " + window));
            return;
        }
        double rate = (double) rejected / total;
        String message = String.format(Locale.ROOT, "%.1f%% of ticks rejected %s (%d rejected, %d stored)",
                rate * 100, window, rejected, accepted);
        if (rate > REJECTED_CRITICAL_RATE) {
            add(Finding.critical(REJECTED, message + "; critical above " + percent(REJECTED_CRITICAL_RATE)));
        } else if (rate > REJECTED_WARNING_RATE) {
            add(Finding.warning(REJECTED, message + "; warning above " + percent(REJECTED_WARNING_RATE)));
        } else {
            add(Finding.ok(REJECTED, message));
        }
    }

    // ---------------------------------------------------------------- kill switches

    /**
     * Every engaged switch is a WARNING (trading is stopped, on purpose); one the job has not recorded
     * within {@link #KILL_SWITCH_ACK_GRACE} is CRITICAL: the operator believes trading is stopped and
     * the job is not watching. {@code c} null: the database is down and acknowledgement unknown.
     */
    private void checkKillSwitches(Connection c) {
        KillSwitchFolder folder = settings.killSwitches();
        KillSwitchFolder.Listing listing;
        try {
            listing = folder.list();
        } catch (IOException | RuntimeException e) {
            add(Finding.unknown(KILL_SWITCH, "cannot read folder " + folder.dir() + ": " + e.getClass().getSimpleName()
                    + " " + Messages.oneLine(e.getMessage())));
            return;
        }
        if (listing.engaged().isEmpty()) {
            add(Finding.ok(KILL_SWITCH, "none engaged (" + folder.dir()
                    + (listing.folderExists() ? ")" : " does not exist)")));
        }
        for (EngagedSwitch s : listing.engaged()) {
            String what = "kill switch for " + s.scopeDescription() + " engaged since " + s.since() + " by "
                    + orDash(s.createdBy()) + " (reason: " + orDash(s.reason()) + ")";
            if (c == null) {
                add(Finding.warning(KILL_SWITCH, what + "; acknowledgement by the job unknown (database unreachable)"));
                continue;
            }
            Instant acknowledgedAt;
            try {
                acknowledgedAt = Acknowledgements.acknowledgedAt(c, s);
            } catch (SQLException e) {
                add(Finding.warning(KILL_SWITCH, what + "; acknowledgement by the job unknown (query failed: "
                        + Messages.oneLine(e.getMessage()) + ")"));
                continue;
            }
            Duration present = Duration.between(s.modifiedAt(), now);
            if (acknowledgedAt != null) {
                add(Finding.warning(KILL_SWITCH, "trading stopped by " + what + "; acknowledged by the job"));
            } else if (present.compareTo(KILL_SWITCH_ACK_GRACE) > 0) {
                add(Finding.critical(KILL_SWITCH, what + " NOT acknowledged by the job after "
                        + Durations.format(present) + " (no ENGAGED/FILE row in kill_switch_events): is the job running"
                        + " and watching " + folder.dir() + "?"));
            } else {
                add(Finding.warning(KILL_SWITCH, what + "; written " + Durations.format(present)
                        + " ago, waiting for the job to acknowledge it"));
            }
        }
        for (String name : listing.ignored()) {
            add(Finding.warning(KILL_SWITCH, folder.dir().resolve(name) + " is ignored by the job: only KILL_SWITCH"
                    + " and KILL_SWITCH.<run-id> are kill switches"));
        }
    }

    // ---------------------------------------------------------------- Flink

    /**
     * The job is RUNNING according to the REST API ({@code GET /jobs/overview}), and each running
     * quant-signals job has completed a checkpoint recently ({@code GET /jobs/<jid>/checkpoints},
     * {@code latest.completed.latest_ack_timestamp}). A REST API that cannot be asked is UNKNOWN, not
     * CRITICAL: the job's state is not known (the monitoring host may simply not reach the JobManager),
     * and a job that is really down also shows in the database checks (stale metric rows, kill switches
     * not acknowledged: CRITICAL). A reachable REST API without a running quant-signals job is CRITICAL.
     */
    private void checkFlink() {
        URI url = settings.flinkUrl();
        if (url == null) {
            return;
        }
        FlinkRest rest = new FlinkRest(url, FLINK_TIMEOUT);
        JsonNode overview;
        try {
            overview = rest.get("/jobs/overview");
        } catch (FlinkRest.FlinkRestException e) {
            add(Finding.unknown(FLINK_JOB, "cannot ask the Flink REST API: " + e.getMessage()
                    + " (set --flink-url or FLINK_URL; none skips the Flink checks)"));
            return;
        }
        JsonNode jobs = overview.path("jobs");
        if (!jobs.isArray()) {
            add(Finding.unknown(FLINK_JOB, rest.base() + "/jobs/overview has no 'jobs' array: is this a Flink JobManager?"));
            return;
        }
        List<JsonNode> ours = new ArrayList<>();
        for (JsonNode job : jobs) {
            if (job.path("name").asText("").startsWith(JOB_NAME_PREFIX)) {
                ours.add(job);
            }
        }
        List<JsonNode> running = ours.stream().filter(j -> "RUNNING".equals(j.path("state").asText())).toList();
        // A job not RUNNING and not terminal is the current attempt of that job (e.g. a per-run job
        // restarting in a loop next to a healthy main job): always a finding.
        List<JsonNode> stuck = ours.stream().filter(j -> !"RUNNING".equals(j.path("state").asText())
                && !TERMINAL_JOB_STATES.contains(j.path("state").asText())).toList();
        if (running.isEmpty() && stuck.isEmpty()) {
            if (ours.isEmpty()) {
                add(Finding.critical(FLINK_JOB, "no " + JOB_NAME_PREFIX + " job on " + rest.base() + " ("
                        + jobs.size() + " other job" + plural(jobs.size()) + ")"));
                return;
            }
            stuck = List.of(ours.stream().max(Comparator.comparingLong(j -> j.path("start-time").asLong())).orElseThrow());
        }
        for (JsonNode job : stuck) {
            String state = job.path("state").asText("?");
            if (STARTING_JOB_STATES.contains(state)) {
                add(Finding.warning(FLINK_JOB, "job " + jobLabel(job) + " is " + state + ", not RUNNING yet (starting)"));
            } else {
                Failures failures = recentFailures(rest, job);
                String why = failures == null || failures.latest() == null ? ""
                        : failures.inWindow() > 0 ? "; failed " + failures.describe()
                        : "; latest failure at " + failures.latestAt() + ": " + failures.latest();
                add(Finding.critical(FLINK_JOB, "job " + jobLabel(job) + " is " + state + ", not RUNNING: no ticks are"
                        + " processed" + why));
            }
        }
        for (JsonNode job : running) {
            long start = job.path("start-time").asLong(0);
            String label = "job " + jobLabel(job) + " RUNNING"
                    + (start > 0 ? " for " + Durations.format(Duration.between(Instant.ofEpochMilli(start), now)) : "");
            Failures failures = recentFailures(rest, job);
            if (failures != null && failures.inWindow() >= RESTART_WARNING_COUNT) {
                add(Finding.warning(FLINK_JOB, label + " but failed and restarted " + failures.describe()));
            } else {
                add(Finding.ok(FLINK_JOB, label));
            }
            checkCheckpoints(rest, job);
        }
    }

    /**
     * The failures in a job's exception history ({@code GET /jobs/<jid>/exceptions}, Flink 1.13+; an
     * entry per failure that made the job restart, newest first) within {@link #RESTART_WINDOW}.
     *
     * @param inWindow entries within the window ({@code atLeast}: the history was cut off, there may be more)
     * @param latest the newest entry's first line, null if the history is empty
     */
    private record Failures(int inWindow, boolean atLeast, Instant latestAt, String latest) {
        String describe() {
            return (atLeast ? "at least " : "") + inWindow + " time" + plural(inWindow) + " in the last "
                    + Durations.format(RESTART_WINDOW) + (latest == null ? "" : " (latest at " + latestAt + ": " + latest + ")");
        }
    }

    /** Null when the REST API does not give the history: it only adds detail, so no finding of its own. */
    private Failures recentFailures(FlinkRest rest, JsonNode job) {
        JsonNode history;
        try {
            history = rest.get("/jobs/" + job.path("jid").asText() + "/exceptions?maxExceptions=" + EXCEPTION_HISTORY_LIMIT)
                    .path("exceptionHistory");
        } catch (FlinkRest.FlinkRestException e) {
            return null;
        }
        JsonNode entries = history.path("entries");
        if (!entries.isArray()) {
            return null;
        }
        Instant since = now.minus(RESTART_WINDOW);
        int inWindow = 0;
        JsonNode newest = null;
        for (JsonNode entry : entries) {
            long at = entry.path("timestamp").asLong(0);
            if (newest == null || at > newest.path("timestamp").asLong(0)) {
                newest = entry;
            }
            if (at > 0 && !Instant.ofEpochMilli(at).isBefore(since)) {
                inWindow++;
            }
        }
        if (newest == null) {
            return new Failures(0, false, null, null);
        }
        String trace = newest.path("stacktrace").asText("");
        String first = trace.isBlank() ? newest.path("exceptionName").asText("?") : trace.strip().lines().findFirst().orElse("");
        if (first.length() > 200) {
            first = first.substring(0, 200) + "...";
        }
        boolean cutOff = history.path("truncated").asBoolean(false) && inWindow == entries.size();
        return new Failures(inWindow, cutOff, Instant.ofEpochMilli(newest.path("timestamp").asLong(0)),
                Messages.oneLine(first));
    }

    private void checkCheckpoints(FlinkRest rest, JsonNode job) {
        String jid = job.path("jid").asText();
        String label = "job " + jobLabel(job);
        JsonNode stats;
        try {
            stats = rest.get("/jobs/" + jid + "/checkpoints");
        } catch (FlinkRest.FlinkRestException e) {
            // Flink answers 404 "Checkpointing has not been enabled." for a job without checkpoints.
            add(e.httpStatus() == 404
                    ? Finding.warning(CHECKPOINTS, label + ": no checkpoint statistics (" + e.getMessage() + ")")
                    : Finding.unknown(CHECKPOINTS, label + ": cannot ask the Flink REST API: " + e.getMessage()));
            return;
        }
        JsonNode completed = stats.path("latest").path("completed");
        long ackMillis = completed.path("latest_ack_timestamp").asLong(0);
        long failed = stats.path("counts").path("failed").asLong(0);
        String failures = failed > 0 ? "; " + failed + " failed checkpoint" + plural((int) Math.min(failed, 2)) : "";
        String max = "max " + Durations.format(settings.maxCheckpointAge());
        if (ackMillis <= 0) {
            long start = job.path("start-time").asLong(0);
            Duration running = start > 0 ? Duration.between(Instant.ofEpochMilli(start), now) : null;
            if (running != null && running.compareTo(settings.maxCheckpointAge()) <= 0) {
                add(Finding.ok(CHECKPOINTS, label + ": no completed checkpoint yet (started "
                        + Durations.format(running) + " ago; " + max + ")" + failures));
            } else {
                add(Finding.warning(CHECKPOINTS, label + ": no completed checkpoint"
                        + (running == null ? "" : " in the " + Durations.format(running) + " since it started")
                        + " (" + max + ")" + failures));
            }
            return;
        }
        Duration age = Duration.between(Instant.ofEpochMilli(ackMillis), now);
        String which = "latest completed checkpoint" + (completed.has("id") ? " #" + completed.path("id").asLong() : "");
        if (age.compareTo(settings.maxCheckpointAge()) > 0) {
            add(Finding.warning(CHECKPOINTS, label + ": " + which + " is " + Durations.format(age) + " old ("
                    + max + ")" + failures));
        } else {
            add(Finding.ok(CHECKPOINTS, label + ": " + which + " " + Durations.format(age) + " ago" + failures));
        }
    }

    private static String jobLabel(JsonNode job) {
        return "'" + job.path("name").asText() + "' (" + job.path("jid").asText() + ")";
    }

    // ---------------------------------------------------------------- text

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100).replace(".00%", "%");
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }

    private static String orDash(String text) {
        return text == null || text.isBlank() ? "-" : text;
    }
}
