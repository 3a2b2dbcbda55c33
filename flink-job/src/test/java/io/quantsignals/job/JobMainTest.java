package io.quantsignals.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link QuantSignalsJob#main} as {@code flink run} or {@code java} starts it, in a JVM of its own
 * (it ends with {@code System.exit}): a usage error is exit 2 with one line on stderr that never
 * shows what was given to a misspelt option.
 */
class JobMainTest {

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String out, String err) {
    }

    private Outcome runMain(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                QuantSignalsJob.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DATABASE_PASSWORD", "env-s3cret");
        Process process = pb.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "main did not end within 60 s");
        return new Outcome(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aMisspeltPasswordOptionIsExit2WithoutItsValue() throws Exception {
        for (List<String> typo : List.of(List.of("--db-pasword=hunter2"), List.of("--db-pasword", "hunter2"),
                List.of("--db-pssword", "hunter2"), List.of("--kafka", "k:9092", "--db-pssword=hunter2"))) {
            Outcome r = runMain(typo.toArray(String[]::new));
            assertEquals(2, r.exitCode(), typo + ": " + r.err());
            assertFalse(r.out().contains("hunter2") || r.err().contains("hunter2"), typo + ": " + r.out() + r.err());
            assertFalse(r.out().contains("env-s3cret") || r.err().contains("env-s3cret"), typo + ": " + r.err());
            String option = typo.stream().filter(a -> a.startsWith("--db-")).findFirst().orElseThrow().split("=")[0];
            assertTrue(r.err().startsWith("flink-job: Unknown option: '" + option + "' "), typo + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
    }

    @Test
    void otherUsageErrorsAreOneLineExit2() throws Exception {
        Outcome r = runMain("--strategy-run-id", "not-a-uuid");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("flink-job: --strategy-run-id: 'not-a-uuid' is not a run id (a UUID such as 123e4567-e89b-12d3-a456-426614174000) (see --help)", r.err().strip());
    }
}
