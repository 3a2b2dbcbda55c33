package io.quantsignals.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real standalone Flink session cluster on this machine, no Docker: one JobManager JVM
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManager JVMs ({@code TaskManagerRunner}),
 * each a separate process with only the assembled distribution (target/flink-dist/lib) on its
 * classpath, started the way Flink's own {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh}
 * start them: a {@code conf/config.yaml}, the Java 17 options of {@code env.java.opts.all}, and the
 * JVM memory flags and {@code -D} settings that Flink's {@code BashJavaUtils} derives from the
 * configuration. Jobs are submitted, stopped and resumed with the real command-line front end
 * ({@code CliFrontend}, i.e. {@code bin/flink}) in a separate JVM.
 *
 * <p>Everything the cluster writes (configuration, a log and a stdout file per process,
 * checkpoints, savepoints) lives in one folder under target/flink-clusters. {@link #close()} stops
 * every process it started; a shutdown hook does the same if the test JVM exits first, and a
 * cluster started later kills what a crashed earlier test JVM left behind (pids recorded in
 * {@code running.pids}).
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    public static final int SLOTS_PER_TASK_MANAGER = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DIR_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);
    /** Short-lived client JVMs: quicker start-up matters more than peak speed (a harness choice, not Flink's). */
    private static final List<String> CLIENT_JVM_OPTS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * Extra options for the JobManager and TaskManager JVMs (harness choice, override with
     * -Dcluster.jvm.opts=...): C1 only. The tests push a few thousand ticks, so peak speed does not
     * matter, but C2 compiling three cluster JVMs at once on two cores made start-up and every job
     * deployment ~35% slower (cluster up in 17 s instead of 11 s, a job RUNNING 20 s instead of 15 s
     * after flink run).
     */
    private static final List<String> EXTRA_JVM_OPTS = split(System.getProperty("cluster.jvm.opts", "-XX:TieredStopAtLevel=1"));
    private static StandaloneFlinkCluster shared;
    private static Throwable sharedFailure;

    /** One process of the cluster (or a client run), with its log and stdout files. */
    public record Node(String name, Process process, Path logFile, Path outFile) {
        long pid() {
            return process.pid();
        }

        String describe(int logLines, int outLines) {
            String status = process.isAlive() ? "alive" : "exited with " + process.exitValue();
            return "---- " + name + " (pid " + pid() + ", " + status + ")\n"
                    + "     log " + logFile + ", last lines:\n" + tail(logFile, logLines)
                    + "     stdout/stderr " + outFile + ", last lines:\n" + tail(outFile, outLines);
        }
    }

    /** A finished {@code flink} command: exit code and everything it printed. */
    public record CliResult(List<String> command, int exitCode, String output, Node node) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path home;
    private final Path conf;
    private final Path logDir;
    private final Path lib;
    private final Path killSwitchDir;
    private final Path savepointDir;
    private final int restPort;
    private final List<String> tmJvmArgs;
    private final List<String> tmDynamicConfig;
    private final Map<String, Node> taskManagers = new LinkedHashMap<>();
    private final List<Node> processes = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook = new Thread(this::close, "flink-cluster-stop");
    private Node jobManager;
    private int nextTaskManager = 1;
    private int nextClient = 1;
    private Duration startupTime;
    private boolean closed;

    private StandaloneFlinkCluster(Path home, Path lib, int restPort, List<String> tmJvmArgs, List<String> tmDynamicConfig) {
        this.home = home;
        this.conf = home.resolve("conf");
        this.logDir = home.resolve("log");
        this.lib = lib;
        this.killSwitchDir = home.resolve("kill-switch");
        this.savepointDir = home.resolve("savepoints");
        this.restPort = restPort;
        this.tmJvmArgs = tmJvmArgs;
        this.tmDynamicConfig = tmDynamicConfig;
    }

    /** One cluster (a JobManager, two TaskManagers) per test JVM, stopped when the JVM exits. */
    public static synchronized StandaloneFlinkCluster shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException("the shared Flink cluster failed to start earlier in this JVM: "
                    + sharedFailure.getMessage(), sharedFailure);
        }
        if (shared == null || shared.closed) {
            try {
                shared = start(FlinkDistribution.workRoot(), 2);
            } catch (RuntimeException | Error e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers and returns once all are registered. */
    public static StandaloneFlinkCluster start(Path workRoot, int taskManagers) {
        long t0 = System.nanoTime();
        Path lib = FlinkDistribution.lib();
        reapLeftovers(workRoot);
        pruneOldClusters(workRoot, 2);
        Path home = workRoot.resolve(LocalDateTime.now().format(DIR_NAME));
        int[] ports = freePorts(3);
        int restPort = ports[0];
        try {
            for (String dir : List.of("conf", "log", "tmp", "web-tmp", "plugins", "checkpoints", "savepoints", "kill-switch")) {
                Files.createDirectories(home.resolve(dir));
            }
            writeConfig(home, restPort, ports[1], ports[2]);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + home + ": " + e.getMessage(), e);
        }

        // What bin/jobmanager.sh and bin/taskmanager.sh ask BashJavaUtils for; both at once to save time.
        CompletableFuture<List<String>> jmParams = CompletableFuture.supplyAsync(
                () -> bashJavaUtils(home, lib, "GET_JM_RESOURCE_PARAMS"));
        CompletableFuture<List<String>> tmParams = CompletableFuture.supplyAsync(
                () -> bashJavaUtils(home, lib, "GET_TM_RESOURCE_PARAMS"));
        List<String> jm = jmParams.join();
        List<String> tm = tmParams.join();

        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(home, lib, restPort, split(tm.get(0)), split(tm.get(1)));
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            List<String> jmArgs = new ArrayList<>(split(jm.get(0)));
            List<String> jmMainArgs = new ArrayList<>(List.of("--configDir", cluster.conf.toString()));
            jmMainArgs.addAll(split(jm.get(1)));
            cluster.jobManager = cluster.launch("jobmanager", jmArgs,
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", jmMainArgs);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < taskManagers; i++) {
                ids.add(cluster.launchTaskManager());
            }
            cluster.awaitRegistered(ids, Duration.ofSeconds(120));
            cluster.startupTime = Duration.ofNanos(System.nanoTime() - t0);
            System.out.printf("[cluster] standalone Flink cluster (1 JobManager, %d TaskManagers x %d slots) up in %.1f s;"
                            + " REST/web UI %s; files in %s%n", taskManagers, SLOTS_PER_TASK_MANAGER,
                    cluster.startupTime.toMillis() / 1000.0, cluster.restUrl(), home);
            return cluster;
        } catch (RuntimeException | Error e) {
            String logs = cluster.describe();
            cluster.close();
            throw new IllegalStateException("the Flink cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    // ------------------------------------------------------------------ configuration

    private static void writeConfig(Path home, int restPort, int rpcPort, int blobPort) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", rpcPort);
        c.put("jobmanager.bind-host", "localhost");
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.numberOfTaskSlots", SLOTS_PER_TASK_MANAGER);
        // 1280m per TaskManager: ~430 MB task heap. Managed memory serves RocksDB and batch jobs
        // only; this job keeps its state on the heap (hashmap backend), so it gets little.
        c.put("taskmanager.memory.process.size", "1280m");
        c.put("taskmanager.memory.managed.size", "64m");
        // Spread a job's slots over the TaskManagers (so losing one hits a running job).
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("parallelism.default", 2);
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", restPort);
        c.put("blob.server.port", blobPort);
        // A killed TaskManager is declared dead after 2 failed heartbeat RPCs (~2 s) rather than 50 s.
        c.put("heartbeat.interval", "1 s");
        c.put("heartbeat.timeout", "10 s");
        // The REST API's view of the metrics is refreshed every second instead of every 10 s.
        c.put("metrics.fetcher.update-interval", "1 s");
        c.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", home.resolve("savepoints").toUri().toString());
        c.put("io.tmp.dirs", home.resolve("tmp").toString());
        c.put("web.tmpdir", home.resolve("web-tmp").toString());
        c.put("env.java.opts.all", String.join(" ", FlinkDistribution.JAVA_17_OPTS));
        StringBuilder yaml = new StringBuilder("# Written by the cluster-tests harness (StandaloneFlinkCluster).\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v instanceof String s ? quote(s) : v).append('\n'));
        Files.writeString(home.resolve("conf/config.yaml"), yaml);

        // As Flink's conf/log4j.properties and conf/log4j-cli.properties: one file per process.
        String log4j = """
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = MainAppender
                logger.kafka.name = org.apache.kafka
                logger.kafka.level = WARN
                logger.pekko.name = org.apache.pekko
                logger.pekko.level = INFO
                logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
                logger.netty.level = OFF
                # Flink's sink committers register one metric twice per checkpoint: harmless, but it would fill the logs.
                logger.metricgroup.name = org.apache.flink.metrics.MetricGroup
                logger.metricgroup.level = ERROR
                appender.main.name = MainAppender
                appender.main.type = File
                appender.main.append = true
                appender.main.fileName = ${sys:log.file}
                appender.main.layout.type = PatternLayout
                appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
                """;
        Files.writeString(home.resolve("conf/log4j.properties"), log4j);
        Files.writeString(home.resolve("conf/log4j-cli.properties"), log4j);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Runs {@code BashJavaUtils <command> --configDir conf} and returns its result lines. */
    private static List<String> bashJavaUtils(Path home, Path lib, String command) {
        Path out = home.resolve("log/bash-java-utils-" + command + ".out");
        List<String> cmd = new ArrayList<>(List.of(FlinkDistribution.java(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-classpath", lib + "/*",
                "-Dlog4j.configurationFile=file:" + home.resolve("conf/log4j-cli.properties"),
                "-Dlog.file=" + home.resolve("log/bash-java-utils.log"),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", home.resolve("conf").toString()));
        try {
            Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("BashJavaUtils " + command + " timed out");
            }
            List<String> results = Files.readAllLines(out).stream().filter(l -> l.startsWith(RESULT_PREFIX))
                    .map(l -> l.substring(RESULT_PREFIX.length()).strip()).toList();
            if (p.exitValue() != 0 || results.size() < 2) {
                throw new IllegalStateException("BashJavaUtils " + command + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(out));
            }
            // The last two result lines: JVM arguments, then -D settings (as bin/config.sh reads them).
            return results.subList(results.size() - 2, results.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> split(String line) {
        return Arrays.stream(line.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    // ------------------------------------------------------------------ processes

    private Node launch(String name, List<String> jvmArgs, String mainClass, List<String> mainArgs) {
        Path log = logDir.resolve(name + ".log");
        Path out = logDir.resolve(name + ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(FlinkDistribution.java());
        cmd.addAll(jvmArgs);
        cmd.addAll(EXTRA_JVM_OPTS);
        cmd.addAll(FlinkDistribution.JAVA_17_OPTS);
        cmd.add("-Dlog.file=" + log);
        cmd.add("-Dlog4j.configurationFile=file:" + conf.resolve(name.startsWith("flink-") ? "log4j-cli.properties" : "log4j.properties"));
        cmd.add("-classpath");
        cmd.add(lib + "/*");
        cmd.add(mainClass);
        cmd.addAll(mainArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Map<String, String> env = pb.environment();
        env.put("FLINK_CONF_DIR", conf.toString());
        env.put("FLINK_LIB_DIR", lib.toString());
        env.put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
        env.put("FLINK_LOG_DIR", logDir.toString());
        try {
            Files.writeString(log, "", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            Node node = new Node(name, pb.start(), log, out);
            processes.add(node);
            recordPid(node.pid());
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    private synchronized String launchTaskManager() {
        String id = "tm-" + nextTaskManager++;
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        args.addAll(tmDynamicConfig);
        args.add("-Dtaskmanager.resource-id=" + id);
        taskManagers.put(id, launch("taskmanager-" + id, tmJvmArgs, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args));
        return id;
    }

    /** Starts one more TaskManager (e.g. to replace a lost one) and waits until it is registered. */
    public String startTaskManager(Duration timeout) {
        String id = launchTaskManager();
        awaitRegistered(List.of(id), timeout);
        return id;
    }

    /** SIGKILL (no shutdown of any kind) to a TaskManager's JVM, by its pid. */
    public synchronized long killTaskManager(String id) {
        Node node = taskManagers.remove(id);
        if (node == null) {
            throw new IllegalArgumentException("no running TaskManager " + id + "; running: " + taskManagers.keySet());
        }
        ProcessHandle handle = ProcessHandle.of(node.pid()).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().join();
        return node.pid();
    }

    /** The TaskManagers this harness has running (resource ids). */
    public synchronized Set<String> runningTaskManagers() {
        taskManagers.values().removeIf(n -> !n.process().isAlive());
        return new LinkedHashSet<>(taskManagers.keySet());
    }

    /** The TaskManagers the JobManager knows (resource ids); a killed one stays until it is declared dead. */
    public Set<String> registeredTaskManagers() {
        Set<String> ids = new TreeSet<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.get("id").asText());
        }
        return ids;
    }

    private void awaitRegistered(List<String> ids, Duration timeout) {
        await("TaskManagers " + ids + " registered with the JobManager", timeout, () -> {
            checkAlive();
            try {
                return registeredTaskManagers().containsAll(ids);
            } catch (RuntimeException notUpYet) {
                return false;
            }
        });
    }

    /**
     * Back to a clean state between tests: every job cancelled, {@code count} TaskManagers running
     * and exactly those registered (a killed one declared dead, a replacement started).
     */
    public void reset(int count) {
        cancelAllJobs();
        int missing = count - runningTaskManagers().size();
        List<String> started = new ArrayList<>();
        for (int i = 0; i < missing; i++) {
            started.add(launchTaskManager());
        }
        if (!started.isEmpty()) {
            awaitRegistered(started, Duration.ofSeconds(90));
        }
        await("only running TaskManagers registered", Duration.ofSeconds(60), () -> {
            try {
                return registeredTaskManagers().equals(new TreeSet<>(runningTaskManagers()));
            } catch (RuntimeException restHiccup) {
                return false;
            }
        });
    }

    private void checkAlive() {
        if (jobManager != null && !jobManager.process().isAlive()) {
            throw new IllegalStateException("the JobManager exited with " + jobManager.process().exitValue());
        }
        for (Map.Entry<String, Node> tm : Map.copyOf(taskManagers).entrySet()) {
            if (!tm.getValue().process().isAlive()) {
                throw new IllegalStateException("TaskManager " + tm.getKey() + " exited with " + tm.getValue().process().exitValue());
            }
        }
    }

    // ------------------------------------------------------------------ the flink command line

    /** {@code bin/flink <args>}: CliFrontend in its own JVM with FLINK_CONF_DIR set; waits for it to exit. */
    public CliResult flink(String... args) {
        String name;
        synchronized (this) {
            name = "flink-client-" + nextClient++ + "-" + args[0];
        }
        List<String> jvm = new ArrayList<>(CLIENT_JVM_OPTS);
        Node node = launch(name, jvm, "org.apache.flink.client.cli.CliFrontend", List.of(args));
        try {
            if (!node.process().waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                node.process().destroyForcibly();
                throw new IllegalStateException("flink " + String.join(" ", args) + " did not finish in " + CLIENT_TIMEOUT
                        + "\n" + node.describe(40, 40));
            }
            return new CliResult(List.of(args), node.process().exitValue(), Files.readString(node.outFile()), node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            processes.remove(node);
            processes.add(node); // keep the newest clients last for describe()
        }
    }

    /**
     * {@code flink run -d -m localhost:<rest port> [runOptions] flink-job.jar [jobArgs]}; returns
     * the job id the front end prints.
     */
    public String submit(List<String> runOptions, List<String> jobArgs) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "-m", "localhost:" + restPort));
        args.addAll(runOptions);
        args.add(FlinkDistribution.jobJar().toString());
        args.addAll(jobArgs);
        CliResult result = flink(args.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(result.output());
        if (result.exitCode() != 0 || !m.find()) {
            throw new AssertionError("flink " + String.join(" ", args) + " failed with exit code " + result.exitCode()
                    + ":\n" + result.output() + "\n" + result.node().describe(60, 0));
        }
        return m.group(1);
    }

    /** {@code flink stop --savepointPath <dir> <job>}: stop-with-savepoint; returns the savepoint's path. */
    public String stopWithSavepoint(String jobId) {
        CliResult result = flink("stop", "--savepointPath", savepointDir.toUri().toString(),
                "-m", "localhost:" + restPort, jobId);
        Matcher m = SAVEPOINT.matcher(result.output());
        if (result.exitCode() != 0 || !m.find()) {
            throw new AssertionError("flink stop " + jobId + " failed with exit code " + result.exitCode() + ":\n"
                    + result.output() + "\n" + result.node().describe(60, 0));
        }
        return m.group(1);
    }

    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /** Cancels every job that has not reached a terminal state and waits until none is left. */
    public void cancelAllJobs() {
        List<String> active = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (!isTerminal(job.get("state").asText())) {
                active.add(job.get("jid").asText());
            }
        }
        active.forEach(this::cancel);
        for (String id : active) {
            await("job " + id + " cancelled", Duration.ofSeconds(60), () -> isTerminal(jobState(id)));
        }
    }

    private static boolean isTerminal(String state) {
        return Set.of("FINISHED", "CANCELED", "FAILED").contains(state);
    }

    // ------------------------------------------------------------------ REST

    public String restUrl() {
        return "http://localhost:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    /** A folder every TaskManager of this cluster sees at the same absolute path (they share this host). */
    public Path killSwitchDir() {
        return killSwitchDir;
    }

    public Path home() {
        return home;
    }

    public Duration startupTime() {
        return startupTime;
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private URI uri(String path) {
        return URI.create(restUrl() + path);
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.build().method() + " " + request.build().uri() + ": HTTP "
                        + response.statusCode() + " " + response.body());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    public String jobState(String jobId) {
        return job(jobId).get("state").asText();
    }

    /** The job is RUNNING and so is every one of its tasks (not merely scheduled or deploying). */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = job(jobId);
        if (!job.get("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode vertex : job.get("vertices")) {
            if (!vertex.get("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    public void awaitAllTasksRunning(String jobId, Duration timeout) {
        await("every task of job " + jobId + " RUNNING", timeout, () -> {
            try {
                return allTasksRunning(jobId);
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /**
     * Failures in the job's exception history. Unlike task states, which the REST API serves from a
     * cache refreshed every few seconds, the history keeps a failure after a fast recovery.
     */
    public int failuresRecorded(String jobId) {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** A job-level metric such as numRestarts, or -1 if the REST API does not show it (yet). */
    public long jobMetric(String jobId, String metric) {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=" + metric)) {
            if (m.get("id").asText().equals(metric)) {
                return Long.parseLong(m.get("value").asText());
            }
        }
        return -1;
    }

    /** Vertex name → parallelism. */
    public Map<String, Integer> parallelism(String jobId) {
        Map<String, Integer> result = new LinkedHashMap<>();
        for (JsonNode vertex : job(jobId).get("vertices")) {
            result.put(vertex.get("name").asText(), vertex.get("parallelism").asInt());
        }
        return result;
    }

    /** The TaskManagers (resource ids) that run at least one subtask of the job. */
    public Set<String> taskManagersOf(String jobId) {
        Set<String> ids = new TreeSet<>();
        for (JsonNode vertex : job(jobId).get("vertices")) {
            for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText()).get("subtasks")) {
                ids.add(subtask.path("taskmanager-id").asText());
            }
        }
        ids.remove("");
        ids.remove("(unassigned)");
        return ids;
    }

    // ------------------------------------------------------------------ diagnostics and shutdown

    /** The last lines of every process's log, for failure messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder("Flink cluster in " + home + " (REST " + restUrl() + "):\n");
        List<Node> nodes = new ArrayList<>(processes);
        List<Node> clients = nodes.stream().filter(n -> n.name().startsWith("flink-client")).collect(Collectors.toList());
        nodes.removeAll(clients);
        nodes.addAll(clients.subList(Math.max(0, clients.size() - 2), clients.size()));
        for (Node node : nodes) {
            sb.append(node.describe(node.name().startsWith("flink-client") ? 15 : 30, 10));
        }
        return sb.toString();
    }

    static String tail(Path file, int lines) {
        if (lines <= 0) {
            return "";
        }
        try {
            if (!Files.exists(file)) {
                return "       (no file)\n";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .map(l -> "       " + l + "\n").collect(Collectors.joining());
        } catch (IOException | UncheckedIOException e) {
            return "       (unreadable: " + e.getMessage() + ")\n";
        }
    }

    /** Stops every process this cluster started: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook is running or about to
        }
        List<ProcessHandle> alive = processes.stream().map(n -> n.process().toHandle()).filter(ProcessHandle::isAlive).toList();
        alive.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle p : alive) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        taskManagers.clear();
        // Blobs (a copy of the 26 MB job jar per job and process) and working folders: ~100 MB per job.
        deleteRecursively(home.resolve("tmp"));
        deleteRecursively(home.resolve("web-tmp"));
    }

    /**
     * Deletes the folders (logs, checkpoints, savepoints) of earlier clusters, except the {@code keep}
     * latest and any started within the last hour (which a concurrent test run may still use).
     */
    private static void pruneOldClusters(Path workRoot, int keep) {
        if (!Files.isDirectory(workRoot)) {
            return;
        }
        String hourAgo = LocalDateTime.now().minusHours(1).format(DIR_NAME);
        try (var dirs = Files.list(workRoot)) {
            List<Path> clusters = dirs.filter(Files::isDirectory).sorted().toList();
            clusters.subList(0, Math.max(0, clusters.size() - keep)).stream()
                    .filter(dir -> dir.getFileName().toString().compareTo(hourAgo) < 0)
                    .forEach(StandaloneFlinkCluster::deleteRecursively);
        } catch (IOException e) {
            System.out.println("[cluster] could not prune " + workRoot + ": " + e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.out.println("[cluster] could not delete " + dir + ": " + e);
        }
    }

    /** Appends "pid owner-pid" to running.pids, so a later start can tell leftovers of a dead test JVM. */
    private void recordPid(long pid) {
        try {
            Files.createDirectories(home.getParent());
            Files.writeString(home.getParent().resolve("running.pids"), pid + " " + ProcessHandle.current().pid() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills cluster processes that a crashed earlier test JVM left running: only processes recorded
     * in running.pids, still running from this work folder, whose test JVM is gone (a concurrent
     * test run in the same checkout keeps its cluster).
     */
    private static void reapLeftovers(Path workRoot) {
        Path pids = workRoot.resolve("running.pids");
        if (!Files.exists(pids)) {
            return;
        }
        try {
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(pids)) {
                String[] f = line.strip().split("\\s+");
                if (f.length != 2) {
                    continue;
                }
                Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(f[0]))
                        .filter(p -> p.info().commandLine().map(c -> c.contains(workRoot.toString())).orElse(false));
                if (process.isEmpty()) {
                    continue;
                }
                if (ProcessHandle.of(Long.parseLong(f[1])).map(ProcessHandle::isAlive).orElse(false)) {
                    keep.add(line);
                } else {
                    System.out.println("[cluster] killing leftover Flink process " + f[0] + " of a test JVM that is gone");
                    process.get().destroyForcibly();
                }
            }
            Files.write(pids, keep);
        } catch (IOException | NumberFormatException e) {
            System.out.println("[cluster] could not check for leftover processes: " + e);
        }
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Polls {@code condition} every 100 ms; fails with the cluster's logs on time-out. */
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }
}
