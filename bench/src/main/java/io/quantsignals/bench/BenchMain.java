package io.quantsignals.bench;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.QuantSignalsJob;
import io.quantsignals.job.sink.JobSinks;
import io.quantsignals.job.sink.PostgresSinks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The benchmark of issue 3, in one JVM: an embedded Kafka broker and PostgreSQL, a topic of N
 * ticks, then a warm-up round and {@code --rounds} measured rounds of
 * <ul>
 *   <li>(a) a plain KafkaConsumer polling and parsing the topic,</li>
 *   <li>(b) the job's signal pipeline with 60 s bars over the topic (real PostgresSinks, {@code --no-tick-archive}),</li>
 *   <li>(c) the same with tick bars (bar_interval_seconds = 0: a metrics row per tick),</li>
 *   <li>(b+) and (c+): the whole job, its tick archive (a price_ticks row per tick) included,</li>
 *   <li>(d) COPY of N strategy_metrics rows,</li>
 * </ul>
 * plus, unless {@code --skip-alt}, variants that locate the cost (tick bars without database
 * writes; with the JDBC connector's upserts; the job's COPY writer and its merge path alone; the
 * JDBC upsert alone), and (e) the keyed state per (run, symbol) over 10,000 keys. See bench/README.md.
 */
public final class BenchMain {

    private static final String USAGE = """
            usage: BenchMain [--ticks N] [--symbols N] [--rounds N] [--parallelism N] [--skip-c] [--skip-alt]
                             [--skip-state] [--state-keys N] [--seed N]
              --ticks N        ticks in the topic (default 2000000)
              --symbols N      symbols (default 100)
              --rounds N       measured rounds after one warm-up round (default 3)
              --parallelism N  job parallelism = MiniCluster slots (default 2)
              --skip-c         skip the DB-bound tick-bar job runs (c)
              --skip-alt       skip the diagnostic variants (c', c", d*, d', d")
              --skip-state     skip the state-size measurement (e)
              --state-keys N   (run, symbol) keys for (e) (default 10000)
              --only LIST      run only these of a,b,b+,c,c+,c',c",d,d*,d',d" (e.g. to profile one of them)
            """;

    private long ticks = 2_000_000;
    private int symbols = 100;
    private int rounds = 3;
    private int parallelism = 2;
    private boolean skipC;
    private boolean skipAlt;
    private boolean skipState;
    /** Null: every measure the skip options leave. */
    private Set<String> only;
    private int stateKeys = 10_000;
    private long seed = 42;

    private KafkaBroker kafka;
    private PostgresServer postgres;
    private Path workDir;

