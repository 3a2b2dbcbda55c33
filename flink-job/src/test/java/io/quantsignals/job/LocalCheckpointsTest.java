package io.quantsignals.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which retained checkpoint a --local job resumes from, and what is cleaned up. (That the job
 * really resumes from it after kill -9 is local-stack's KillAndRestartTest.)
 */
class LocalCheckpointsTest {

    private static final String OLD_JOB = "0123456789abcdef0123456789abcdef";
    private static final String NEW_JOB = "fedcba9876543210fedcba9876543210";
    private static final String NEVER_CHECKPOINTED = "00000000000000000000000000000000";

    @TempDir
    Path folder;

    @Test
    void resumesFromTheNewestCompleteCheckpointAndKeepsOnlyItsJob() throws IOException {
        checkpoint(OLD_JOB, 3, 1_000);
        Path newest = checkpoint(NEW_JOB, 7, 2_000);
        // Killed while writing checkpoint 8: its metadata is still the temporary file, no _metadata.
        Path unfinished = Files.createDirectories(folder.resolve(NEW_JOB).resolve("chk-8"));
        Files.writeString(unfinished.resolve("._metadata.inprogress.5f0e"), "partial");
        Files.createDirectories(folder.resolve(NEVER_CHECKPOINTED).resolve("chk-1")); // killed before its first one
        Path notAJob = Files.createDirectories(folder.resolve("notes"));

        Configuration conf = new Configuration();
        try (LocalCheckpoints checkpoints = LocalCheckpoints.open(folder)) {
            assertEquals(Optional.of(newest), checkpoints.configure(conf));
        }
        assertEquals(newest.toUri().toString(), conf.get(StateRecoveryOptions.SAVEPOINT_PATH));
        assertEquals(RecoveryClaimMode.NO_CLAIM, conf.get(StateRecoveryOptions.RESTORE_MODE),
                "the new job never deletes the checkpoint it starts from");
        assertEquals(folder.toUri().toString(), conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        assertEquals("filesystem", conf.get(CheckpointingOptions.CHECKPOINT_STORAGE));
        assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
                conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));

        assertTrue(Files.exists(newest.resolve("_metadata")), "the checkpoint resumed from stays");
        assertFalse(Files.exists(folder.resolve(OLD_JOB)), "an older job's folder is removed");
        assertFalse(Files.exists(folder.resolve(NEVER_CHECKPOINTED)), "so is a job's without a complete checkpoint");
        assertTrue(Files.isDirectory(notAJob), "what is not a job folder is left alone");
    }

    @Test
    void equalTimesGoToTheHigherCheckpointNumber() throws IOException {
        checkpoint(OLD_JOB, 4, 5_000);
        Path higher = checkpoint(NEW_JOB, 5, 5_000);
        try (LocalCheckpoints checkpoints = LocalCheckpoints.open(folder)) {
            assertEquals(Optional.of(higher), checkpoints.latestCompleted());
        }
    }

    @Test
    void anEmptyFolderMeansAFreshStartWithCheckpointsKeptThere() {
        Configuration conf = new Configuration();
        try (LocalCheckpoints checkpoints = LocalCheckpoints.open(folder.resolve("new"))) {
            assertEquals(Optional.empty(), checkpoints.configure(conf));
        }
        assertFalse(conf.contains(StateRecoveryOptions.SAVEPOINT_PATH));
        assertEquals(folder.resolve("new").toUri().toString(), conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
    }

    @Test
    void aFolderIsUsedByOneJobAtATime() {
        try (LocalCheckpoints first = LocalCheckpoints.open(folder)) {
            IllegalStateException inUse = assertThrows(IllegalStateException.class, () -> LocalCheckpoints.open(folder));
            assertTrue(inUse.getMessage().contains("in use") && !inUse.getMessage().contains("\n"), inUse.getMessage());
            assertEquals(folder.toAbsolutePath().normalize(), first.folder());
        }
        LocalCheckpoints.open(folder).close(); // released
    }

    private Path checkpoint(String job, long number, long modifiedOffsetMillis) throws IOException {
        Path dir = Files.createDirectories(folder.resolve(job).resolve("chk-" + number));
        Files.createDirectories(folder.resolve(job).resolve("shared"));
        Path metadata = Files.writeString(dir.resolve("_metadata"), "metadata");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(1_700_000_000_000L + modifiedOffsetMillis));
        return dir;
    }
}
