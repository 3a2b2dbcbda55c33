package io.quantsignals.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./quant-signals up} as an operator meets it, in one JVM of its own: the settings it prints
 * (FLINK_URL among them), Flink's metrics on the Prometheus port, a failure the job restarts after
 * as one line naming the root cause, the job's end (cancelled from the web UI) ending {@code up}
 * with one line and exit 1, and a job that cannot start (its checkpoint unreadable) the same way;
 * never a stack trace on the console, always one in the log file the lines name.
 */
class UpTest {

    private static final Pattern STACK_TRACE_LINE = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(");

    @TempDir
    Path dataDir;

    @TempDir
    Path logDir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void upPrintsItsSettingsServesMetricsAndReportsJobFailuresInOneLine() throws Exception {
        StackProcess stack = new StackProcess(dataDir, logDir);
        Path logFile = dataDir.resolve("quant-signals.log");
        long t0 = System.nanoTime();
        Process first = stack.start("first");
        Process second = null;
        try {
            String job = stack.awaitRunningJob(first, "first");
            stack.await("the settings", Duration.ofSeconds(10), () -> stack.log("first").contains("Press Ctrl-C"), first);
            String printed = stack.log("first");
            assertTrue(printed.contains("\n  export FLINK_URL=http://localhost:" + stack.webPort + "\n"), printed);
            assertTrue(printed.contains("\nPrometheus metrics: http://localhost:" + stack.metricsPort + "/metrics\n"), printed);
            assertTrue(printed.contains("\nLog (Flink, Kafka, PostgreSQL): " + logFile + "\n"), printed);
            long up = System.nanoTime();

            // Flink's metrics, the job's own counters included, in Prometheus's format.
            produce(stack, 20, 0);
            stack.await("ticksIn = 20 on /metrics", Duration.ofSeconds(60), () -> sum(scrape(stack), "ticksIn") == 20, first);
            String metrics = scrape(stack);
            assertTrue(metrics.contains("flink_jobmanager_numRunningJobs"), "the JobManager's metrics too");
            assertTrue(sum(metrics, "ticksArchived") <= 20, metrics);
            long scraped = System.nanoTime();

            // A failure Flink restarts the job after: one line with the root cause, the trace in the log.
            sql(stack, "ALTER TABLE price_ticks RENAME TO price_ticks_away");
            produce(stack, 1, 20);
            String restartLine = "quant-signals: the Flink job failed and restarts from its latest checkpoint: ERROR: relation"
                    + " \"price_ticks\" does not exist (details in " + logFile + ")";
            stack.await("the restart's line", Duration.ofSeconds(60), () -> stack.log("first").contains(restartLine), first);
            sql(stack, "ALTER TABLE price_ticks_away RENAME TO price_ticks");
            // Recovered: the tick the failure held up is stored. (Not the ticksArchived counter: it starts
            // again at 0 with the restarted task, which re-reads only what its checkpoint had not covered.)
            stack.await("the 21st tick in price_ticks (the job recovered)", Duration.ofSeconds(90),
                    () -> priceTicks(stack) == 21, first);
            long recovered = System.nanoTime();
            stack.awaitCheckpointTriggeredAfter(job, System.currentTimeMillis(), first);

            // The job cancelled from the web UI: up has nothing left to run and says so.
            StackProcess.http("PATCH", URI.create("http://localhost:" + stack.webPort + "/jobs/" + job + "?mode=cancel"));
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "up ends with its job:\n" + stack.logs());
            long ended = System.nanoTime();
            assertEquals(1, first.exitValue(), stack.log("first"));
            String cancelled = "quant-signals: the Flink job was cancelled (in the web UI or through the REST API), so the stack"
                    + " stops; start it again to resume from the latest checkpoint (details in " + logFile + ")";
            assertTrue(stack.log("first").contains(cancelled), stack.log("first"));
            assertNoStackTrace(stack.log("first"));
            assertPortsFree(stack);

            // A job that cannot start: its newest checkpoint unreadable.
            Path checkpoint;
            try (Stream<Path> files = Files.walk(dataDir.resolve("checkpoints"))) {
                checkpoint = files.filter(p -> p.getFileName().toString().equals("_metadata")).findFirst().orElseThrow();
            }
            Files.writeString(checkpoint, "not a checkpoint");
            second = stack.start("second");
            assertTrue(second.waitFor(120, TimeUnit.SECONDS), "up gives up:\n" + stack.logs());
            long failed = System.nanoTime();
            assertEquals(1, second.exitValue(), stack.log("second"));
            Matcher line = Pattern.compile("(?m)^quant-signals: the Flink job did not start: Unexpected magic number\\..*"
                    + Pattern.quote(" (details in " + logFile + ")") + "$").matcher(stack.log("second"));
            assertTrue(line.find(), stack.log("second"));
            assertNoStackTrace(stack.log("second"));
            String log = Files.readString(logFile);
            assertTrue(STACK_TRACE_LINE.matcher(log).find() && log.contains("Unexpected magic number"), "the trace is in the log");
            assertPortsFree(stack);

            System.out.printf("up: RUNNING after %d ms, ticksIn on /metrics %d ms later, restart line and recovery %d ms,"
                            + " cancelled -> exit %d ms, failed start %d ms; %d ms in all%n", millis(t0, up), millis(up, scraped),
                    millis(scraped, recovered), millis(recovered, ended), millis(ended, failed), millis(t0, failed));
        } finally {
            stack.stopAll(first, second);
        }
    }

    private static void produce(StackProcess stack, int ticks, int from) {
        long ts = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = stack.producer()) {
            for (int i = from; i < from + ticks; i++) {
                producer.send(new ProducerRecord<>("prices", 0, "AAPL",
                        "{\"symbol\":\"AAPL\",\"price\":" + (100 + i % 7) + ",\"ts\":" + (ts + i * 1_000L) + "}"));
            }
            producer.flush();
        }
    }

    private static void sql(StackProcess stack, String statement) throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static long priceTicks(StackProcess stack) {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM price_ticks")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1; // renamed away, or the stack restarting: not yet
        }
    }

    private static String scrape(StackProcess stack) {
        try {
            return StackProcess.http("GET", URI.create("http://localhost:" + stack.metricsPort + "/metrics"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The sum over every subtask of one of the job's operator counters, as Prometheus would add them up. */
    private static double sum(String metrics, String counter) {
        Matcher m = Pattern.compile("(?m)^flink_taskmanager_job_task_operator_" + counter + "\\{[^}]*} (\\S+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static void assertNoStackTrace(String output) {
        assertFalse(STACK_TRACE_LINE.matcher(output).find(), "no stack trace on the console:\n" + output);
        List<String> errors = output.lines().filter(l -> l.startsWith("quant-signals: ")).toList();
        assertFalse(errors.isEmpty(), output);
    }

    /** Everything up started is stopped: its ports are free again. */
    private static void assertPortsFree(StackProcess stack) throws IOException {
        for (int port : new int[] {stack.postgresPort, stack.kafkaPort, stack.webPort, stack.metricsPort}) {
            try (ServerSocket s = new ServerSocket(port)) {
                assertTrue(s.isBound());
            }
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}
