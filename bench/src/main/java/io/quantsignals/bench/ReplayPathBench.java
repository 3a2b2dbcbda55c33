package io.quantsignals.bench;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.run.RunStore;
import io.quantsignals.core.run.RunType;
import io.quantsignals.core.run.StoreMetrics;
import io.quantsignals.core.run.SweepStore;
import io.quantsignals.core.tick.ReplayTopic;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.job.JobOptions;
import io.quantsignals.job.QuantSignalsJob;
import io.quantsignals.job.sink.PostgresSinks;
import io.quantsignals.ops.OpsCli;
import io.quantsignals.replay.ReplayStages;
import io.quantsignals.replay.ReplayTool;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 12's last bench item: the REPLAY path end to end against a plain consumer. One JVM with an
 * embedded PostgreSQL, Kafka broker and Flink MiniCluster; N ticks (default 1M, 100 symbols) imported
 * into {@code price_ticks} with {@code ops-cli prices import}; then a warm-up and {@code --rounds}
 * rounds of
 * <ul>
 *   <li>(R) end to end, as a new user does it: a fresh topic, a new REPLAY run (60 s bars, all
 *       symbols), the job running with its production sources and sinks (unbounded, every active run,
 *       tick archive on: the defaults), then {@code replay-tool --run-id R --speedup max} in-process;
 *       timed from the tool's start until the run's last {@code strategy_metrics} row is committed
 *       (seen by polling the table from another connection);</li>
 *   <li>(a) the baseline: a plain one-thread {@code KafkaConsumer} (default settings) reading the
 *       same topic from the start and parsing every message with the job's {@code TickParser}
 *       ({@link ConsumerBench}, as BenchMain's (a));</li>
 * </ul>
 * and, unless {@code --skip-stages}, the stages alone: (R-) the same without the tick archive, (J)
 * the job alone over the topic the replay filled, (T) the tool alone into a topic nobody reads,
 * (T-db) the tool's database side alone, (T-kafka) its Kafka side alone from ticks in memory.
 * Every step reports where the CPU went ({@link CpuMeter}). See bench/README.md, "The REPLAY path".
 */
public final class ReplayPathBench {

    private static final String USAGE = """
            usage: ReplayPathBench [--ticks N] [--symbols N] [--rounds N] [--parallelism N] [--seed N] [--skip-stages]
                                   [--cpu-detail]
              --ticks N        ticks imported and replayed (default 1000000)
              --symbols N      symbols (default 100)
              --rounds N       measured rounds after one warm-up (default 3)
              --parallelism N  job parallelism = MiniCluster slots = topic partitions (default 2)
              --skip-stages    only (R) and (a)
              --cpu-detail     print CPU per thread group too, not only per stage
              --publish-variants  instead: only the tool's Kafka side (T-kafka), with its producer settings
                               and with alternatives, alternating, --rounds rounds each
              --live-latency   instead: a LIVE run's bar delay (fed a tick per partition every 20 ms) with no
                               replay, during a replay at max to the replay topic, and during the same
                               replay into the prices topic (as before the replay topic existed); with
                               --sweeps N the replays are for a sweep of N sets
              --sweeps N[,N..] instead: per round, one REPLAY run end to end (R), then for each N a sweep of N
                               param sets (store_metrics summary) replayed once with --sweep-id, tool start ->
                               every run's summaries committed; ratios to (R) and keyed state per extra set
            """;
    private static final Pattern REPLAY_RATE = Pattern.compile("replayed (\\d+) ticks .* in ([0-9.]+) s \\(([0-9.]+) ticks/s\\)");

    private long ticks = 1_000_000;
    private int symbols = 100;
    private int rounds = 3;
    private int parallelism = 2;
    private long seed = 42;
    private boolean skipStages;
    private boolean cpuDetail;
    private boolean publishVariants;
    private boolean liveLatency;
    private List<Integer> sweepSizes = List.of();

    private PostgresServer postgres;
    private KafkaBroker kafka;
    private Admin admin;
    private FlinkBench flink;
    private Path work;
    private Path killSwitchDir;
    private long postmasterPid;
    private Instant windowStart;
    private Instant windowEnd;
    private long expectedBars;
    private final AtomicReference<String> barsReference = new AtomicReference<>();

    private final Map<String, Stats> stats = new LinkedHashMap<>();
    private final Stats e2e = stat("(R)  replay-tool max -> job -> last metric row committed", "ticks/s");
    private final Stats consumer = stat("(a)  KafkaConsumer poll + TickParser, same topic", "ticks/s");
    private final Stats e2eToolPart = stat("(R)  ... of which the tool itself (start -> all acked)", "ticks/s");
    private final Stats e2eNoArchive = stat("(R-) the same with --no-tick-archive", "ticks/s");
    private final Stats jobAlone = stat("(J)  job alone, topic full: first record -> committed", "ticks/s");
    private final Stats jobAloneSubmit = stat("(J)  job alone, submit -> job finished", "ticks/s");
    private final Stats toolAlone = stat("(T)  replay-tool max alone, wall time of execute", "ticks/s");
    private final Stats toolRead = stat("(T-db) the tool's DB side alone (TickReader+prefetcher)", "ticks/s");
    private final Stats toolReadCursor = stat("(T-db') the former read: JDBC cursor, text (diagnostic)", "ticks/s");
    private final Stats toolPublish = stat("(T-kafka) the tool's Kafka side alone (JSON+send, acked)", "ticks/s");
    private final List<Double> ratios = new ArrayList<>();
    private final List<Double> noArchiveRatios = new ArrayList<>();
    private final List<Double> jobAloneRatios = new ArrayList<>();
    private final List<Double> toolAloneRatios = new ArrayList<>();
    private final Map<String, List<Double>> cpuShares = new LinkedHashMap<>();
    private final Map<String, List<Double>> cpuPerTick = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        ReplayPathBench bench = new ReplayPathBench();
        try {
            bench.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ReplayPathBench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        try {
            bench.run();
        } finally {
            bench.shutdown();
        }
        System.exit(0);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--ticks" -> ticks = Long.parseLong(value(args, ++i, a).replace("_", ""));
                case "--symbols" -> symbols = Integer.parseInt(value(args, ++i, a));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--parallelism" -> parallelism = Integer.parseInt(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--skip-stages" -> skipStages = true;
                case "--cpu-detail" -> cpuDetail = true;
                case "--publish-variants" -> publishVariants = true;
                case "--live-latency" -> liveLatency = true;
                case "--sweeps" -> sweepSizes = Stream.of(value(args, ++i, a).split(",")).map(Integer::parseInt).toList();
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (ticks < 1 || symbols < 1 || symbols > 1000 || rounds < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--ticks, --rounds, --parallelism must be >= 1, --symbols 1..1000");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private void run() throws Exception {
        out("REPLAY path benchmark (issue 12): %,d ticks, %d symbols, %d measured round(s) after 1 warm-up, parallelism %d",
                ticks, symbols, rounds, parallelism);
        out("machine: %s", Machine.describe());
        out("load average at start: %s", Machine.load());
        work = Files.createTempDirectory("replay-path-bench");
        killSwitchDir = Files.createDirectories(work.resolve("kill-switch"));

        long t = System.nanoTime();
        postgres = PostgresServer.start(0, null);
        try (Connection c = postgres.connect()) {
            Migrations.apply(c);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                postmasterPid = CpuMeter.postmasterOf(rs.getLong(1));
            }
        }
        kafka = KafkaBroker.start(0, null);
        Properties adminProps = new Properties();
        adminProps.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(adminProps);
        flink = new FlinkBench(parallelism, work);
        out("PostgreSQL (postmaster pid %d), Kafka and a Flink MiniCluster (1 TaskManager, %d slots) up in %.1f s",
                postmasterPid, parallelism, secondsSince(t));

        ImportReplayBench.Csv csv = ImportReplayBench.generate(work.resolve("ticks.csv"), ticks, symbols, seed);
        t = System.nanoTime();
        StringWriter importOut = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(importOut); PrintWriter e = new PrintWriter(importOut)) {
            code = OpsCli.execute(env(null), o, e, "prices", "import", "--file", csv.file().toString());
        }
        check(code == 0, "ops-cli prices import exited " + code + ": " + importOut);
        out("imported %,d ticks (%.1f MB CSV) with ops-cli prices import in %.1f s: %s", ticks, csv.bytes() / 1e6,
                secondsSince(t), importOut.toString().strip());
        check(count("SELECT count(*) FROM price_ticks") == ticks, "price_ticks does not hold the " + ticks + " ticks");
        windowStart = Instant.ofEpochMilli(csv.firstMillis());
        // The end on the next minute, as a user picks a window: the end markers then complete every bar.
        windowEnd = Instant.ofEpochMilli((csv.lastMillis() / 60_000 + 1) * 60_000);
        expectedBars = count("SELECT count(DISTINCT (symbol, floor(extract(epoch FROM event_time) / 60)))"
                + " FROM price_ticks");
        out("window [%s, %s); 60 s bars -> %,d strategy_metrics rows expected per replay", windowStart, windowEnd,
                expectedBars);
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE price_ticks");
        }

        if (publishVariants) {
            publishVariants();
            return;
        }
        if (liveLatency) {
            liveLatency();
            return;
        }
        if (!sweepSizes.isEmpty()) {
            sweeps();
            return;
        }
        for (int round = 0; round <= rounds; round++) {
            boolean warmUp = round == 0;
            String label = warmUp ? "warm-up" : "round " + round;
            out("");
            out("-- %s (load %s)", label, Machine.load());

            String topic = "replay-path-r" + round;
            createTopics(topic);
            UUID run = createRun();
            double e2eRate = endToEnd(topic, run, true, warmUp, label);
            record(e2e, warmUp, e2eRate);
            System.gc();
            CpuMeter meter = new CpuMeter(postmasterPid);
            double consumerSeconds;
            try {
                consumerSeconds = onThread("bench-consumer", () -> ConsumerBench.run(kafka.bootstrapServers(),
                        ReplayTopic.of(topic), ticks + 2L * symbols));
            } finally {
                meter.close();
            }
            double consumerRate = ticks / consumerSeconds;
            out("   (a)  plain KafkaConsumer + TickParser, same topic:   %6.2f s = %,11.0f ticks/s", consumerSeconds,
                    consumerRate);
            printCpu("(a) ", meter, warmUp ? null : "a");
            record(consumer, warmUp, consumerRate);
            out("   ratio (R)/(a) this round: %.3f", e2eRate / consumerRate);
            if (!warmUp) {
                ratios.add(e2eRate / consumerRate);
            }
            if (!skipStages) {
                stages(topic, run, round, warmUp, label, consumerRate);
            }
            deleteTopics(topic);
        }
        report();
        out("load average at end: %s", Machine.load());
    }

    /**
     * (R): the job is running (every task RUNNING, then 2 s for the source to be assigned its
     * partitions and the runs poller's first read), then the tool; the clock runs from the tool's
     * start until the run's last metric row is visible to another connection.
     */
    private double endToEnd(String topic, UUID run, boolean archive, boolean warmUp, String label) throws Exception {
        JobOptions options = archive ? jobOptions(topic) : jobOptions(topic, "--no-tick-archive");
        QuantSignalsJob job = FlinkBench.unboundedJob(options,
                new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval()), false);
        JobID jobId = flink.submit(FlinkBench.jobGraph(job, "replay-path " + label));
        try {
            flink.awaitRunning(jobId, Duration.ofSeconds(60));
            Thread.sleep(2_000);
            System.gc();
            long t0;
            long toolDone;
            long lastRow;
            String toolSaid;
            Map<String, Double> cpu;
            CpuMeter meter = new CpuMeter(postmasterPid);
            try (Connection poll = postgres.connect();
                 PreparedStatement rows = poll.prepareStatement(
                         "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?")) {
                rows.setObject(1, run);
                t0 = System.nanoTime();
                toolSaid = onToolThread(() -> replay(topic, run));
                toolDone = System.nanoTime();
                lastRow = awaitRows(rows, run);
            } finally {
                meter.close();
            }
            double seconds = (lastRow - t0) / 1e9;
            double toolSeconds = (toolDone - t0) / 1e9;
            long first = TimedTickDeserializer.firstNanos();
            String id = archive ? "(R) " : "(R-)";
            out("   %s tool start -> last metric row committed %6.2f s = %,11.0f ticks/s; tool done at %.2f s (%,.0f ticks/s),"
                            + " job's first record at %.2f s, last row %.2f s after the tool", id, seconds, ticks / seconds,
                    toolSeconds, ticks / toolSeconds, first == 0 ? Double.NaN : (first - t0) / 1e9, seconds - toolSeconds);
            if (warmUp && archive) {
                out("   replay-tool said: %s", toolSaid);
            }
            printCpu(id, meter, warmUp ? null : id.strip().replace("(", "").replace(")", ""));
            checkReplayRun(run);
            if (archive) {
                record(e2eToolPart, warmUp, ticks / toolSeconds);
            }
            return ticks / seconds;
        } finally {
            flink.cancel(jobId);
        }
    }

    /** Runs {@code work} on a new thread named replay-tool-main (so {@link CpuMeter} tells the tool's CPU apart). */
    private static <T> T onToolThread(Callable<T> work) throws Exception {
        return onThread("replay-tool-main", work);
    }

    private static <T> T onThread(String name, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(work.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, name);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** Runs the tool in-process for a run; returns what it printed on stdout. */
    private String replay(String topic, UUID run) {
        return replay(topic, "--run-id", run);
    }

    /** Runs the tool in-process ({@code option}: {@code --run-id} or {@code --sweep-id}); returns what it printed on stdout. */
    private String replay(String topic, String option, UUID id) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code;
        try (PrintWriter out = new PrintWriter(o); PrintWriter err = new PrintWriter(e)) {
            code = ReplayTool.execute(env(topic), out, err, option, id.toString(), "--start-ts", windowStart.toString(),
                    "--end-ts", windowEnd.toString(), "--speedup", "max");
        }
        check(code == 0, "replay-tool exited " + code + ": " + o + e);
        Matcher m = REPLAY_RATE.matcher(o.toString());
        check(m.find() && Long.parseLong(m.group(1)) == ticks, "replay-tool did not replay " + ticks + " ticks: " + o);
        return o.toString().strip();
    }

    /**
     * Polls (every 5 ms) until the run has all its metric rows; returns System.nanoTime() when they
     * were seen. Called once the tool has returned: the last rows cannot be committed before the
     * tool's end markers are, and polling all along cost PostgreSQL CPU the job needed.
     */
    private long awaitRows(PreparedStatement rows, UUID run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long seen = -1;
        long changed = System.nanoTime();
        while (true) {
            long n;
            try (ResultSet rs = rows.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
            }
            long now = System.nanoTime();
            if (n == expectedBars) {
                return now;
            }
            check(n < expectedBars, "run " + run + " has " + n + " metric rows, more than the " + expectedBars + " expected");
            if (n != seen) {
                seen = n;
                changed = now;
            }
            check(now - changed < TimeUnit.SECONDS.toNanos(60) && now < deadline,
                    "run " + run + " stuck at " + n + " of " + expectedBars + " metric rows");
            Thread.sleep(5);
        }
    }

    /** The run's rows are the expected ones (same as every other replay of the window), nothing rejected or archived. */
    private void checkReplayRun(UUID run) throws SQLException {
        check(count("SELECT count(*) FROM rejected_ticks") == 0, "the job rejected ticks");
        check(count("SELECT count(*) FROM price_ticks") == ticks, "the tick archive stored replayed ticks");
        // Row text without the run id: every replay of the same window must leave the same rows.
        String fingerprint;
        try (Connection c = postgres.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*), coalesce(sum(hashtextextended(replace(t::text, strategy_run_id::text, ''), 0)), 0)"
                        + " FROM strategy_metrics t WHERE strategy_run_id = ?")) {
            s.setObject(1, run);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                fingerprint = rs.getLong(1) + " rows, hash sum " + rs.getBigDecimal(2);
            }
        }
        if (!barsReference.compareAndSet(null, fingerprint)) {
            check(barsReference.get().equals(fingerprint), "replay rows differ: " + fingerprint + " instead of "
                    + barsReference.get());
        }
    }

    /** The stages alone, for the breakdown. */
    private void stages(String topic, UUID run, int round, boolean warmUp, String label, double consumerRate) throws Exception {
        // (R-): the same without the tick archive.
        String topic2 = "replay-path-noarchive-r" + round;
        createTopics(topic2);
        double noArchive = endToEnd(topic2, createRun(), false, warmUp, label);
        record(e2eNoArchive, warmUp, noArchive);
        if (!warmUp) {
            noArchiveRatios.add(noArchive / consumerRate);
        }
        deleteTopics(topic2);

        // (J): the job alone over the topic (R) filled, bounded, the run's rows deleted first.
        deleteRows(run);
        JobOptions options = jobOptions(topic);
        QuantSignalsJob job = FlinkBench.boundedJob(options, new CommitProbe(
                new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval())));
        System.gc();
        CpuMeter meter = new CpuMeter(postmasterPid);
        FlinkBench.Timing timing;
        try {
            timing = flink.runToEnd(FlinkBench.jobGraph(job, "replay-path job alone " + label));
        } finally {
            meter.close();
        }
        checkReplayRun(run);
        out("   (J)  job alone over the full topic: first record -> committed %.2f s = %,11.0f ticks/s; submit -> finished %.2f s",
                timing.firstRecordToCommitted(), ticks / timing.firstRecordToCommitted(), timing.submitToFinish());
        printCpu("(J) ", meter, warmUp ? null : "J");
        record(jobAlone, warmUp, ticks / timing.firstRecordToCommitted());
        if (!warmUp) {
            jobAloneRatios.add(ticks / timing.firstRecordToCommitted() / consumerRate);
        }
        record(jobAloneSubmit, warmUp, ticks / timing.submitToFinish());

        // (T): the tool alone, into a topic nobody reads.
        String topic3 = "replay-path-toolonly-r" + round;
        createTopics(topic3);
        UUID run3 = createRun();
        System.gc();
        meter = new CpuMeter(postmasterPid);
        long t0 = System.nanoTime();
        try {
            onToolThread(() -> replay(topic3, run3));
        } finally {
            meter.close();
        }
        double toolSeconds = secondsSince(t0);
        out("   (T)  replay-tool alone (nobody reading):          %6.2f s = %,11.0f ticks/s", toolSeconds, ticks / toolSeconds);
        printCpu("(T) ", meter, warmUp ? null : "T");
        record(toolAlone, warmUp, ticks / toolSeconds);
        if (!warmUp) {
            toolAloneRatios.add(ticks / toolSeconds / consumerRate);
        }
        deleteTopics(topic3);

        // (T-db): the tool's database side alone.
        System.gc();
        meter = new CpuMeter(postmasterPid);
        t0 = System.nanoTime();
        ReplayStages.Ticks read;
        try (Connection c = postgres.connect()) {
            read = ReplayStages.read(c, windowStart, windowEnd, false);
        } finally {
            meter.close();
        }
        double readSeconds = secondsSince(t0);
        out("   (T-db) the tool's DB side alone:                  %6.2f s = %,11.0f ticks/s", readSeconds, read.count() / readSeconds);
        printCpu("(T-db)", meter, warmUp ? null : "T-db");
        record(toolRead, warmUp, read.count() / readSeconds);

        // (T-db') the former read (JDBC cursor, text), for comparison.
        System.gc();
        meter = new CpuMeter(postmasterPid);
        t0 = System.nanoTime();
        long cursorRows;
        try (Connection c = postgres.connect()) {
            cursorRows = onThread("replay-reader", () -> ReplayStages.readWithCursor(c, windowStart, windowEnd));
        } finally {
            meter.close();
        }
        double cursorSeconds = secondsSince(t0);
        out("   (T-db') the former cursor read, for comparison:   %6.2f s = %,11.0f ticks/s", cursorSeconds,
                cursorRows / cursorSeconds);
        printCpu("(T-db')", meter, warmUp ? null : "T-db'");
        record(toolReadCursor, warmUp, cursorRows / cursorSeconds);

        // (T-kafka): its Kafka side alone, from ticks read beforehand.
        try (Connection c = postgres.connect()) {
            read = ReplayStages.read(c, windowStart, windowEnd, true);
        }
        String topic4 = "replay-path-publish-r" + round;
        kafka.createTopic(topic4, parallelism);
        System.gc();
        meter = new CpuMeter(postmasterPid);
        t0 = System.nanoTime();
        long sent;
        ReplayStages.Ticks inMemory = read;
        try {
            sent = onToolThread(() -> ReplayStages.publish(kafka.bootstrapServers(), topic4, inMemory, UUID.randomUUID(),
                    windowEnd.toEpochMilli()));
        } finally {
            meter.close();
        }
        double publishSeconds = secondsSince(t0);
        check(sent == ticks + 2L * symbols, "published " + sent + " records");
        out("   (T-kafka) the tool's Kafka side alone:            %6.2f s = %,11.0f ticks/s", publishSeconds, ticks / publishSeconds);
        printCpu("(T-kafka)", meter, warmUp ? null : "T-kafka");
        record(toolPublish, warmUp, ticks / publishSeconds);
        deleteTopic(topic4);
    }

    /**
     * Issue 12's sweep targets. Per round: (R) one REPLAY run end to end as above, then for each N a
     * sweep of N param sets ({@code store_metrics summary}, the default) replayed once with {@code
     * --sweep-id} into a running job, timed from the tool's start until every run's summaries cover
     * all its bars; then a checkpoint, whose strategy-operator state size gives the memory per set.
     * The targets: N = 100 within 3x (R)'s time, N = 1000 within 15x.
     */
    private void sweeps() throws Exception {
        Map<Integer, Stats> sweepSeconds = new LinkedHashMap<>();
        Map<Integer, List<Double>> timesR = new LinkedHashMap<>();
        Map<Integer, Stats> stateBytes = new LinkedHashMap<>();
        Stats single = stat("(R)  one REPLAY run: tool start -> last metric row committed", "ms");
        for (int n : sweepSizes) {
            sweepSeconds.put(n, stat("(S" + n + ") sweep of " + n + " sets: tool start -> all summaries committed", "ms"));
            stateBytes.put(n, stat("(S" + n + ") strategy operator's checkpointed state", "bytes"));
            timesR.put(n, new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) {
            boolean warmUp = round == 0;
            String label = warmUp ? "warm-up" : "round " + round;
            out("");
            out("-- %s (load %s)", label, Machine.load());
            String topic = "sweep-bench-r" + round;
            createTopics(topic);
            UUID run = createRun();
            double seconds = ticks / endToEnd(topic, run, true, warmUp, label);
            record(single, warmUp, seconds * 1000);
            endRuns("strategy_run_id = '" + run + "'");
            deleteTopics(topic);
            for (int n : sweepSizes) {
                String sweepTopic = "sweep-bench-" + n + "-r" + round;
                createTopics(sweepTopic);
                UUID sweep = createSweep(n);
                long[] result = sweepEndToEnd(sweepTopic, sweep, n, label);
                double sweepTime = result[0] / 1e9;
                out("   (S%d) %d sets: %.2f s = %.2f x (R)'s %.2f s; strategy state %,d bytes", n, n, sweepTime,
                        sweepTime / seconds, seconds, result[1]);
                record(sweepSeconds.get(n), warmUp, sweepTime * 1000);
                record(stateBytes.get(n), warmUp, result[1]);
                if (!warmUp) {
                    timesR.get(n).add(sweepTime / seconds);
                }
                endRuns("sweep_id = '" + sweep + "'");
                deleteTopics(sweepTopic);
            }
        }
        out("");
        out("Results: %,d ticks, %d symbols, 60 s bars (%,d bars per run), parallelism %d, %d measured round(s) after a"
                + " warm-up; medians of the rounds", ticks, symbols, expectedBars, parallelism, rounds);
        out("%s", Stats.header());
        for (Stats s : stats.values()) {
            if (!s.isEmpty()) {
                out("%s", s.row());
            }
        }
        out("");
        for (int n : sweepSizes) {
            Stats r = new Stats("", "");
            timesR.get(n).forEach(r::add);
            StringBuilder each = new StringBuilder();
            timesR.get(n).forEach(x -> each.append(String.format(Locale.ROOT, " %.2f", x)));
            Double target = n == 100 ? Double.valueOf(3) : n == 1000 ? Double.valueOf(15) : null;
            out("time (S%d)/(R) per round:%s; median %.2f%s", n, each, r.median(),
                    target == null ? "" : (r.median() <= target ? "  target <= " + target.intValue() + "x: MET"
                            : "  target <= " + target.intValue() + "x: NOT MET"));
        }
        if (sweepSizes.size() >= 2) {
            int small = sweepSizes.get(0);
            int large = sweepSizes.get(sweepSizes.size() - 1);
            double perSet = (stateBytes.get(large).median() - stateBytes.get(small).median()) / (large - small);
            out("keyed state per extra set: %,.0f bytes = %,.0f bytes per (set, symbol) over %d symbols (slow windows of"
                    + " the sets up to %d closes of 8 bytes)", perSet, perSet / symbols, symbols, grid(large).maxSlow());
        }
    }

    /** The sweep's params: fast x slow, F x S = n with F the largest divisor of n up to sqrt(n); otherwise (R)'s params. */
    private record Grid(List<StrategyParams> sets, int maxSlow) {
    }

    private static Grid grid(int n) {
        int f = 1;
        for (int d = 1; (long) d * d <= n; d++) {
            if (n % d == 0) {
                f = d;
            }
        }
        int slowCount = n / f;
        List<StrategyParams> sets = new ArrayList<>();
        int maxSlow = 0;
        for (int i = 0; i < f; i++) {
            for (int j = 0; j < slowCount; j++) {
                int fast = 2 + i;
                int slow = f + 2 + 2 * j;
                maxSlow = Math.max(maxSlow, slow);
                sets.add(new StrategyParams(fast, slow, 2, 5.0, 2.5, 60, true, null, null));
            }
        }
        return new Grid(sets, maxSlow);
    }

    private UUID createSweep(int n) throws SQLException {
        try (Connection c = postgres.connect()) {
            return new SweepStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, "{\"bench\": " + n + "}",
                    StoreMetrics.SUMMARY, "bench", grid(n).sets()).id();
        }
    }

    private void endRuns(String where) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE strategy_runs SET ended_at = now() WHERE ended_at IS NULL AND " + where);
        }
    }

    /**
     * A sweep end to end: the job running (as (R)), the tool with {@code --sweep-id}, until the
     * sweep's summaries hold every bar of every run; then a checkpoint's strategy state size.
     *
     * @return {nanoseconds from the tool's start to the last summary seen, state size in bytes}
     */
    private long[] sweepEndToEnd(String topic, UUID sweep, int n, String label) throws Exception {
        JobOptions options = jobOptions(topic);
        QuantSignalsJob job = FlinkBench.unboundedJob(options,
                new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval()), false);
        JobID jobId = flink.submit(FlinkBench.jobGraph(job, "sweep " + n + " " + label));
        try {
            flink.awaitRunning(jobId, Duration.ofSeconds(60));
            Thread.sleep(2_000);
            System.gc();
            long expected = n * expectedBars;
            long t0;
            long last;
            CpuMeter meter = new CpuMeter(postmasterPid);
            try (Connection poll = postgres.connect(); PreparedStatement bars = poll.prepareStatement(
                    "SELECT coalesce(sum(s.bars), 0) FROM strategy_run_summaries s JOIN strategy_runs r"
                            + " USING (strategy_run_id) WHERE r.sweep_id = ?")) {
                bars.setObject(1, sweep);
                t0 = System.nanoTime();
                onToolThread(() -> replay(topic, "--sweep-id", sweep));
                last = awaitSweepBars(bars, sweep, expected);
            } finally {
                meter.close();
            }
            printCpu("(S" + n + ")", meter, null);
            check(count("SELECT count(*) FROM rejected_ticks") == 0, "the job rejected ticks");
            check(count("SELECT count(*) FROM strategy_metrics m JOIN strategy_runs r USING (strategy_run_id)"
                    + " WHERE r.sweep_id = '" + sweep + "'") == 0, "a summary sweep wrote metric rows");
            return new long[] {last - t0, strategyStateSize(jobId)};
        } finally {
            flink.cancel(jobId);
        }
    }

    /**
     * Polls (every 20 ms) until the sweep's summaries hold {@code expected} bars; returns
     * System.nanoTime() when they did.
     */
    private static long awaitSweepBars(PreparedStatement bars, UUID sweep, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (true) {
            long seen;
            try (ResultSet rs = bars.executeQuery()) {
                rs.next();
                seen = rs.getLong(1);
            }
            if (seen == expected) {
                return System.nanoTime();
            }
            check(seen < expected && System.nanoTime() < deadline, "sweep " + sweep + " has " + seen + " of "
                    + expected + " bars in its summaries");
            Thread.sleep(20);
        }
    }

    /** A checkpoint now, and the state size of its strategy vertex (REST, as StateBench reads it). */
    private long strategyStateSize(JobID jobId) throws Exception {
        flink.cluster().triggerCheckpoint(jobId).get(5, TimeUnit.MINUTES);
        java.net.URI rest = flink.restAddress();
        String vertex = null;
        for (com.fasterxml.jackson.databind.JsonNode v : StateBench.get(rest, "/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains("sma-crossover")) {
                vertex = v.path("id").asText();
            }
        }
        check(vertex != null, "no sma-crossover vertex");
        long checkpoint = StateBench.get(rest, "/jobs/" + jobId + "/checkpoints").path("latest").path("completed")
                .path("id").asLong(-1);
        return StateBench.get(rest, "/jobs/" + jobId + "/checkpoints/details/" + checkpoint).path("tasks").path(vertex)
                .path("state_size").asLong(-1);
    }

    /**
     * What a replay does to the live runs beside it. Per round, a job as in (R) with a LIVE run on
     * symbols of its own ({@link LiveFeed}: a tick per partition every 20 ms, 1 s bars), and three
     * phases: (L0) no replay, 5 s; (L1) the window's ticks, read beforehand, published at full speed
     * for a new REPLAY run (with {@code --sweeps N}: a sweep of N sets, which the job evaluates far
     * slower than the tool publishes) to the replay topic, until its last bar is committed; (L2) the same
     * into the prices topic, where every replay went before the replay topic existed. Reported: the
     * delay of each live bar whose completion falls in the phase (see {@link LiveFeed}). Both replay
     * phases publish from memory with the tool's own producer code ({@link ReplayStages#publish}), so
     * they send at the same rate and differ only in the topic.
     */
    private void liveLatency() throws Exception {
        ReplayStages.Ticks read;
        try (Connection c = postgres.connect()) {
            read = ReplayStages.read(c, windowStart, windowEnd, true);
        }
        String[] phases = {"(L0) no replay", "(L1) replay to the replay topic", "(L2) replay into the prices topic"};
        Map<String, List<Long>> delays = new LinkedHashMap<>();
        for (String phase : phases) {
            delays.put(phase, new ArrayList<>());
        }
        long outOfOrderness = jobOptions("any").maxOutOfOrderness().toMillis(); // the job's default
        int sweepSets = sweepSizes.isEmpty() ? 0 : sweepSizes.get(0);
        out("replays for %s", sweepSets == 0 ? "one REPLAY run" : "a sweep of " + sweepSets + " sets");
        for (int round = 0; round <= rounds; round++) {
            boolean warmUp = round == 0;
            out("");
            out("-- %s (load %s)", warmUp ? "warm-up" : "round " + round, Machine.load());
            String topic = "live-latency-r" + round;
            createTopics(topic);
            UUID live;
            try (Connection c = postgres.connect()) {
                live = new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.LIVE,
                        new StrategyParams(2, 5, 1, 1.0, 1.0, 1, false, LiveFeed.symbols(parallelism), null), "bench").id();
            }
            JobOptions options = jobOptions(topic);
            QuantSignalsJob job = FlinkBench.unboundedJob(options,
                    new PostgresSinks(options.database(), options.sinkBatchSize(), options.sinkFlushInterval()), false);
            JobID jobId = flink.submit(FlinkBench.jobGraph(job, "live-latency " + round));
            try (LiveFeed feed = new LiveFeed(kafka.bootstrapServers(), topic, parallelism, postgres, live, 1_000,
                    outOfOrderness)) {
                flink.awaitRunning(jobId, Duration.ofSeconds(60));
                feed.start();
                Thread.sleep(5_000); // the live run's first bars, the job warm
                for (int phase = 0; phase < phases.length; phase++) {
                    long from = System.currentTimeMillis();
                    if (phase == 0) {
                        Thread.sleep(5_000);
                    } else if (sweepSets == 0) {
                        UUID run = createRun();
                        String to = phase == 1 ? ReplayTopic.of(topic) : topic;
                        onToolThread(() -> ReplayStages.publish(kafka.bootstrapServers(), to, read, run, windowEnd.toEpochMilli()));
                        try (Connection poll = postgres.connect(); PreparedStatement rows = poll.prepareStatement(
                                "SELECT count(*) FROM strategy_metrics WHERE strategy_run_id = ?")) {
                            rows.setObject(1, run);
                            awaitRows(rows, run);
                        }
                        endRuns("strategy_run_id = '" + run + "'");
                    } else {
                        UUID sweep = createSweep(sweepSets);
                        String to = phase == 1 ? ReplayTopic.of(topic) : topic;
                        onToolThread(() -> ReplayStages.publishForSweep(kafka.bootstrapServers(), to, read, sweep,
                                windowEnd.toEpochMilli()));
                        try (Connection poll = postgres.connect(); PreparedStatement bars = poll.prepareStatement(
                                "SELECT coalesce(sum(s.bars), 0) FROM strategy_run_summaries s JOIN strategy_runs r"
                                        + " USING (strategy_run_id) WHERE r.sweep_id = ?")) {
                            bars.setObject(1, sweep);
                            awaitSweepBars(bars, sweep, sweepSets * expectedBars);
                        }
                        endRuns("sweep_id = '" + sweep + "'");
                    }
                    long to = System.currentTimeMillis();
                    Thread.sleep(outOfOrderness + 2_000); // bars completable in the phase are visible by now
                    List<Long> phaseDelays = feed.completableBetween(from, to).stream().map(LiveFeed.Bar::delayMillis)
                            .sorted().toList();
                    check(!phaseDelays.isEmpty(), "no live bar in " + phases[phase]);
                    out("   %-36s %5.1f s, %3d live bars: delay p50 %,6d ms, p95 %,6d ms, max %,6d ms", phases[phase],
                            (to - from) / 1e3, phaseDelays.size(), percentile(phaseDelays, 50), percentile(phaseDelays, 95),
                            phaseDelays.get(phaseDelays.size() - 1));
                    if (!warmUp) {
                        delays.get(phases[phase]).addAll(phaseDelays);
                    }
                }
            } finally {
                flink.cancel(jobId);
            }
            endRuns("strategy_run_id = '" + live + "'");
            deleteTopics(topic);
        }
        out("");
        out("Live bar delay (completable -> row visible), all measured rounds together: %,d ticks replayed per phase,"
                + " a tick per partition every %d ms", ticks, LiveFeed.TICK_MILLIS);
        for (Map.Entry<String, List<Long>> e : delays.entrySet()) {
            List<Long> d = e.getValue().stream().sorted().toList();
            out("  %-36s %4d bars: p50 %,6d ms, p95 %,6d ms, p99 %,6d ms, max %,6d ms", e.getKey(), d.size(),
                    percentile(d, 50), percentile(d, 95), percentile(d, 99), d.get(d.size() - 1));
        }
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** The tool's Kafka side alone with alternative producer settings, interleaved round by round. */
    private void publishVariants() throws Exception {
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        // (batch.size above 128 KiB was tried too: with it the embedded broker twice failed a run with
        // OutOfOrderSequenceException, so it is left out.)
        variants.put("the tool's settings", Map.of());
        variants.put("linger 10 ms -> 50 ms", Map.of("linger.ms", "50"));
        variants.put("lz4 -> no compression", Map.of("compression.type", "none"));
        ReplayStages.Ticks read;
        try (Connection c = postgres.connect()) {
            read = ReplayStages.read(c, windowStart, windowEnd, true);
        }
        Map<String, Stats> rate = new LinkedHashMap<>();
        Map<String, Stats> cpu = new LinkedHashMap<>();
        Map<String, Stats> consumed = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            out("-- %s (load %s)", round == 0 ? "warm-up" : "round " + round, Machine.load());
            int i = 0;
            for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
                String topic = "publish-variant-r" + round + "-" + i++;
                kafka.createTopic(topic, parallelism);
                System.gc();
                CpuMeter meter = new CpuMeter(postmasterPid);
                long t0 = System.nanoTime();
                try {
                    onToolThread(() -> ReplayStages.publish(kafka.bootstrapServers(), topic, read, UUID.randomUUID(),
                            windowEnd.toEpochMilli(), v.getValue()));
                } finally {
                    meter.close();
                }
                double seconds = secondsSince(t0);
                double perTick = meter.byStage().values().stream().mapToDouble(Double::doubleValue).sum() * 1e6 / ticks;
                System.gc();
                double consumerRate = ticks / onThread("bench-consumer", () -> ConsumerBench.run(kafka.bootstrapServers(),
                        topic, ticks + 2L * symbols));
                out("   %-45s %,10.0f ticks/s, %5.2f µs CPU/tick; then the plain consumer %,10.0f ticks/s", v.getKey(),
                        ticks / seconds, perTick, consumerRate);
                if (round > 0) {
                    rate.computeIfAbsent(v.getKey(), k -> new Stats(k, "ticks/s")).add(ticks / seconds);
                    cpu.computeIfAbsent(v.getKey(), k -> new Stats(k, "µs/tick")).add(perTick);
                    consumed.computeIfAbsent(v.getKey(), k -> new Stats(k, "ticks/s")).add(consumerRate);
                }
                deleteTopic(topic);
            }
        }
        out("");
        out("T-kafka variants, medians: publish rate, CPU per tick (all processes), plain consumer's rate on that topic");
        for (String k : variants.keySet()) {
            out("  %-45s %,10.0f ticks/s  %5.2f µs/tick  consumer %,10.0f ticks/s", k, rate.get(k).median(),
                    cpu.get(k).median(), consumed.get(k).median());
        }
    }

    private void printCpu(String id, CpuMeter meter, String shareKey) {
        Map<String, Double> stages = meter.byStage();
        double total = stages.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder sb = new StringBuilder();
        stages.forEach((stage, s) -> {
            if (s >= 0.005) {
                sb.append(String.format(Locale.ROOT, "%n          %-52s %6.2f s  %4.1f%%", stage, s, 100 * s / total));
            }
            if (shareKey != null) {
                cpuShares.computeIfAbsent(shareKey + "|" + stage, k -> new ArrayList<>()).add(s * 1e6 / ticks);
            }
        });
        out("        CPU %s: %.2f s of CPU in %.2f s wall = %.2f cores busy (of %d), %.2f µs of CPU per tick; by stage:%s", id,
                total, meter.wallSeconds(), total / meter.wallSeconds(), Runtime.getRuntime().availableProcessors(),
                total * 1e6 / ticks, sb);
        if (shareKey != null) {
            cpuPerTick.computeIfAbsent(shareKey, k -> new ArrayList<>()).add(total * 1e6 / ticks);
        }
        if (cpuDetail) {
            StringBuilder d = new StringBuilder();
            meter.byGroup().entrySet().stream().limit(25).forEach(e -> d.append(String.format(Locale.ROOT,
                    "%n            %-70s %6.2f s", e.getKey(), e.getValue())));
            out("        threads:%s", d);
        }
    }

    private void report() {
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
        ratio("(R)/(a)", ratios, "the REPLAY path end to end vs a plain consumer of the same topic", true);
        ratio("(R-)/(a)", noArchiveRatios, "the same without the tick archive", false);
        ratio("(J)/(a)", jobAloneRatios, "the job's half alone, over the topic (R) filled", false);
        ratio("(T)/(a)", toolAloneRatios, "the tool's half alone, into a topic nobody reads", false);
        if (!cpuShares.isEmpty()) {
            out("");
            out("CPU per tick by stage (µs of CPU per tick replayed; median of the rounds): a figure the machine's load"
                    + " changes far less than wall time");
            String previous = null;
            for (Map.Entry<String, List<Double>> e : cpuShares.entrySet()) {
                String[] parts = e.getKey().split("\\|", 2);
                if (!parts[0].equals(previous)) {
                    Stats total = new Stats("", "");
                    cpuPerTick.getOrDefault(parts[0], List.of()).forEach(total::add);
                    out("  %-54s %5.2f", "(" + parts[0] + ") total", total.isEmpty() ? Double.NaN : total.median());
                    previous = parts[0];
                }
                Stats s = new Stats("", "");
                e.getValue().forEach(s::add);
                if (s.median() >= 0.005) {
                    out("    %-52s %5.2f", parts[1], s.median());
                }
            }
        }
    }

    private static void ratio(String name, List<Double> perRound, String note, boolean target) {
        if (perRound.isEmpty()) {
            return;
        }
        Stats s = new Stats("", "");
        perRound.forEach(s::add);
        StringBuilder each = new StringBuilder();
        perRound.forEach(r -> each.append(String.format(Locale.ROOT, " %.3f", r)));
        out("ratio %-9s per round:%s; median %.3f%s (%s)", name, each, s.median(),
                target ? (s.median() >= 0.5 ? "  target >= 0.5: MET" : "  target >= 0.5: NOT MET") : "", note);
    }

    private Stats stat(String name, String unit) {
        Stats s = new Stats(name, unit);
        stats.put(name, s);
        return s;
    }

    private static void record(Stats s, boolean warmUp, double rate) {
        if (!warmUp) {
            s.add(rate);
        }
    }

    private JobOptions jobOptions(String topic, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka", kafka.bootstrapServers(), "--prices-topic", topic,
                "--db-url", postgres.jdbcUrl(), "--db-user", PostgresServer.USER,
                "--kill-switch-dir", killSwitchDir.toString(),
                "--parallelism", String.valueOf(parallelism),
                "--group-id", "replay-path-" + UUID.randomUUID(),
                "--restart-attempts", "1"));
        args.addAll(List.of(extra));
        return JobOptions.parse(Map.of(), args.toArray(String[]::new));
    }

    private Map<String, String> env(String topic) {
        Map<String, String> env = new HashMap<>(Map.of(
                "DATABASE_URL", postgres.jdbcUrl(),
                "DATABASE_USER", PostgresServer.USER,
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
        if (topic != null) {
            env.put("PRICES_TOPIC", topic);
        }
        return env;
    }

    /** A REPLAY run as a user creates it for a replay: SMA 10/30, 60 s bars, all symbols. */
    private UUID createRun() throws SQLException {
        StrategyParams params = new StrategyParams(10, 30, 2, 5.0, 2.5, 60, true, null, null);
        try (Connection c = postgres.connect()) {
            return new RunStore(c).create(StrategyParams.STRATEGY_SMA_CROSS, RunType.REPLAY, params, "bench").id();
        }
    }

    private void deleteRows(UUID run) throws SQLException {
        try (Connection c = postgres.connect();
             PreparedStatement m = c.prepareStatement("DELETE FROM strategy_metrics WHERE strategy_run_id = ?");
             PreparedStatement p = c.prepareStatement("DELETE FROM strategy_positions_stream WHERE strategy_run_id = ?")) {
            m.setObject(1, run);
            m.executeUpdate();
            p.setObject(1, run);
            p.executeUpdate();
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void deleteTopic(String topic) throws Exception {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }

    /** A prices topic and its replay topic, as the local stack creates them (the tool would create the latter). */
    private void createTopics(String pricesTopic) {
        kafka.createTopic(pricesTopic, parallelism);
        kafka.createTopic(ReplayTopic.of(pricesTopic), parallelism);
    }

    private void deleteTopics(String pricesTopic) throws Exception {
        admin.deleteTopics(List.of(pricesTopic, ReplayTopic.of(pricesTopic))).all().get(30, TimeUnit.SECONDS);
    }

    private void shutdown() {
        for (AutoCloseable c : new AutoCloseable[] {flink, admin, kafka, postgres}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e.getMessage());
                }
            }
        }
        if (work != null) {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (Exception e) {
                System.err.println("cleaning " + work + ": " + e.getMessage());
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("check failed: " + message);
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
