package io.quantsignals.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time spent during one measured step, by whom: this JVM's threads grouped by name (the replay
 * tool, the broker, Flink's tasks, ...) and the embedded PostgreSQL's processes, so a stage
 * breakdown needs no profiler. JVM threads and the embedded PostgreSQL's processes (the postmaster
 * and its children, from {@code /proc}, 10 ms clock ticks) are sampled every {@link #PERIOD_MILLIS}
 * ms; a thread or backend that ends between two samples loses at most that much.
 */
final class CpuMeter implements AutoCloseable {

    static final long PERIOD_MILLIS = 100;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final long postmasterPid;
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> first = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, Long> pgFirst = new HashMap<>();
    private final Map<Long, Long> pgLast = new HashMap<>();
    private final Thread sampler;
    private final long wallStart = System.nanoTime();
    private volatile boolean stopped;
    private long wallEnd;

    /** Starts measuring now; {@code postmasterPid} 0: no PostgreSQL figure. */
    CpuMeter(long postmasterPid) {
        this.postmasterPid = postmasterPid;
        sample(true);
        sampler = new Thread(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                sample(false);
            }
        }, "bench-cpu-meter");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample(boolean baseline) {
        postgresSample(baseline);
        long[] ids = threads.getAllThreadIds();
        long[] cpu = threads.getThreadCpuTime(ids);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] < 0) {
                continue;
            }
            long id = ids[i];
            if (!names.containsKey(id)) {
                var info = threads.getThreadInfo(id);
                if (info == null) {
                    continue;
                }
                names.put(id, info.getThreadName());
                // A thread born after the start counts from zero.
                first.put(id, baseline ? cpu[i] : 0L);
            }
            last.put(id, cpu[i]);
        }
    }

    /** Stops measuring (call right at the end of the step). */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        sample(false);
        wallEnd = System.nanoTime();
        stopped = true;
        sampler.interrupt();
    }

    double wallSeconds() {
        return (wallEnd - wallStart) / 1e9;
    }

    synchronized double postgresSeconds() {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : pgLast.entrySet()) {
            ticks += e.getValue() - pgFirst.get(e.getKey());
        }
        return ticks / 100.0; // USER_HZ = 100
    }

    /** CPU seconds per thread group (names with digits and task indexes folded), largest first. */
    synchronized Map<String, Double> byGroup() {
        Map<String, Double> groups = new HashMap<>();
        for (Map.Entry<Long, Long> e : last.entrySet()) {
            double s = (e.getValue() - first.get(e.getKey())) / 1e9;
            if (s > 0) {
                groups.merge(group(names.get(e.getKey())), s, Double::sum);
            }
        }
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> result = new LinkedHashMap<>();
        sorted.forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    double jvmSeconds() {
        return byGroup().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The coarse stage of a thread: what the REPLAY path's breakdown reports. */
    static String stage(String group) {
        String g = group.toLowerCase(Locale.ROOT);
        if (g.startsWith("bench-consumer")) {
            return "baseline: KafkaConsumer poll + TickParser";
        }
        if (g.startsWith("replay-reader")) {
            return "tool: DB read (pgjdbc, reader thread)";
        }
        if (g.startsWith("replay-tool-main")) {
            return "tool: JSON + producer.send (incl. lz4)";
        }
        if (g.contains("producer-network-thread | replay-tool")) {
            return "tool: producer network thread";
        }
        if (g.contains("kafka-ticks-archive")) {
            return "job: tick-archive pipeline (source, fetcher)";
        }
        if (g.contains("source: kafka-replays")) { // the task and its "Source Data Fetcher for Source: ..."
            return "job: Kafka source, replay topic (fetch, parse, validate, hop out)";
        }
        if (g.contains("source: kafka-ticks") || g.contains("kafka-source")) {
            return "job: Kafka source, prices topic (fetch, parse, validate, hop out)";
        }
        if (g.contains("sma-crossover")) {
            return "job: strategy (keyed, evaluate)";
        }
        if (g.contains("strategy_metrics") || g.contains("price_ticks") || g.contains("rejected_ticks")
                || g.contains("kill_switch") || g.contains("strategy_positions") || g.contains("sink")) {
            return "job: sinks";
        }
        if (g.contains("kafka-request-handler") || g.contains("kafka-network-thread") || g.contains("data-plane")
                || g.contains("broker") || g.contains("kafka-scheduler") || g.contains("raft") || g.contains("log-cleaner")
                || g.contains("controller") || g.contains("quorum") || g.contains("kafka-") || g.contains("executor-")) {
            return "broker (Kafka, in this JVM)";
        }
        if (g.startsWith("gc") || g.contains("g1 ") || g.contains("vm thread") || g.contains("compiler")
                || g.contains("c1 ") || g.contains("c2 ") || g.contains("jfr") || g.contains("vm periodic")) {
            return "JVM (GC, JIT, VM)";
        }
        if (g.startsWith("bench-") || g.startsWith("main")) {
            return "harness";
        }
        if (g.contains("flink") || g.contains("pekko") || g.contains("akka") || g.contains("checkpoint")
                || g.contains("jobmanager") || g.contains("taskmanager") || g.contains("mailbox") || g.contains("rpc")) {
            return "Flink runtime (other)";
        }
        return "other JVM threads";
    }

    static String group(String name) {
        if (name == null) {
            return "?";
        }
        // "Source: kafka-ticks -> validate-ticks (1/2)#0" -> "Source: kafka-ticks -> validate-ticks"
        String g = name.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?", "");
        return g.replaceAll("\\d+", "N");
    }

    /** Stage totals (see {@link #stage}) in CPU seconds, largest first, with PostgreSQL. */
    Map<String, Double> byStage() {
        Map<String, Double> stages = new HashMap<>();
        byGroup().forEach((g, s) -> stages.merge(stage(g), s, Double::sum));
        if (postmasterPid > 0) {
            stages.put("PostgreSQL (server processes)", postgresSeconds());
        }
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(stages.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> result = new LinkedHashMap<>();
        sorted.forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    /**
     * The CPU time (clock ticks) of the postmaster and of each of its children, kept per process: a
     * backend that ends between two samples loses at most one period.
     */
    private void postgresSample(boolean baseline) {
        if (postmasterPid <= 0) {
            return;
        }
        long[] pm = stat(Path.of("/proc", Long.toString(postmasterPid), "stat"));
        if (pm != null) {
            record(postmasterPid, pm[1] + pm[2], baseline);
        }
        // The kernel's list of the postmaster's children (CONFIG_PROC_CHILDREN): far cheaper than
        // walking /proc, which at 20 samples a second cost the harness more CPU than it measured.
        String children;
        try {
            children = Files.readString(Path.of("/proc", Long.toString(postmasterPid), "task",
                    Long.toString(postmasterPid), "children"));
        } catch (IOException | RuntimeException e) {
            children = null;
        }
        if (children != null) {
            for (String pid : children.trim().split("\\s+")) {
                if (!pid.isEmpty()) {
                    long[] s = stat(Path.of("/proc", pid, "stat"));
                    if (s != null && s[0] == postmasterPid) {
                        record(Long.parseLong(pid), s[1] + s[2], baseline);
                    }
                }
            }
            return;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (n.isEmpty() || !Character.isDigit(n.charAt(0))) {
                    continue;
                }
                long[] s = stat(p.resolve("stat"));
                if (s != null && s[0] == postmasterPid) {
                    record(Long.parseLong(n), s[1] + s[2], baseline);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a process listing that failed: this sample counts nothing new
        }
    }

    private void record(long pid, long ticks, boolean baseline) {
        pgFirst.putIfAbsent(pid, baseline ? ticks : 0L);
        pgLast.merge(pid, ticks, Math::max);
    }

    /** ppid, utime, stime, cutime, cstime of one process, or null if it is gone. */
    private static long[] stat(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        int close = text.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = text.substring(close + 2).split(" ");
        // After "pid (comm) ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        try {
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Process id of the postmaster behind a connection's backend. */
    static long postmasterOf(long backendPid) {
        long[] s = stat(Path.of("/proc", Long.toString(backendPid), "stat"));
        return s == null ? 0 : s[0];
    }
}
