package io.quantsignals.job.sink;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.Tick;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.runs.DatabaseSettings;
import io.quantsignals.job.signal.MetricRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CopyBatchWriter} against a real PostgreSQL: a database of its own on the shared embedded
 * server (migrated like the real one), so other test classes' truncates cannot interfere.
 */
class CopyBatchWriterTest {

    private static final PostgresServer POSTGRES = PostgresServer.shared();
    private static final String DATABASE = "copy_batch_writer_test";
    private static DatabaseSettings db;

    private final List<CopyBatchWriter<?>> writers = new ArrayList<>();
    /** The test's own reads, on a connection of its own. */
    private Connection check;
    private final AtomicInteger connects = new AtomicInteger();
    private final String applicationName = "copy-test-" + UUID.randomUUID();

    @BeforeAll
    static void createDatabase() throws SQLException {
        try (Connection admin = admin(); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + PostgresServer.USER);
        }
        db = new DatabaseSettings("jdbc:postgresql://localhost:" + POSTGRES.port() + "/" + DATABASE,
                PostgresServer.USER, null);
        try (Connection c = db.connect("copy-test-migrate")) {
            Migrations.apply(c);
        }
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        check = db.connect("copy-test-check");
        try (Statement s = check.createStatement()) {
            s.execute("TRUNCATE price_ticks, strategy_metrics");
        }
    }

    @AfterEach
    void closeConnections() throws SQLException {
        writers.forEach(CopyBatchWriter::close);
        check.close();
    }

    // ---- values -------------------------------------------------------------------------------

    @Test
    void ticksLandBitExact() throws Exception {
        CopyBatchWriter<Tick> writer = ticksWriter();
        List<Tick> ticks = List.of(
                tick("BTCUSD", 1_767_225_600_123L, 1L, 0.1 + 0.2, "kafka:prices", 1L << 40),
                tick("BTCUSD", 1_767_225_600_123L, 9_999_999_999_999_999L, Double.NaN, "kafka:prices", (1L << 40) + 1),
                tick("ÉTH-€", 946_684_799_999L, 12_345_678_901L, Double.MIN_VALUE, "import", -7),
                tick("X", 0L, 100_000_000L, -0.0, "import", 0),
                tick("Y", 4_102_444_800_001L, 314_159_265L, 1e308, "s", Long.MAX_VALUE));
        ticks.forEach(writer::add);
        assertEquals(5, writer.pendingRows());
        writer.flush();

        assertEquals(0, writer.pendingRows());
        assertCounters(writer, 5, 1, 0, 0);
        assertEquals(ticks.size(), count("price_ticks"));
        for (Tick t : ticks) {
            assertTickStored(t);
        }
    }

    @Test
    void metricsLandBitExact() throws Exception {
        CopyBatchWriter<MetricRecord> writer = metricsWriter();
        String run = UUID.randomUUID().toString();
        List<MetricRecord> rows = List.of(
                metric(run, "BTCUSD", 1_767_225_600_000L, 101.25, null, null, 0, 0.0),
                metric(run, "BTCUSD", 1_767_225_660_000L, Math.PI, 0.1 + 0.2, Math.nextUp(1.0), 1, -0.0),
                metric(run, "ETHUSD", 946_684_799_999L, 1e-300, Double.MIN_VALUE, null, -1, -0.123456789012345678),
                metric(UUID.randomUUID().toString(), "BTCUSD", 1_767_225_600_000L, 7.0, 1e308, -1e-308, 1, 1.0 / 3));
        rows.forEach(writer::add);
        writer.flush();

        assertCounters(writer, 4, 1, 0, 0);
        assertEquals(rows.size(), count("strategy_metrics"));
        for (MetricRecord m : rows) {
            assertMetricStored(m);
        }
    }

    // ---- idempotence ----------------------------------------------------------------------------

    @Test
    void redeliveredBatchIsMergedLatestValueWinsThenBackToFastPath() throws Exception {
        CopyBatchWriter<MetricRecord> writer = metricsWriter();
        String run = UUID.randomUUID().toString();
        List<MetricRecord> first = metricBatch(run, 0, 100, 1.0);
        first.forEach(writer::add);
        writer.flush();
        assertCounters(writer, 100, 1, 0, 0);

        // A restart from a checkpoint re-delivers the same keys; some values differ (e.g. a fixed bug).
        List<MetricRecord> again = metricBatch(run, 0, 100, 2.0);
        again.get(0).smaFast = null;
        again.forEach(writer::add);
        writer.flush();
        assertCounters(writer, 200, 1, 1, 100);
        assertTrue(writer.inMergeMode(), "rows were updated: the next batch may still overlap");
        assertEquals(100, count("strategy_metrics"));
        for (MetricRecord m : again) {
            assertMetricStored(m);
        }

        // The next batch holds only new keys: merged (still in merge mode), and that ends merge mode.
        metricBatch(run, 100, 50, 3.0).forEach(writer::add);
        writer.flush();
        assertCounters(writer, 250, 1, 2, 100);
        assertFalse(writer.inMergeMode());

        List<MetricRecord> fresh = metricBatch(run, 150, 50, 4.0);
        fresh.forEach(writer::add);
        writer.flush();
        assertCounters(writer, 300, 2, 2, 100);
        assertEquals(200, count("strategy_metrics"));
        assertMetricStored(fresh.get(49));
        assertEquals(1, connects.get());
    }

    @Test
    void redeliveredTicksAreMerged() throws Exception {
        CopyBatchWriter<Tick> writer = ticksWriter();
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ticks.add(tick("S" + i % 3, 1_767_225_600_000L + i / 2, 100_000_000L + i, i % 5 == 0 ? Double.NaN : i,
                    "kafka:prices", i));
        }
        ticks.forEach(writer::add);
        writer.flush();
        ticks.get(7).priceScaled = 5;
        ticks.get(8).volume = Double.NaN;
        ticks.get(10).volume = 0.5;
        ticks.forEach(writer::add);
        writer.flush();

        assertCounters(writer, 600, 1, 1, 300);
        assertEquals(300, count("price_ticks"));
        for (Tick t : ticks) {
            assertTickStored(t);
        }
    }

    @Test
    void oneKeyTwiceInABatchKeepsTheLaterRow() throws Exception {
        CopyBatchWriter<MetricRecord> writer = metricsWriter();
        String run = UUID.randomUUID().toString();
        MetricRecord a1 = metric(run, "A", 1_000L, 10.0, 1.0, 2.0, 1, 0.1);
        MetricRecord b = metric(run, "B", 1_000L, 20.0, null, null, 0, 0.2);
        MetricRecord a2 = metric(run, "A", 1_000L, 11.0, null, 3.0, -1, 0.3);
        MetricRecord a3 = metric(run, "A", 1_000L, 12.0, 4.0, null, 0, 0.4);
        for (MetricRecord m : List.of(a1, b, a2, a3)) {
            writer.add(m);
        }
        writer.flush();

        assertEquals(2, count("strategy_metrics"));
        assertMetricStored(a3);
        assertMetricStored(b);
        // Nothing existed before: every key was newly inserted, so the writer is back on the fast path.
        assertCounters(writer, 4, 0, 1, 0);
        assertFalse(writer.inMergeMode());
        writer.add(metric(run, "C", 1_000L, 30.0, null, null, 0, 0.5));
        writer.flush();
        assertCounters(writer, 5, 1, 1, 0);
    }

    @Test
    void batchMixingExistingAndNewKeys() throws Exception {
        CopyBatchWriter<MetricRecord> writer = metricsWriter();
        String run = UUID.randomUUID().toString();
        metricBatch(run, 0, 50, 1.0).forEach(writer::add);
        writer.flush();

        List<MetricRecord> mixed = metricBatch(run, 25, 75, 5.0);
        mixed.forEach(writer::add);
        writer.flush();

        assertCounters(writer, 125, 1, 1, 25);
        assertEquals(100, count("strategy_metrics"));
        assertEquals(100, count("(SELECT DISTINCT strategy_run_id, symbol, metric_time FROM strategy_metrics) k"));
        for (MetricRecord m : metricBatch(run, 0, 25, 1.0)) {
            assertMetricStored(m);
        }
        for (MetricRecord m : mixed) {
            assertMetricStored(m);
        }
    }

    // ---- failures -------------------------------------------------------------------------------

    @Test
    void aRejectedRowFailsTheBatchNamingTheTableAndCommitsNothingOfIt() throws Exception {
        CopyBatchWriter<Tick> writer = ticksWriter();
        writer.add(tick("A", 1_000L, 100_000_000L, 1.0, "s", 1));
        writer.flush();

        writer.add(tick("A", 2_000L, 200_000_000L, 1.0, "s", 2));
        writer.add(tick("A", 3_000L, 0L, 1.0, "s", 3)); // price 0: CHECK (price > 0)
        writer.add(tick("A", 4_000L, 400_000_000L, 1.0, "s", 4));
        IOException e = assertThrows(IOException.class, writer::flush);
        assertTrue(e.getMessage().contains("price_ticks"), e.getMessage());
        assertTrue(e.getMessage().contains("23514"), e.getMessage());
        assertEquals(1, count("price_ticks"));
        assertEquals(0, writer.retries());
        assertEquals(3, writer.pendingRows(), "the failed batch stays buffered");

        // The same in merge mode (entered by a re-delivered row, which updates, so merging goes on).
        // (In the fast path a CHECK is evaluated as COPY reads a row, unique indexes are checked in
        // buffered chunks: the CHECK fails first there, hence a separate batch to reach the merge.)
        CopyBatchWriter<Tick> merging = ticksWriter();
        merging.add(tick("A", 1_000L, 100_000_000L, 2.0, "s", 1));
        merging.flush();
        assertTrue(merging.inMergeMode());
        merging.add(tick("A", 5_000L, -100_000_000L, 1.0, "s", 5));
        merging.add(tick("A", 6_000L, 100_000_000L, 1.0, "s", 6));
        IOException mergeFailure = assertThrows(IOException.class, merging::flush);
        assertTrue(mergeFailure.getMessage().contains("price_ticks"), mergeFailure.getMessage());
        assertTrue(mergeFailure.getMessage().contains("23514"), mergeFailure.getMessage());
        assertCounters(merging, 1, 0, 1, 1);
        assertEquals(1, count("price_ticks"));
        assertEquals(2.0, queryDouble("SELECT volume FROM price_ticks WHERE ingest_seq = 1"));
    }

    @Test
    void aKilledConnectionIsReplacedAndTheBatchWrittenOnce() throws Exception {
        CopyBatchWriter<MetricRecord> writer = metricsWriter();
        String run = UUID.randomUUID().toString();
        metricBatch(run, 0, 100, 1.0).forEach(writer::add);
        writer.flush();
        assertEquals(1, connects.get());

        terminateWriterBackend();
        List<MetricRecord> second = metricBatch(run, 100, 100, 2.0);
        second.forEach(writer::add);
        writer.flush();

        assertEquals(2, connects.get(), "reconnected once");
        assertEquals(1, writer.retries());
        assertCounters(writer, 200, 2, 0, 0);
        assertEquals(200, count("strategy_metrics"));
        assertMetricStored(second.get(99));

        // The same while merging: the staging table is per session, so the new session creates it again.
        writer.forceMergeMode();
        metricBatch(run, 150, 100, 3.0).forEach(writer::add);
        writer.flush();
        assertCounters(writer, 300, 2, 1, 50);
        terminateWriterBackend();
        List<MetricRecord> third = metricBatch(run, 200, 100, 4.0);
        third.forEach(writer::add);
        writer.flush();
        assertEquals(3, connects.get());
        assertCounters(writer, 400, 2, 2, 100);
        assertEquals(300, count("strategy_metrics"));
        for (MetricRecord m : third) {
            assertMetricStored(m);
        }
    }

    @Test
    void givesUpAfterThreeRetriesNamingTheTable() {
        CopyBatchWriter<Tick> writer = track(new CopyBatchWriter<>(() -> {
            connects.incrementAndGet();
            throw new SQLException("Connection refused", "08001");
        }, CopySink.PRICE_TICKS, CopySink::encodeTick));
        writer.add(tick("A", 1_000L, 100_000_000L, 1.0, "s", 1));
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, writer::flush);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("price_ticks") && e.getMessage().contains("3 retries"), e.getMessage());
        assertEquals(4, connects.get());
        assertEquals(3, writer.retries());
        assertTrue(millis >= 2_100, "backoff 100 + 400 + 1600 ms, took " + millis);
    }

    // ---- the Flink adapter ------------------------------------------------------------------------

    @Test
    void copySinkInAFlinkJobIsIdempotentAcrossRuns() throws Exception {
        CopySink<Tick> sink = CopySink.priceTicks(db, 7, Duration.ofMillis(50));
        CopySink<Tick> copy = InstantiationUtil.clone(sink, getClass().getClassLoader());
        assertEquals(CopySink.PRICE_TICKS, copy.table());
        assertNotNull(InstantiationUtil.clone(CopySink.metrics(db, 7, Duration.ofMillis(50)), getClass().getClassLoader()));

        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ticks.add(tick("S" + i % 4, 1_767_225_600_000L + i * 1_000L, 100_000_000L + i, i, "flink", i));
        }
        for (int run = 0; run < 2; run++) { // the second run re-delivers every row, as after a restart
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.fromData(Tick.class, ticks.toArray(Tick[]::new)).sinkTo(copy);
            env.execute("copy sink test " + run);
        }
        assertEquals(100, count("price_ticks"));
        for (Tick t : ticks) {
            assertTickStored(t);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private CopyBatchWriter<Tick> ticksWriter() {
        return track(new CopyBatchWriter<>(this::connect, CopySink.PRICE_TICKS, CopySink::encodeTick));
    }

    private CopyBatchWriter<MetricRecord> metricsWriter() {
        return track(new CopyBatchWriter<>(this::connect, CopySink.METRICS, CopySink::encodeMetric));
    }

    private <T> CopyBatchWriter<T> track(CopyBatchWriter<T> writer) {
        writers.add(writer);
        return writer;
    }

    private Connection connect() throws SQLException {
        connects.incrementAndGet();
        return db.connect(applicationName);
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + POSTGRES.port() + "/postgres",
                "postgres", "postgres");
    }

    /** Ends this test's writer sessions from another connection, as a DBA or a failover would. */
    private void terminateWriterBackend() throws Exception {
        try (Connection admin = admin(); PreparedStatement ps = admin.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "one writer session to end");
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'") > 0) {
            assertTrue(System.nanoTime() < deadline, "the writer's session did not end");
            Thread.sleep(20);
        }
    }

    private static void assertCounters(CopyBatchWriter<?> writer, long rows, long copied, long merged, long updated) {
        assertEquals(List.of(rows, copied, merged, updated),
                List.of(writer.rowsWritten(), writer.batchesCopied(), writer.batchesMerged(), writer.rowsUpdated()),
                "rowsWritten, batchesCopied, batchesMerged, rowsUpdated");
    }

    private static Tick tick(String symbol, long ts, long priceScaled, double volume, String source, long seq) {
        Tick t = new Tick(symbol, ts, priceScaled);
        t.volume = volume;
        t.source = source;
        t.sourceSeq = seq;
        return t;
    }

    private static MetricRecord metric(String run, String symbol, long time, double price, Double smaFast,
                                       Double smaSlow, int position, double base) {
        MetricRecord m = new MetricRecord();
        m.runId = run;
        m.symbol = symbol;
        m.metricTime = time;
        m.price = price;
        m.smaFast = smaFast;
        m.smaSlow = smaSlow;
        m.position = position;
        m.grossReturn = base;
        m.transactionCost = base / 7;
        m.slippageCost = -base / 11;
        m.netReturn = Math.sqrt(Math.abs(base));
        m.cumulativeReturn = Math.exp(base) - 1;
        m.drawdown = -Math.abs(base) / 3;
        return m;
    }

    /** {@code n} rows of one run over two symbols, keys {@code from .. from + n - 1}; values depend on {@code v}. */
    private static List<MetricRecord> metricBatch(String run, int from, int n, double v) {
        List<MetricRecord> rows = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            rows.add(metric(run, i % 2 == 0 ? "BTCUSD" : "ETHUSD", 1_767_225_600_000L + i * 60_000L, v * 100 + i,
                    i < 3 ? null : v + i / 3.0, i < 5 ? null : v - i / 7.0, i % 3 - 1, v * i / 1000.0));
        }
        return rows;
    }

    private void assertTickStored(Tick t) throws SQLException {
        try (PreparedStatement ps = check.prepareStatement("""
                SELECT (extract(epoch FROM event_time) * 1000)::bigint, price, volume, count(*) OVER ()
                FROM price_ticks WHERE symbol = ? AND event_time = to_timestamp(0) + ? * interval '1 millisecond' AND source = ?
                  AND ingest_seq = ?""")) {
            ps.setString(1, t.symbol);
            ps.setLong(2, t.tsMillis);
            ps.setString(3, t.source);
            ps.setLong(4, t.sourceSeq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for " + t);
                assertEquals(t.tsMillis, rs.getLong(1));
                assertBits(ScaledPrice.toDouble(t.priceScaled), rs.getDouble(2), "price of " + t);
                if (t.hasVolume()) {
                    assertBits(t.volume, (Double) rs.getObject(3), "volume of " + t);
                } else {
                    assertNull(rs.getObject(3), "volume of " + t);
                }
                assertEquals(1, rs.getLong(4), "rows for " + t);
            }
        }
    }

    private void assertMetricStored(MetricRecord m) throws SQLException {
        try (PreparedStatement ps = check.prepareStatement("""
                SELECT (extract(epoch FROM metric_time) * 1000)::bigint, price, sma_fast, sma_slow, position,
                       gross_return, transaction_cost, slippage_cost, net_return, cumulative_return, drawdown
                FROM strategy_metrics
                WHERE strategy_run_id = ?::uuid AND symbol = ? AND metric_time = to_timestamp(0) + ? * interval '1 millisecond'""")) {
            ps.setString(1, m.runId);
            ps.setString(2, m.symbol);
            ps.setLong(3, m.metricTime);
            try (ResultSet rs = ps.executeQuery()) {
                String what = m.runId + "/" + m.symbol + "@" + m.metricTime;
                assertTrue(rs.next(), "no row for " + what);
                assertEquals(m.metricTime, rs.getLong(1));
                assertBits(m.price, rs.getDouble(2), "price " + what);
                assertBitsOrNull(m.smaFast, (Double) rs.getObject(3), "sma_fast " + what);
                assertBitsOrNull(m.smaSlow, (Double) rs.getObject(4), "sma_slow " + what);
                assertEquals(m.position, rs.getInt(5), "position " + what);
                assertBits(m.grossReturn, rs.getDouble(6), "gross_return " + what);
                assertBits(m.transactionCost, rs.getDouble(7), "transaction_cost " + what);
                assertBits(m.slippageCost, rs.getDouble(8), "slippage_cost " + what);
                assertBits(m.netReturn, rs.getDouble(9), "net_return " + what);
                assertBits(m.cumulativeReturn, rs.getDouble(10), "cumulative_return " + what);
                assertBits(m.drawdown, rs.getDouble(11), "drawdown " + what);
                assertFalse(rs.next(), "one row for " + what);
            }
        }
    }

    private static void assertBitsOrNull(Double expected, Double actual, String what) {
        if (expected == null) {
            assertNull(actual, what);
        } else {
            assertNotNull(actual, what);
            assertBits(expected, actual, what);
        }
    }

    /** Equal to the last bit (so -0.0 differs from 0.0). */
    private static void assertBits(double expected, double actual, String what) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                what + ": expected " + expected + ", got " + actual);
    }

    private long count(String table) {
        return queryLong("SELECT count(*) FROM " + table);
    }

    private long queryLong(String sql) {
        try (Statement s = check.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private double queryDouble(String sql) throws SQLException {
        try (Statement s = check.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

}
