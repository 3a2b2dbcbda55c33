package io.quantsignals.bench;

import io.quantsignals.core.db.Migrations;
import io.quantsignals.embedded.KafkaBroker;
import io.quantsignals.embedded.PostgresServer;
import io.quantsignals.ops.OpsCli;
import io.quantsignals.replay.ReplayStages;
import io.quantsignals.replay.ReplayTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.tools.ProducerPerformance;
import org.postgresql.PGConnection;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark of issue 4 ("Benchmark"), in one JVM: an embedded PostgreSQL and Kafka broker, a
 * generated CSV of N ticks, then a warm-up round and {@code --rounds} measured rounds of
 * <ul>
 *   <li>(1) {@code ops-cli prices import --file F.csv}, the real importer called in-process
 *       ({@link OpsCli#execute}), into an emptied {@code price_ticks};</li>
 *   <li>(2) plain {@code COPY price_ticks ... FROM STDIN WITH (FORMAT csv, HEADER)} of the same file
 *       through pgjdbc's {@code CopyManager}, into an emptied {@code price_ticks};</li>
 *   <li>(3) {@code replay-tool --speedup max} over the imported window ({@link ReplayTool#execute}),
 *       into a fresh topic with {@code --partitions} partitions;</li>
 *   <li>(4) Kafka's own {@code ProducerPerformance} ({@code kafka-producer-perf-test}) on the same
 *       broker, a fresh topic with the same partitions, N records of the replay messages' average
 *       size, {@code --throughput -1}, with the replay tool's producer settings;</li>
 *   <li>(4') unless {@code --skip-alt}: the same with {@code --payload-file} holding real replay
 *       messages (same sizes and compressibility as what the tool sends);</li>
 *   <li>(3r) unless {@code --skip-alt}: the replay tool's query alone (no Kafka), a diagnostic.</li>
 * </ul>
 * and the ratios (1)/(2) and (3)/(4) (targets >= 0.5). See bench/README.md, "Import and replay (issue 4)".
 */
public final class ImportReplayBench {

    private static final String USAGE = """
            usage: ImportReplayBench [--rows N] [--rounds N] [--symbols N] [--partitions N] [--seed N]
                                     [--perf-jvm in-process|child] [--skip-alt] [--keep-csv]
              --rows N        CSV rows = ticks imported and replayed = records of the producer tool (default 1000000)
              --rounds N      measured rounds after one warm-up round (default 3)
              --symbols N     symbols in the CSV (default 100)
              --partitions N  partitions of every topic (default 2, the local stack's PRICES_TOPIC_PARTITIONS)
              --seed N        seed of the generated CSV (default 42)
              --perf-jvm M    run ProducerPerformance in this JVM (default: same JVM, same JIT warm-up as the
                              replay tool) or in a child JVM (as kafka-producer-perf-test.sh would)
              --skip-alt      skip the diagnostics: (4') the producer tool with real replay messages as its
                              payload file, (3r) the replay tool's query alone
              --keep-csv      keep the generated CSV (its path is printed)
            """;

    /**
     * (2): the file's four columns; {@code source} (NOT NULL, no default in the schema) gets a column
     * default set by the harness for the duration of the benchmark, {@code ingest_seq} its own default.
     */
    static final String COPY_SQL = "COPY price_ticks (event_time, symbol, price, volume) FROM STDIN WITH (FORMAT csv, HEADER)";
    static final String COPY_SOURCE = "copy:bench";

    /** The replay tool's producer settings (TickPublisher), passed to ProducerPerformance. */
    static final List<String> PRODUCER_PROPS = List.of(
            "acks=all", "enable.idempotence=true", "max.in.flight.requests.per.connection=5", "linger.ms=10",
            "batch.size=131072", "compression.type=lz4");

    private static final Pattern IMPORT_RATE = Pattern.compile("imported (\\d+) rows .* in ([0-9.]+) s \\(([0-9.]+) rows/s\\)");
    private static final Pattern REPLAY_RATE = Pattern.compile("replayed (\\d+) ticks .* in ([0-9.]+) s \\(([0-9.]+) ticks/s\\)");
    private static final Pattern PERF_TOTAL = Pattern.compile(
            "(\\d+) records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg latency, ([0-9.]+) ms max latency, "
                    + "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");
    private static final int PAYLOAD_SAMPLE = 100_000;

    record Options(long rows, int rounds, int symbols, int partitions, long seed, boolean perfChild, boolean skipAlt,
                   boolean keepCsv) {
    }

    /** One generated CSV. */
    record Csv(Path file, long rows, long bytes, long firstMillis, long lastMillis) {
    }

    /** What one producer-tool run printed. */
    record PerfResult(long records, double recordsPerSecond, double mbPerSecond, double avgLatencyMs,
                      double maxLatencyMs, int p50, int p95, int p99, double wallSeconds) {
    }

    private final Options options;
    private final PostgresServer postgres;
    private final KafkaBroker kafka;
    private final Admin admin;
    private final Map<String, String> env;
    private final Csv csv;

    private final Stats importWall = new Stats("(1)  ops-cli prices import, wall time of OpsCli.execute", "rows/s");
    private final Stats importSelf = new Stats("(1s) ops-cli prices import, as the importer reports it", "rows/s");
    private final Stats copy = new Stats("(2)  COPY ... (FORMAT csv, HEADER) via CopyManager", "rows/s");
    private final Stats replayWall = new Stats("(3)  replay-tool --speedup max, wall time of execute", "ticks/s");
    private final Stats replaySelf = new Stats("(3s) replay-tool --speedup max, as the tool reports it", "ticks/s");
    private final Stats replayRead = new Stats("(3r) the replay's query alone (no Kafka), the tool's reader", "rows/s");
    private final Stats perf = new Stats("(4)  ProducerPerformance --record-size S", "records/s");
    private final Stats perfMb = new Stats("(4)  ProducerPerformance --record-size S", "MB/s");
    private final Stats perfAlt = new Stats("(4') ProducerPerformance --payload-file (replay messages)", "records/s");
    private final List<Double> importRatios = new ArrayList<>();
    private final List<Double> replayRatios = new ArrayList<>();
    private final List<Double> replayAltRatios = new ArrayList<>();

    /** What COPY stored in the warm-up round, compared with what the import stored. */
    private TableSummary copySummary;
    private int recordSize;
    private double avgKeySize;
    private Path payloadFile;

    private ImportReplayBench(Options options, PostgresServer postgres, KafkaBroker kafka, Admin admin, Csv csv) {
        this.options = options;
        this.postgres = postgres;
        this.kafka = kafka;
        this.admin = admin;
        this.csv = csv;
        this.env = Map.of(
                "DATABASE_URL", postgres.jdbcUrl(),
                "DATABASE_USER", PostgresServer.USER,
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ImportReplayBench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        System.out.println("== Import and replay benchmark (issue 4) ==");
        System.out.println("machine: " + Machine.describe());
        System.out.println("load average at start: " + Machine.load());
        System.out.printf(Locale.ROOT, "rows %,d, symbols %d, partitions %d, rounds 1 warm-up + %d, ProducerPerformance %s%n",
                options.rows(), options.symbols(), options.partitions(), options.rounds(),
                options.perfChild() ? "in a child JVM" : "in this JVM");

        Path work = Files.createTempDirectory("import-replay-bench");
        Csv csv = generate(work.resolve("ticks.csv"), options.rows(), options.symbols(), options.seed());
        System.out.printf(Locale.ROOT, "CSV %s: %,d rows, %,d bytes (%.1f MB), event time %s to %s%n", csv.file(),
                csv.rows(), csv.bytes(), csv.bytes() / 1e6, Instant.ofEpochMilli(csv.firstMillis()),
                Instant.ofEpochMilli(csv.lastMillis()));

        long t = System.nanoTime();
        PostgresServer postgres = PostgresServer.start(0, null);
        try (Connection c = postgres.connect()) {
            Migrations.apply(c);
        }
        System.out.printf(Locale.ROOT, "PostgreSQL %s started and migrated in %.1f s%n", postgres.jdbcUrl(), secondsSince(t));
        t = System.nanoTime();
        KafkaBroker kafka = KafkaBroker.start(0, null);
        System.out.printf(Locale.ROOT, "Kafka %s started in %.1f s%n", kafka.bootstrapServers(), secondsSince(t));
        Properties adminProps = new Properties();
        adminProps.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(adminProps)) {
            new ImportReplayBench(options, postgres, kafka, admin, csv).run();
        } finally {
            kafka.close();
            postgres.close();
            if (!options.keepCsv()) {
                try (Stream<Path> files = Files.walk(work)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.out.println("load average at end: " + Machine.load());
        System.out.printf(Locale.ROOT, "total time %.0f s%n", secondsSince(started));
    }

    private void run() throws Exception {
        try (Connection admin = adminConnection(); Statement s = admin.createStatement()) {
            s.execute("ALTER TABLE price_ticks ALTER COLUMN source SET DEFAULT '" + COPY_SOURCE + "'");
        }
        for (int round = 0; round <= options.rounds(); round++) {
            boolean warmUp = round == 0;
            String label = warmUp ? "warm-up" : "round " + round;
            System.out.println();
            System.out.println("-- " + label + " (load " + Machine.load() + ")");

            // (2) before (1), so that the imported rows stay for the replay.
            double copyRate = runCopy(warmUp);
            double importRate = runImport(warmUp);

            double replayRate;
            double perfRate;
            Double perfAltRate = null;
            // The producer tool needs the replay messages' size, known after the first replay; after
            // that the order alternates, so neither side always runs on a broker that just took N records.
            if (warmUp || round % 2 == 1) {
                replayRate = runReplay(round, warmUp);
                perfRate = runPerf(round, false, warmUp).recordsPerSecond();
            } else {
                perfRate = runPerf(round, false, warmUp).recordsPerSecond();
                replayRate = runReplay(round, warmUp);
            }
            if (!options.skipAlt()) {
                perfAltRate = runPerf(round, true, warmUp).recordsPerSecond();
                runReplayQuery(warmUp);
            }
            System.out.printf(Locale.ROOT, "   ratios this round: import/COPY %.2f, replay/producer-perf %.2f%s%n",
                    importRate / copyRate, replayRate / perfRate,
                    perfAltRate == null ? "" : String.format(Locale.ROOT, ", replay/producer-perf(payload file) %.2f",
                            replayRate / perfAltRate));
            if (!warmUp) {
                importRatios.add(importRate / copyRate);
                replayRatios.add(replayRate / perfRate);
                if (perfAltRate != null) {
                    replayAltRatios.add(replayRate / perfAltRate);
                }
            }
        }
        try (Connection admin = adminConnection(); Statement s = admin.createStatement()) {
            s.execute("ALTER TABLE price_ticks ALTER COLUMN source DROP DEFAULT");
        }
        report();
    }

    // ---------------------------------------------------------------------------------------- (2)

    private double runCopy(boolean warmUp) throws Exception {
        emptyPriceTicks();
        long t0 = System.nanoTime();
        long copied;
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
             InputStream in = Files.newInputStream(csv.file())) {
            copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL, in, 64 * 1024);
        }
        double seconds = secondsSince(t0);
        check(copied == csv.rows(), "COPY reported " + copied + " rows, expected " + csv.rows());
        TableSummary summary = summarise();
        check(summary.rows() == csv.rows(), "after COPY price_ticks has " + summary.rows() + " rows");
        if (warmUp) {
            copySummary = summary;
        }
        double rate = csv.rows() / seconds;
        System.out.printf(Locale.ROOT, "   (2) COPY csv:            %,12.0f rows/s  (%.2f s)%n", rate, seconds);
        if (!warmUp) {
            copy.add(rate);
        }
        return rate;
    }

    // ---------------------------------------------------------------------------------------- (1)

    private double runImport(boolean warmUp) throws Exception {
        emptyPriceTicks();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = OpsCli.execute(env, o, e, "prices", "import", "--file", csv.file().toString());
        }
        double seconds = secondsSince(t0);
        check(code == 0, "ops-cli prices import exited " + code + ": " + out + err);
        Matcher m = IMPORT_RATE.matcher(out.toString());
        check(m.find(), "no summary line from ops-cli prices import: " + out);
        check(Long.parseLong(m.group(1)) == csv.rows(), "ops-cli imported " + m.group(1) + " rows, expected " + csv.rows());
        double self = Double.parseDouble(m.group(3));
        TableSummary summary = summarise();
        check(summary.rows() == csv.rows(), "after the import price_ticks has " + summary.rows() + " rows");
        if (warmUp) {
            // Outside the timings: both paths stored the same ticks (source aside).
            check(summary.sameTicks(copySummary), "the import and COPY stored different ticks:\n  import " + summary
                    + "\n  COPY   " + copySummary);
            check(summary.firstMillis() == csv.firstMillis() && summary.lastMillis() == csv.lastMillis(),
                    "imported window " + summary + " is not the CSV's");
            System.out.println("   check: import and COPY stored the same ticks: " + summary);
            System.out.println("   ops-cli said: " + out.toString().strip());
        }
        double rate = csv.rows() / seconds;
        System.out.printf(Locale.ROOT, "   (1) ops-cli prices import:%,12.0f rows/s  (%.2f s; %,.0f rows/s reported)%n",
                rate, seconds, self);
        if (!warmUp) {
            importWall.add(rate);
            importSelf.add(self);
        }
        return rate;
    }

    // ---------------------------------------------------------------------------------------- (3)

    private double runReplay(int round, boolean warmUp) throws Exception {
        String topic = "replay-r" + round;
        kafka.createTopic(topic, options.partitions());
        Map<String, String> replayEnv = new HashMap<>(env);
        replayEnv.put("PRICES_TOPIC", topic);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String start = Instant.ofEpochMilli(csv.firstMillis()).toString();
        String end = Instant.ofEpochMilli(csv.lastMillis() + 1).toString();
        gc();
        long t0 = System.nanoTime();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = ReplayTool.execute(replayEnv, o, e, "--start-ts", start, "--end-ts", end, "--speedup", "max");
        }
        double seconds = secondsSince(t0);
        check(code == 0, "replay-tool exited " + code + ": " + out + err);
        Matcher m = REPLAY_RATE.matcher(out.toString());
        check(m.find(), "no summary line from replay-tool: " + out);
        check(Long.parseLong(m.group(1)) == csv.rows(), "replay-tool replayed " + m.group(1) + " ticks, expected " + csv.rows());
        double self = Double.parseDouble(m.group(3));
        long inTopic = endOffsets(topic);
        check(inTopic == csv.rows() + options.partitions(), "topic " + topic + " holds " + inTopic + " records, expected "
                + csv.rows() + " ticks + " + options.partitions() + " end markers");
        if (warmUp) {
            System.out.println("   replay-tool said: " + out.toString().strip());
            measureMessages(topic);
        }
        deleteTopic(topic);
        double rate = csv.rows() / seconds;
        System.out.printf(Locale.ROOT, "   (3) replay-tool max:     %,12.0f ticks/s (%.2f s; %,.0f ticks/s reported)%n",
                rate, seconds, self);
        if (!warmUp) {
            replayWall.add(rate);
            replaySelf.add(self);
        }
        return rate;
    }

    /**
     * (3r), a diagnostic: what the replay tool's database side costs alone: its own reader
     * ({@link ReplayStages#read}: TickReader's binary COPY through the prefetcher, exactly as the tool
     * drives it), no Kafka.
     */
    private void runReplayQuery(boolean warmUp) throws Exception {
        gc();
        long t0 = System.nanoTime();
        long rows;
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "")) {
            rows = ReplayStages.read(c, Instant.ofEpochMilli(csv.firstMillis()), Instant.ofEpochMilli(csv.lastMillis() + 1),
                    false).count();
        }
        double seconds = secondsSince(t0);
        check(rows == csv.rows(), "the replay query read " + rows + " rows");
        double rate = rows / seconds;
        System.out.printf(Locale.ROOT, "   (3r) replay query alone: %,12.0f rows/s  (%.2f s)%n", rate, seconds);
        if (!warmUp) {
            replayRead.add(rate);
        }
    }

    /** Average size of the replay's tick messages, and a payload file of real ones for (4'). */
    private void measureMessages(String topic) throws IOException {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        long ticks = 0;
        long valueBytes = 0;
        long keyBytes = 0;
        long markers = 0;
        payloadFile = csv.file().resolveSibling("replay-messages.txt");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             OutputStream payloads = Files.newOutputStream(payloadFile)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                check(System.nanoTime() < deadline, "reading " + topic + " back took more than 5 minutes");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    if (value.contains("\"replay_end\"")) {
                        markers++;
                        continue;
                    }
                    ticks++;
                    valueBytes += r.value().length;
                    keyBytes += r.key() == null ? 0 : r.key().length;
                    if (ticks <= PAYLOAD_SAMPLE) {
                        payloads.write(r.value());
                        payloads.write('\n');
                    }
                }
            }
        }
        check(ticks == csv.rows() && markers == options.partitions(), "read back " + ticks + " ticks and " + markers + " markers");
        double avg = (double) valueBytes / ticks;
        avgKeySize = (double) keyBytes / ticks;
        recordSize = (int) Math.round(avg);
        System.out.printf(Locale.ROOT, "   replay messages: %,d ticks read back, value %.2f bytes on average (key %.1f bytes)"
                + " -> ProducerPerformance --record-size %d; payload file: the first %,d messages%n",
                ticks, avg, avgKeySize, recordSize, Math.min(ticks, PAYLOAD_SAMPLE));
    }

    // ---------------------------------------------------------------------------------------- (4)

    private PerfResult runPerf(int round, boolean payloadFromFile, boolean warmUp) throws Exception {
        String topic = (payloadFromFile ? "perf-file-r" : "perf-r") + round;
        kafka.createTopic(topic, options.partitions());
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-server", kafka.bootstrapServers(),
                "--topic", topic,
                "--num-records", Long.toString(csv.rows()),
                "--throughput", "-1"));
        if (payloadFromFile) {
            args.addAll(List.of("--payload-file", payloadFile.toString()));
        } else {
            args.addAll(List.of("--record-size", Integer.toString(recordSize)));
        }
        args.add("--command-property");
        args.addAll(PRODUCER_PROPS);
        gc();
        long t0 = System.nanoTime();
        String output = options.perfChild() ? perfInChildJvm(args) : perfInProcess(args);
        double wall = secondsSince(t0);
        PerfResult result = null;
        for (String line : output.split("\n")) {
            Matcher m = PERF_TOTAL.matcher(line);
            if (m.find()) {
                result = new PerfResult(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                        Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8)), wall);
            }
        }
        check(result != null && result.records() == csv.rows(), "no total line for " + csv.rows()
                + " records from ProducerPerformance:\n" + output);
        long inTopic = endOffsets(topic);
        check(inTopic == csv.rows(), "topic " + topic + " holds " + inTopic + " records, expected " + csv.rows());
        deleteTopic(topic);
        if (warmUp) {
            System.out.println("   ProducerPerformance " + String.join(" ", args));
        }
        System.out.printf(Locale.ROOT, "   (4%s) producer-perf%s:%,12.0f rec/s   (%.2f MB/s, %.2f s wall; latency avg %.0f ms,"
                        + " p50 %d, p99 %d, max %.0f ms)%n",
                payloadFromFile ? "'" : "", payloadFromFile ? " file" : "     ", result.recordsPerSecond(),
                result.mbPerSecond(), wall, result.avgLatencyMs(), result.p50(), result.p99(), result.maxLatencyMs());
        if (!warmUp) {
            if (payloadFromFile) {
                perfAlt.add(result.recordsPerSecond());
            } else {
                perf.add(result.recordsPerSecond());
                perfMb.add(result.mbPerSecond());
            }
        }
        return result;
    }

    /** Runs the tool's main in this JVM with System.out captured (it reports there). */
    private static synchronized String perfInProcess(List<String> args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            ProducerPerformance.main(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Runs the tool as kafka-producer-perf-test.sh does: its own JVM (this JVM's classpath and java). */
    private static String perfInChildJvm(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ProducerPerformance"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        check(code == 0, "ProducerPerformance exited " + code + ":\n" + output);
        return output;
    }

    // ---------------------------------------------------------------------------------------- report

    private void report() {
        System.out.println();
        System.out.printf(Locale.ROOT, "== Results: %,d rows, %d symbols, %d partitions, %d measured rounds ==%n",
                csv.rows(), options.symbols(), options.partitions(), options.rounds());
        System.out.println("machine: " + Machine.describe());
        System.out.println(Stats.header());
        for (Stats s : List.of(importWall, importSelf, copy, replayWall, replaySelf, replayRead, perf, perfMb, perfAlt)) {
            if (!s.isEmpty()) {
                System.out.println(s.row(s == perfMb ? 2 : 0));
            }
        }
        System.out.printf(Locale.ROOT, "S = %d bytes (the replay messages' average value size; their keys add %.1f bytes)%n",
                recordSize, avgKeySize);
        System.out.println();
        printRatio("import/COPY          (1)/(2)", importWall.median() / copy.median(), importRatios);
        printRatio("replay/producer-perf (3)/(4)", replayWall.median() / perf.median(), replayRatios);
        if (!perfAlt.isEmpty()) {
            printRatio("replay/producer-perf (3)/(4')", replayWall.median() / perfAlt.median(), replayAltRatios);
        }
    }

    /**
     * The verdict uses the per-round ratios: both sides of a pair ran back to back in the same round,
     * so a slow round (JIT, another process) affects both; the ratio of the medians can pair figures
     * from different rounds.
     */
    private static void printRatio(String name, double ofMedians, List<Double> perRound) {
        Stats s = new Stats("", "");
        perRound.forEach(s::add);
        System.out.printf(Locale.ROOT, "ratio %-30s per round: median %.2f (min %.2f, max %.2f); of the medians %.2f  %s%n",
                name, s.median(), s.min(), s.max(), ofMedians, s.median() >= 0.5 ? "target >= 0.5 met" : "BELOW target 0.5");
    }

    // ---------------------------------------------------------------------------------------- helpers

    /** The generated ticks: 100 symbols each a random walk in cents, event time rising 1-19 ms per row. */
    static Csv generate(Path file, long rows, int symbols, long seed) throws IOException {
        Random random = new Random(seed);
        String[] names = new String[symbols];
        long[] cents = new long[symbols];
        for (int i = 0; i < symbols; i++) {
            names[i] = String.format(Locale.ROOT, "SYM%03d", i);
            cents[i] = 1_000 + random.nextInt(500_000); // 10.00 .. 5,009.99
        }
        long ts = Instant.parse("2024-06-03T08:00:00Z").toEpochMilli();
        long first = ts;
        StringBuilder line = new StringBuilder(64);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("ts,symbol,price,volume\n");
            for (long r = 0; r < rows; r++) {
                if (r > 0) {
                    ts += 1 + random.nextInt(19);
                }
                int s = random.nextInt(symbols);
                long step = Math.round(random.nextGaussian() * cents[s] * 0.0005);
                cents[s] = Math.max(1, cents[s] + step);
                line.setLength(0);
                line.append(Instant.ofEpochMilli(ts)).append(',').append(names[s]).append(',')
                        .append(cents[s] / 100).append('.');
                long c = cents[s] % 100;
                if (c < 10) {
                    line.append('0');
                }
                line.append(c).append(',').append(1 + random.nextInt(1_000)).append('\n');
                w.append(line);
            }
        }
        return new Csv(file, rows, Files.size(file), first, ts);
    }

    /** Row count, window and an order-independent digest of price_ticks (source and ingest_seq left out). */
    record TableSummary(long rows, long symbols, long firstMillis, long lastMillis, String priceSum, String volumeSum,
                        String digest) {
        boolean sameTicks(TableSummary other) {
            return other != null && rows == other.rows && symbols == other.symbols && firstMillis == other.firstMillis
                    && lastMillis == other.lastMillis && priceSum.equals(other.priceSum) && volumeSum.equals(other.volumeSum)
                    && digest.equals(other.digest);
        }
    }

    private TableSummary summarise() throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT symbol),"
                     + " (extract(epoch FROM min(event_time)) * 1000)::bigint, (extract(epoch FROM max(event_time)) * 1000)::bigint,"
                     + " sum(price::numeric)::text, sum(volume::numeric)::text,"
                     + " sum(('x' || substr(md5(event_time::text || symbol || price::text || coalesce(volume::text, '')), 1, 15))::bit(60)::bigint)::text"
                     + " FROM price_ticks")) {
            rs.next();
            return new TableSummary(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                    rs.getString(6), rs.getString(7));
        }
    }

    /** TRUNCATE, then CHECKPOINT, so a run does not pay for the previous run's dirty pages; then {@link #gc}. */
    private void emptyPriceTicks() throws SQLException, IOException, InterruptedException {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE price_ticks");
            s.execute("CHECKPOINT");
        }
        gc();
    }

    /** The embedded server's superuser (CHECKPOINT and ALTER TABLE), on the quant database. */
    private Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
    }

    private long endOffsets(String topic) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < options.partitions(); p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        return admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    /** Keeps the broker's disk use to one round's topics. */
    private void deleteTopic(String topic) throws Exception {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Before every measured step: flush dirty pages to disk (the previous step's Kafka log segments or
     * table files would otherwise be written back during this one) and collect garbage.
     */
    private static void gc() throws IOException, InterruptedException {
        Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
        sync.getInputStream().readAllBytes();
        sync.waitFor(60, TimeUnit.SECONDS);
        System.gc();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("check failed: " + message);
        }
    }

    private static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    static Options parse(String[] args) {
        long rows = 1_000_000;
        int rounds = 3;
        int symbols = 100;
        int partitions = 2;
        long seed = 42;
        boolean perfChild = false;
        boolean skipAlt = false;
        boolean keepCsv = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--rows" -> rows = Long.parseLong(value(args, ++i, a).replace("_", ""));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--symbols" -> symbols = Integer.parseInt(value(args, ++i, a));
                case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--perf-jvm" -> {
                    String v = value(args, ++i, a);
                    if (!v.equals("child") && !v.equals("in-process")) {
                        throw new IllegalArgumentException("--perf-jvm takes in-process or child, not " + v);
                    }
                    perfChild = v.equals("child");
                }
                case "--skip-alt" -> skipAlt = true;
                case "--keep-csv" -> keepCsv = true;
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (rows < 1 || rounds < 1 || symbols < 1 || symbols > 1000 || partitions < 1) {
            throw new IllegalArgumentException("--rows, --rounds, --partitions must be >= 1 and --symbols 1..1000");
        }
        return new Options(rows, rounds, symbols, partitions, seed, perfChild, skipAlt, keepCsv);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
