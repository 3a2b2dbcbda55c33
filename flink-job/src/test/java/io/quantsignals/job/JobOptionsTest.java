package io.quantsignals.job;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobOptionsTest {

    @Test
    void defaultsFollowTheSpec() {
        JobOptions o = JobOptions.parse(Map.of());
        assertEquals("localhost:9092", o.kafka());
        assertEquals("prices", o.pricesTopic());
        assertEquals("jdbc:postgresql://localhost:5432/quant", o.database().url());
        assertEquals("quant", o.database().user());
        assertNull(o.database().password());
        assertNull(o.strategyRunId());
        assertEquals(Duration.ofSeconds(10), o.checkpointInterval());
        assertEquals(Duration.ofSeconds(1), o.runsPollInterval());
        assertEquals(0.0, o.costDefaults().transactionCostBps());
        assertTrue(o.tickArchive(), "live ticks are archived unless asked not to");
        assertEquals(Duration.ofMinutes(5), o.maxFutureSkew(), "issue 11: ticks more than 5 minutes ahead are rejected");
        assertNull(o.checkpointDir(), "checkpoints in memory unless a folder is given");
        assertEquals("quant-signals-job-archive", QuantSignalsJob.archiveGroupId(o));
    }

    @Test
    void theFutureBoundIsAnOption() {
        assertEquals(Duration.ofSeconds(30), JobOptions.parse(Map.of(), "--max-future-skew", "30s").maxFutureSkew());
    }

    @Test
    void theTickArchiveCanBeTurnedOff() {
        assertFalse(JobOptions.parse(Map.of(), "--no-tick-archive").tickArchive());
        assertTrue(JobOptions.parse(Map.of(), "--tick-archive").tickArchive());
    }

    @Test
    void aLocalJobKeepsItsCheckpointsInTheGivenFolder() {
        JobOptions o = JobOptions.parse(Map.of(), "--local", "--checkpoint-dir", "data/checkpoints");
        assertTrue(o.local());
        assertEquals(Path.of("data/checkpoints"), o.checkpointDir());
    }

    @Test
    void environmentFillsInAndOptionsWin() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "PRICES_TOPIC", "ticks",
                "STRATEGY_RUN_ID", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "SLIPPAGE_BPS", "2.5",
                "DATABASE_PASSWORD", "s3cret");
        JobOptions o = JobOptions.parse(env, "--prices-topic", "other", "--checkpoint-interval", "500ms");
        assertEquals("kafka:9092", o.kafka());
        assertEquals("other", o.pricesTopic());
        assertEquals("6f9619ff-8b86-d011-b42d-00c04fc964ff", o.strategyRunId());
        assertEquals(2.5, o.costDefaults().slippageBps());
        assertEquals(Duration.ofMillis(500), o.checkpointInterval());
        assertFalse(o.database().toString().contains("s3cret"), "settings never print the password");
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertMessage("'soon' is not a duration", "--checkpoint-interval", "soon");
        assertMessage("--strategy-run-id: 'abc' is not a run id", "--strategy-run-id", "abc");
        assertMessage("--strategy-run-id: '1-2-3-4-5' is not a run id", "--strategy-run-id", "1-2-3-4-5");
        assertMessage("--starting-offsets must be earliest or latest", "--starting-offsets", "middle");
        assertMessage("Unknown option: '--frobnicate'", "--frobnicate");
        assertMessage("SLIPPAGE_BPS", "--slippage-bps", "-1");
        // On a cluster the cluster's checkpoint configuration applies, not a folder of the client's.
        assertMessage("--checkpoint-dir needs --local", "--checkpoint-dir", "/tmp/checkpoints");
        // Flink would only find these out in the running tasks: a restart loop instead of exit 2.
        assertMessage("--max-out-of-orderness and --max-future-skew must not be negative", "--max-out-of-orderness", "PT-1S");
        assertMessage("--max-out-of-orderness and --max-future-skew must not be negative", "--max-future-skew", "PT-5M");
        assertMessage("--idle-timeout and --sink-flush-interval must be at least 1ms", "--idle-timeout", "0s");
        assertMessage("--idle-timeout and --sink-flush-interval must be at least 1ms", "--sink-flush-interval", "0s");
        assertMessage("--state-backend must be hashmap or rocksdb", "--state-backend", "memory");
    }

    @Test
    void helpListsEveryOptionWithoutThePassword() {
        JobOptions o = JobOptions.parse(Map.of("DATABASE_PASSWORD", "s3cret"), "--help");
        assertTrue(o.helpRequested());
        StringWriter help = new StringWriter();
        JobOptions.commandLine(new JobOptions(), Map.of("DATABASE_PASSWORD", "s3cret")).usage(new PrintWriter(help));
        for (String option : new String[] {"--kafka", "--prices-topic", "--db-url", "--strategy-run-id",
                "--max-out-of-orderness", "--checkpoint-interval", "--local", "--checkpoint-dir"}) {
            assertTrue(help.toString().contains(option), option);
        }
        assertFalse(help.toString().contains("s3cret"));
    }

    private static void assertMessage(String expected, String... args) {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> JobOptions.parse(Map.of(), args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
