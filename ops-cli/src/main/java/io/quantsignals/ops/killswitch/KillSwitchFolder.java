package io.quantsignals.ops.killswitch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsignals.core.killswitch.KillSwitchNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The kill-switch folder (SPEC §8) as the job reads it: {@code KILL_SWITCH} stops every run,
 * {@code KILL_SWITCH.<run id>} one run; names starting with a dot are ignored (the temporary files
 * of an atomic write). The names are {@link KillSwitchNames}, shared with the job, so what this
 * class lists is what the job acts on.
 */
public final class KillSwitchFolder {

    public static final String FILE_NAME = KillSwitchNames.FILE_NAME;
    public static final String GLOBAL_SCOPE = KillSwitchNames.GLOBAL_SCOPE;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public KillSwitchFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** What the folder holds: the engaged switches (global first, then by run id) and names the job ignores. */
    public record Listing(boolean folderExists, List<EngagedSwitch> engaged, List<String> ignored) {
    }

    /** The outcome of {@link #engage}: the switch now engaged, and whether this call created it. */
    public record Engagement(boolean created, EngagedSwitch engagedSwitch) {
    }

    /** The file name for a scope: {@code KILL_SWITCH} (runId null) or {@code KILL_SWITCH.<run id>}. */
    public static String fileName(UUID runId) {
        return KillSwitchNames.fileName(runId);
    }

    /** Whether the folder is missing, a folder, or something else (a file where the folder should be). */
    public enum State { MISSING, FOLDER, NOT_A_FOLDER }

    public State state() {
        if (Files.isDirectory(dir)) {
            return State.FOLDER;
        }
        return Files.exists(dir) ? State.NOT_A_FOLDER : State.MISSING;
    }

    /** Creates the folder and its parents; false if it existed already. */
    public boolean create() throws IOException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        Files.createDirectories(dir);
        return true;
    }

    public Listing list() throws IOException {
        List<EngagedSwitch> engaged = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                // The job would see no switch here; an operator must not believe one could be engaged.
                throw new NotDirectoryException(dir + " (the kill-switch folder is not a folder)");
            }
            return new Listing(false, engaged, ignored);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String scope = KillSwitchNames.scopeOf(name);
                if (scope == null) {
                    // Someone's hand-made KILL_SWITCH.myrun would stop nothing: worth saying so.
                    if (name.startsWith(FILE_NAME)) {
                        ignored.add(name);
                    }
                    continue;
                }
                EngagedSwitch parsed = read(file, GLOBAL_SCOPE.equals(scope) ? null : UUID.fromString(scope));
                if (parsed != null) {
                    engaged.add(parsed);
                }
            }
        }
        engaged.sort(Comparator.comparing((EngagedSwitch s) -> s.runId() != null)
                .thenComparing(EngagedSwitch::scope).thenComparing(s -> s.file().getFileName().toString()));
        ignored.sort(Comparator.naturalOrder());
        return new Listing(true, engaged, ignored);
    }

    /**
     * Engages a switch: writes the SPEC §8 JSON to a dot-named temporary file in the folder (which
     * the job ignores), forces it to disk, then gives it its real name in one atomic step, so the
     * job never sees a partial file. An engaged switch is never replaced: its file, and so its
     * engagement time, stay as they are and it is returned with {@code created = false}. The folder
     * must exist ({@link #create}): a folder created here would be one the job may not be watching.
     */
    public Engagement engage(UUID runId, String reason, String createdBy, Instant createdAt) throws IOException {
        Path target = dir.resolve(fileName(runId));
        EngagedSwitch existing = engagedAlready(runId);
        if (existing != null) {
            return new Engagement(false, existing);
        }
        ObjectNode content = JSON.createObjectNode();
        content.put("reason", reason);
        content.put("created_by", createdBy);
        content.put("created_at", createdAt.truncatedTo(ChronoUnit.MILLIS).toString());
        byte[] bytes = (JSON.writeValueAsString(content) + "\n").getBytes(StandardCharsets.UTF_8);

        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (!publish(temp, target)) {
                // Another engage won the race between our check and our rename: keep its file.
                EngagedSwitch winner = read(target, runId);
                if (winner != null) {
                    return new Engagement(false, winner);
                }
                throw new IOException("kill-switch file " + target + " appeared and vanished while engaging; try again");
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory();
        EngagedSwitch written = read(target, runId);
        if (written == null) {
            throw new IOException("kill-switch file " + target + " vanished right after it was written");
        }
        return new Engagement(true, written);
    }

    /**
     * Gives the complete temporary file its real name atomically, without ever replacing an existing
     * switch: a hard link fails if the name exists. Where the file system has no hard links, an
     * atomic rename (which would replace a file created in the last microseconds) is the fallback.
     * False if the target exists.
     */
    private static boolean publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                return false;
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                throw new IOException("cannot write " + target + " atomically: the file system supports neither"
                        + " hard links nor atomic renames", notAtomic);
            }
            return true;
        }
    }

    /** Makes the new directory entry durable too (best effort: not every platform can sync a folder). */
    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Not supported here (e.g. Windows); the file itself is on disk.
        }
    }

    /** The switch for exactly this scope if engaged (under any file name the job maps to it), else null. */
    private EngagedSwitch engagedAlready(UUID runId) throws IOException {
        String scope = runId == null ? GLOBAL_SCOPE : runId.toString();
        for (EngagedSwitch s : list().engaged()) {
            if (s.scope().equals(scope)) {
                return s;
            }
        }
        return null;
    }

    /** Removes every file engaging exactly this scope; returns the switches removed (empty: none was engaged). */
    public List<EngagedSwitch> release(UUID runId) throws IOException {
        String scope = runId == null ? GLOBAL_SCOPE : runId.toString();
        List<EngagedSwitch> removed = new ArrayList<>();
        for (EngagedSwitch s : list().engaged()) {
            if (s.scope().equals(scope) && Files.deleteIfExists(s.file())) {
                removed.add(s);
            }
        }
        if (!removed.isEmpty()) {
            syncDirectory();
        }
        return removed;
    }

    /** Reads one switch file; null if it vanished meanwhile. Any content engages; only JSON objects are readable. */
    static EngagedSwitch read(Path file, UUID runId) throws IOException {
        Instant modified;
        byte[] bytes;
        try {
            modified = Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis());
            bytes = Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (NoSuchFileException e) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            return new EngagedSwitch(runId, file, modified, false, EngagedSwitch.UNREADABLE_REASON, null, null);
        }
        return new EngagedSwitch(runId, file, modified, true, textOrNull(node.get("reason")),
                textOrNull(node.get("created_by")), instantOrNull(node.get("created_at")));
    }

    private static String textOrNull(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.isValueNode() ? node.asText() : node.toString();
        return text.isBlank() ? null : text;
    }

    private static Instant instantOrNull(JsonNode node) {
        String text = textOrNull(node);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
