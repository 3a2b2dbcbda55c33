package io.quantsignals.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints of a job on an embedded MiniCluster ({@code --local}, {@code ./quant-signals up}),
 * kept as files in one folder so that a new process resumes where the last one stopped, however it
 * stopped: Ctrl-C, a crash, {@code kill -9}. A MiniCluster otherwise keeps checkpoints in its own
 * memory, and a restarted process would begin from the Kafka consumer group's committed offsets
 * with empty state (no SMA windows, no positions, no open bars): rows different from a run that
 * never stopped, and stale transitions left standing (SPEC §4 forbids both).
 *
 * <p>Layout (Flink's): {@code <folder>/<job id>/chk-<n>/_metadata} plus state files. A checkpoint
 * is complete once its {@code _metadata} exists: Flink writes that file last, and on a local file
 * system through a hidden temporary file renamed into place, so a process killed mid-checkpoint
 * leaves a {@code chk-<n>} without it, which is skipped.
 *
 * <p>{@link #configure} picks the newest complete checkpoint, points the new job at it, and removes
 * every other job folder (older jobs, and jobs killed before their first checkpoint): the folder
 * then holds at most the job resumed from and the new job, each with Flink's retained count of
 * checkpoints (1). The job resumed from stays until the next start, when the new job's own
 * checkpoints are newer; it is never removed before the new job has one. Flink itself never
 * deletes it either: the restore is in {@link RecoveryClaimMode#NO_CLAIM} mode.
 *
 * <p>The folder is locked while a process uses it, so two jobs never share (and clean up) one.
 */
public final class LocalCheckpoints implements AutoCloseable {

    /** A Flink job id: 32 hex digits. Only such folders are ever removed. */
    private static final Pattern JOB_FOLDER = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern CHECKPOINT_FOLDER = Pattern.compile("chk-(\\d+)");
    private static final String METADATA = "_metadata";
    private static final String LOCK_FILE = "in-use.lock";

    private final Path folder;
    private final FileChannel lockChannel;

    private LocalCheckpoints(Path folder, FileChannel lockChannel) {
        this.folder = folder;
        this.lockChannel = lockChannel;
    }

    /**
     * Creates the folder if needed and locks it for this process.
     *
     * @throws IllegalStateException (one line) when another process uses it, or it cannot be created
     */
    public static LocalCheckpoints open(Path folder) {
        Path dir = folder.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("the checkpoint folder " + dir + " is in use by another running job");
            }
            return new LocalCheckpoints(dir, channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("cannot use " + dir + " for checkpoints: " + e.getMessage(), e);
        }
    }

    public Path folder() {
        return folder;
    }

    /**
     * Sets the checkpoint options on {@code conf} (files in this folder, retained when the job is
     * cancelled or fails), and, when the folder holds a complete checkpoint, the newest one as the
     * state to resume from; then removes every other job folder.
     *
     * @return the checkpoint the job will resume from, if any
     */
    public Optional<Path> configure(Configuration conf) {
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, folder.toUri().toString());
        // A periodic checkpoint subsumed by a newer one is still deleted; the newest is kept when
        // the job is cancelled (Ctrl-C) or fails, and nothing is deleted when the process is killed.
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Optional<Path> latest = latestCompleted();
        latest.ifPresent(checkpoint -> {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
            // The new job neither takes over nor deletes the checkpoint it starts from (this class
            // removes its folder once a newer job's checkpoint exists), so a new process that dies
            // before its first checkpoint still finds it on the next start.
            conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
        });
        removeJobFoldersExcept(latest.map(Path::getParent).orElse(null));
        return latest;
    }

    /**
     * The newest complete checkpoint of any job in the folder: the one whose {@code _metadata} was
     * written last, ties broken by the checkpoint number (a restored job continues the numbering of
     * the checkpoint it restored).
     */
    public Optional<Path> latestCompleted() {
        record Candidate(Path dir, FileTime written, long number) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Path job : jobFolders()) {
            try (DirectoryStream<Path> checkpoints = Files.newDirectoryStream(job)) {
                for (Path checkpoint : checkpoints) {
                    Matcher m = CHECKPOINT_FOLDER.matcher(checkpoint.getFileName().toString());
                    Path metadata = checkpoint.resolve(METADATA);
                    if (m.matches() && Files.isRegularFile(metadata) && Files.size(metadata) > 0) {
                        candidates.add(new Candidate(checkpoint, Files.getLastModifiedTime(metadata), Long.parseLong(m.group(1))));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the checkpoint folder " + job + ": " + e.getMessage(), e);
            }
        }
        return candidates.stream()
                .max(Comparator.comparing(Candidate::written).thenComparingLong(Candidate::number))
                .map(Candidate::dir);
    }

    /** Deletes every job folder but {@code keep} (all of them when null); returns what it deleted. */
    List<Path> removeJobFoldersExcept(Path keep) {
        List<Path> removed = new ArrayList<>();
        for (Path job : jobFolders()) {
            if (!job.equals(keep)) {
                deleteRecursively(job);
                removed.add(job);
            }
        }
        return removed;
    }

    private List<Path> jobFolders() {
        List<Path> jobs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry) && JOB_FOLDER.matcher(entry.getFileName().toString()).matches()) {
                    jobs.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoint folder " + folder + ": " + e.getMessage(), e);
        }
        return jobs;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Releases the folder for the next process. */
    @Override
    public void close() {
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing releases the lock either way.
            }
        }
    }
}