    public static void main(String[] args) throws Exception {
        BenchMain bench = new BenchMain();
        try {
            bench.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("BenchMain: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        try {
            bench.run();
        } finally {
            bench.shutdown();
        }
        // Kafka, Flink and PostgreSQL leave non-daemon threads behind.
        System.exit(0);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--ticks" -> ticks = Long.parseLong(value(args, ++i, a));
                case "--symbols" -> symbols = Integer.parseInt(value(args, ++i, a));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--parallelism" -> parallelism = Integer.parseInt(value(args, ++i, a));
                case "--state-keys" -> stateKeys = Integer.parseInt(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--skip-c" -> skipC = true;
                case "--skip-alt" -> skipAlt = true;
                case "--skip-state" -> skipState = true;
                case "--only" -> only = Set.of(value(args, ++i, a).split(","));
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (ticks < 1 || ticks > Integer.MAX_VALUE || symbols < 1 || symbols > 1000 || rounds < 1 || parallelism < 1
                || stateKeys < 1) {
            throw new IllegalArgumentException("--ticks, --symbols (<= 1000), --rounds, --parallelism and --state-keys must be positive");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private void run() throws Exception {
        out("Quant Signals benchmark: %,d ticks, %d symbols, %d measured round(s) after 1 warm-up, parallelism %d",
                ticks, symbols, rounds, parallelism);
        out("machine: %s", Machine.describe());
        out("load average at start: %s", Machine.load());
        workDir = Files.createTempDirectory("quant-bench-");
        Path killSwitchDir = Files.createDirectories(workDir.resolve("kill-switch"));

        long t0 = System.nanoTime();
        kafka = KafkaBroker.start(0, null);
        double kafkaUp = secondsSince(t0);
        t0 = System.nanoTime();
        postgres = PostgresServer.start(0, null);
        try (Connection c = postgres.connect()) {
            Migrations.apply(c);
        }
        double postgresUp = secondsSince(t0);
        out("embedded Kafka up in %.1f s, PostgreSQL up and migrated in %.1f s", kafkaUp, postgresUp);

        String topic = "bench-ticks";
        kafka.createTopic(topic, 2);
        Ticks.Produced produced = Ticks.produce(kafka.bootstrapServers(), topic, ticks, symbols, seed);
        out("produced %,d ticks (%.1f bytes of JSON on average) in %.1f s: %,.0f msg/s (lz4, linger 20 ms, 2 partitions)",
                produced.count(), produced.averageBytes(), produced.seconds(), produced.count() / produced.seconds());

        StrategyParams minuteBars = new StrategyParams(10, 30, 2, 5.0, 2.5, 60, true, null, null);
        StrategyParams tickBars = minuteBars.withBarIntervalSeconds(0);
        UUID minuteRun = createRun(minuteBars);
        UUID tickRun = createRun(tickBars);
        long expectedMinuteBars = countMinuteBars();
        out("runs: (b) %s PAPER, 60 s bars, all symbols -> %,d bar rows expected; (c) %s PAPER, tick bars -> %,d rows",
                minuteRun, expectedMinuteBars, tickRun, ticks);

        t0 = System.nanoTime();
        MetricRows metricRows = new MetricRows((int) ticks, symbols, seed, tickBars, tickRun.toString());
        out("computed the %,d strategy_metrics rows of (c) with the pure strategy in %.1f s (for (d))",
                metricRows.size, secondsSince(t0));
        DbBench db = new DbBench(postgres);

        AtomicReference<String> minuteRef = new AtomicReference<>();
        AtomicReference<String> tickRef = new AtomicReference<>();
        AtomicReference<String> archiveRef = new AtomicReference<>();
        Map<String, Stats> stats = new LinkedHashMap<>();
        Stats a = stat(stats, "(a)  KafkaConsumer poll + TickParser", "ticks/s");
        Stats b = stat(stats, "(b)  job, 60 s bars, first record -> rows committed", "ticks/s");
        Stats bIncl = stat(stats, "(b)  job, 60 s bars, submit -> job finished", "ticks/s");
        Stats bArchive = stat(stats, "(b+) job + tick archive, 60 s bars, net", "ticks/s");
        Stats c = stat(stats, "(c)  job, tick bars, first record -> rows committed", "ticks/s");
        Stats cIncl = stat(stats, "(c)  job, tick bars, submit -> job finished", "ticks/s");
        Stats cArchive = stat(stats, "(c+) job + tick archive, tick bars, net", "ticks/s");
        Stats cNoDb = stat(stats, "(c') job, tick bars, strategy_metrics discarded, net", "ticks/s");
        Stats cJdbc = stat(stats, "(c\") job, tick bars, JDBC connector upserts, net", "ticks/s");
        Stats d = stat(stats, "(d)  COPY binary -> strategy_metrics", "rows/s");
        Stats dWriter = stat(stats, "(d*) the job's COPY writer (fast path), 5k batches", "rows/s");
        Stats dMerge = stat(stats, "(d') the job's COPY writer, merge path, 5k batches", "rows/s");
        Stats dJdbc = stat(stats, "(d\") JDBC batched upsert (the connector's SQL), 5k batches", "rows/s");

        try (FlinkBench flink = new FlinkBench(parallelism, workDir)) {
            out("Flink MiniCluster (1 TaskManager, %d slots) up in %.1f s; every job below runs on it", parallelism,
                    flink.startupSeconds);
            for (int round = 0; round <= rounds; round++) {
                boolean warmUp = round == 0;
                String label = warmUp ? "warm-up" : "round " + round;
                out("-- %s (load %s)", label, Machine.load());

                if (on("a")) {
                    record(a, warmUp, label, ticks, ConsumerBench.run(kafka.bootstrapServers(), topic, ticks));
                }
                if (on("b")) {
                    FlinkBench.Timing t = runJob(flink, topic, minuteRun, killSwitchDir, null, false, label + " b");
                    same("(b) strategy_metrics", minuteRef, checkRows(0, minuteRun, expectedMinuteBars).metrics());
                    record(b, warmUp, label, ticks, t.firstRecordToCommitted());
                    record(bIncl, warmUp, label, ticks, t.submitToFinish());
                }
                if (on("b+")) {
                    FlinkBench.Timing t = runJob(flink, topic, minuteRun, killSwitchDir, null, true, label + " b+");
                    Fingerprint f = checkRows(ticks, minuteRun, expectedMinuteBars);
                    same("(b+) strategy_metrics", minuteRef, f.metrics());
                    same("(b+) price_ticks", archiveRef, f.priceTicks());
                    record(bArchive, warmUp, label, ticks, t.firstRecordToCommitted());
                }
                if (on("c")) {
                    FlinkBench.Timing t = runJob(flink, topic, tickRun, killSwitchDir, null, false, label + " c");
                    same("(c) strategy_metrics", tickRef, checkRows(0, tickRun, ticks).metrics());
                    record(c, warmUp, label, ticks, t.firstRecordToCommitted());
                    record(cIncl, warmUp, label, ticks, t.submitToFinish());
                }
                if (on("c+")) {
                    FlinkBench.Timing t = runJob(flink, topic, tickRun, killSwitchDir, null, true, label + " c+");
                    Fingerprint f = checkRows(ticks, tickRun, ticks);
                    same("(c+) strategy_metrics", tickRef, f.metrics());
                    same("(c+) price_ticks", archiveRef, f.priceTicks());
                    record(cArchive, warmUp, label, ticks, t.firstRecordToCommitted());
                }
                if (on("c'")) {
                    FlinkBench.Timing t = runJob(flink, topic, tickRun, killSwitchDir, BenchSinks.Mode.DISCARD_METRICS,
                            false, label + " c'");
                    checkRows(0, tickRun, 0);
                    record(cNoDb, warmUp, label, ticks, t.firstRecordToCommitted());
                }
                if (on("c\"")) {
                    FlinkBench.Timing t = runJob(flink, topic, tickRun, killSwitchDir, BenchSinks.Mode.JDBC_UPSERT_METRICS,
                            false, label + " c\"");
                    same("(c\") strategy_metrics", tickRef, checkRows(0, tickRun, ticks).metrics());
                    record(cJdbc, warmUp, label, ticks, t.firstRecordToCommitted());
                }
                truncateOutputs();
                if (on("d")) {
                    record(d, warmUp, label, ticks, db.copy(metricRows));
                    if (warmUp && tickRef.get() != null) {
                        // The job's tick-bar rows are the pure strategy's rows, bit for bit (as PipelineTest asserts).
                        same("(c) strategy_metrics vs the pure strategy's rows", metricsFingerprint(tickRun),
                                tickRef.get());
                        out("   check: the strategy_metrics rows of job (c) equal the pure strategy's rows written by (d)");
                    }
                }
                if (on("d*")) {
                    record(dWriter, warmUp, label, ticks, db.copyFastPath(metricRows, 5_000));
                }
                if (on("d'")) {
                    record(dMerge, warmUp, label, ticks, db.copyMergePath(metricRows, 5_000));
                }
                if (on("d\"")) {
                    record(dJdbc, warmUp, label, ticks, db.jdbcUpsert(metricRows, 5_000));
                }
            }
            report(stats, a, b, bIncl, bArchive, c, cIncl, cArchive, cNoDb, cJdbc, d, dWriter, dMerge);

            if (!skipState) {
                state(flink, killSwitchDir);
            }
        }
        out("load average at end: %s", Machine.load());
    }

    /** Whether measure {@code id} (a, b, b+, c, c+, c', c", d, d*, d', d") runs. */
    private boolean on(String id) {
        if (only != null) {
            return only.contains(id);
        }
        return !(skipC && id.startsWith("c")) && !(skipAlt && (id.endsWith("'") || id.endsWith("\"") || id.equals("d*")));
    }

    /**
     * One bounded run of the job over the topic: production sinks unless {@code mode} replaces
     * strategy_metrics; {@code archive}: with the tick archive (the job's default) or without.
     */
    private FlinkBench.Timing runJob(FlinkBench flink, String topic, UUID run, Path killSwitchDir, BenchSinks.Mode mode,
                                     boolean archive, String label) throws Exception {
        truncateOutputs();
        JobOptions options = archive ? options(topic, run, killSwitchDir) : options(topic, run, killSwitchDir, "--no-tick-archive");
        JobSinks sinks = new CommitProbe(mode == null
                ? new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval())
                : new BenchSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval(), mode));
        QuantSignalsJob job = FlinkBench.boundedJob(options, sinks);
        return flink.runToEnd(FlinkBench.jobGraph(job, "bench " + label));
    }

    /** The job's options as an operator passes them; everything else stays at its production default. */
    private JobOptions options(String topic, UUID run, Path killSwitchDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka", kafka.bootstrapServers(), "--prices-topic", topic,
                "--db-url", postgres.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--strategy-run-id", run.toString(),
                "--kill-switch-dir", killSwitchDir.toString(),
                "--parallelism", String.valueOf(parallelism),
                // Each job reads the topic from the start: a consumer group without committed offsets.
                "--group-id", "bench-" + UUID.randomUUID(),
                // A failure must end the benchmark, not restart the job forever. (0 would be the
                // honest value, but the job's exponential-delay strategy rejects it at submission.)
                "--restart-attempts", "1"));
        args.addAll(List.of(extra));
        return JobOptions.parse(Map.of(), args.toArray(String[]::new));
    }

    private void state(FlinkBench flink, Path killSwitchDir) throws Exception {
        out("");
        out("(e) keyed state per (run, symbol): 1 PAPER run x %,d symbols = %,d keys, 60 s bars, 3 ticks per key",
                stateKeys, stateKeys);
        String topic = "bench-state";
        kafka.createTopic(topic, 2);
        long n = Ticks.produceRounds(kafka.bootstrapServers(), topic, stateKeys, 3, 60_000);
        List<StateBench.Result> results = new ArrayList<>();
        for (int slow : new int[] {10, 100, 1000}) {
            int fast = Math.max(1, slow / 5);
            UUID run = createRun(new StrategyParams(fast, slow, 1, 5.0, 2.5, 60, false, null, null));
            truncateOutputs();
            JobOptions options = options(topic, run, killSwitchDir, "--checkpoint-interval", "1h");
            StateBench.Result r = StateBench.measure(flink, options, n, stateKeys, slow);
            results.add(r);
            out("  sma_slow_window %4d: checkpoint REST state_size of the strategy vertex %,d B; keyed state %,d B"
                            + " = %,.1f B/key; broadcast (operator) state %,d B; checkpoint files on disk %,d B",
                    slow, r.restVertexStateBytes(), r.keyedStateBytes(), r.keyedBytesPerKey(), r.operatorStateBytes(),
                    r.checkpointDirBytes());
        }
        for (int i = 1; i < results.size(); i++) {
            StateBench.Result lo = results.get(i - 1);
            StateBench.Result hi = results.get(i);
            double slope = (hi.keyedBytesPerKey() - lo.keyedBytesPerKey()) / (hi.slowWindow() - lo.slowWindow());
            out("  slow %d -> %d: +%,.1f B/key = %.2f B per extra window slot (a long is 8 B)",
                    lo.slowWindow(), hi.slowWindow(), hi.keyedBytesPerKey() - lo.keyedBytesPerKey(), slope);
        }
        StateBench.Result first = results.get(0);
        double constant = first.keyedBytesPerKey() - 8.0 * first.slowWindow();
        out("  => bytes/key ~= 8 x slow window + %.0f (key string, timers, the pending bar, fixed fields)", constant);
        out("  one SmaCrossState (ring full) through Flink's POJO serializer: slow 10 -> %d B, slow 100 -> %d B, slow 1000 -> %d B;"
                        + " one PendingBar %d B",
                StateBench.serializedStateBytes(2, 10), StateBench.serializedStateBytes(20, 100),
                StateBench.serializedStateBytes(200, 1000), StateBench.serializedPendingBarBytes());
    }

    private void report(Map<String, Stats> stats, Stats a, Stats b, Stats bIncl, Stats bArchive, Stats c, Stats cIncl,
                        Stats cArchive, Stats cNoDb, Stats cJdbc, Stats d, Stats dWriter, Stats dMerge) {
        out("");
        out("Results: %,d ticks, %d symbols, parallelism %d, %d measured round(s) after a warm-up; medians of the rounds",
                ticks, symbols, parallelism, rounds);
        out("%s", Stats.header());
        for (Stats s : stats.values()) {
            if (!s.isEmpty()) {
                out("%s", s.row());
            }
        }
        out("");
        ratio("b/a", b, a, true, "first record to last row committed");
        ratio("b/a", bIncl, a, false, "from job submission to the job's end, start-up and teardown included");
        ratio("c/d", c, d, true, "first record to last row committed");
        ratio("c/d", cIncl, d, false, "from job submission to the job's end, start-up and teardown included");
        ratio("b+/a", bArchive, a, false, "the job with its tick archive: bound by a price_ticks row per tick");
        ratio("b+/d", bArchive, d, false, "the tick archive's rows/s against plain COPY");
        ratio("c+/d", cArchive, d, false, "tick bars with the archive: two rows per tick");
        ratio("c'/d", cNoDb, d, false, "diagnostic: tick bars without strategy_metrics writes");
        ratio("c\"/d", cJdbc, d, false, "diagnostic: tick bars through the JDBC connector's upserts");
        ratio("d*/d", dWriter, d, false, "diagnostic: the job's COPY writer vs plain COPY");
        ratio("d'/d", dMerge, d, false, "diagnostic: the writer's merge path (after a restart) vs plain COPY");
    }

    private static void ratio(String name, Stats x, Stats y, boolean target, String note) {
        if (x.isEmpty() || y.isEmpty()) {
            return;
        }
        double r = x.median() / y.median();
        out("%-6s = %.3f  %s%s", name, r, target ? "target >= 0.5: " + verdict(r) + "  " : "", "(" + note + ")");
    }

    private static String verdict(double ratio) {
        return ratio >= 0.5 ? "MET" : "NOT MET";
    }

    private static Stats stat(Map<String, Stats> stats, String name, String unit) {
        Stats s = new Stats(name, unit);
        stats.put(name, s);
        return s;
    }

    private static void record(Stats stats, boolean warmUp, String label, long count, double seconds) {
        double rate = count / seconds;
        out("   %-9s %-58s %6.2f s  %,11.0f %s%s", label, stats.name(), seconds, rate, "/s", warmUp ? "  (not counted)" : "");
        if (!warmUp) {
            stats.add(rate);
        }
    }

    private UUID createRun(StrategyParams params) throws SQLException {
        try (Connection c = postgres.connect()) {
            return new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.PAPER, params, "bench").id();
        }
    }

    /** Bars of 60 s per symbol in the tick stream: the rows job (b) must write. */
    private long countMinuteBars() {
        TickGenerator gen = new TickGenerator(seed, symbols);
        Set<Long> bars = new HashSet<>();
        for (long i = 0; i < ticks; i++) {
            gen.next();
            bars.add(gen.symbol * 1_000_000_000L + gen.tsMillis / 60_000);
        }
        return bars.size();
    }

    /** Each job run starts from empty output tables, as a fresh stream would. */
    private void truncateOutputs() throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE price_ticks, strategy_metrics, strategy_positions_stream, rejected_ticks, kill_switch_events");
        }
        // Write out the previous run's dirty pages now rather than during the next measurement
        // (CHECKPOINT needs the superuser, which embedded PostgreSQL names postgres/postgres).
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /** What a job run left in the database: a count and an order-independent hash of every row's text. */
    record Fingerprint(String metrics, String priceTicks) {
    }

    /** The first run of a kind is the reference; every later run (and variant) must leave the same rows. */
    private static void same(String what, AtomicReference<String> reference, String actual) {
        if (!reference.compareAndSet(null, actual)) {
            same(what, reference.get(), actual);
        }
    }

    private static void same(String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + " differ: " + actual + " instead of " + expected);
        }
    }

    private String metricsFingerprint(UUID run) throws SQLException {
        return fingerprint("SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) FROM strategy_metrics t"
                + " WHERE strategy_run_id = '" + run + "'");
    }

    private String fingerprint(String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1) + " rows, hash sum " + rs.getBigDecimal(2);
        }
    }

    /** The job did all its work: every tick stored, every bar's row written, nothing rejected. */
    private Fingerprint checkRows(long expectedTicks, UUID run, long expectedMetrics) throws SQLException {
        long priceTicks = count("SELECT count(*) FROM price_ticks");
        long metrics = count("SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = '" + run + "'");
        long rejected = count("SELECT count(*) FROM rejected_ticks");
        if (priceTicks != expectedTicks || metrics != expectedMetrics || rejected != 0) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "unexpected output: price_ticks %d (expected %d), strategy_metrics %d (expected %d), rejected %d",
                    priceTicks, expectedTicks, metrics, expectedMetrics, rejected));
        }
        return new Fingerprint(metricsFingerprint(run),
                fingerprint("SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) FROM price_ticks t"));
    }

    private long count(String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void shutdown() {
        if (workDir != null) {
            // Checkpoints of (e) (up to ~100 MB) and the empty kill-switch folder.
            try (Stream<Path> paths = Files.walk(workDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                System.err.println("cleaning " + workDir + ": " + e.getMessage());
            }
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (RuntimeException e) {
                System.err.println("stopping Kafka: " + e.getMessage());
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (RuntimeException e) {
                System.err.println("stopping PostgreSQL: " + e.getMessage());
            }
        }
    }

    private static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
