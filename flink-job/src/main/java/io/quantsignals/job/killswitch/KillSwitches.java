package io.quantsignals.job.killswitch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.core.db.StorableText;
import io.quantsignals.core.killswitch.KillSwitchNames;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the kill-switch folder (SPEC §8): {@code KILL_SWITCH} engages every run,
 * {@code KILL_SWITCH.<run id>} one run. Fail safe: an empty or unparseable file engages all the
 * same; only the file's presence matters. Names starting with a dot (the temporary files of an
 * atomic write) and anything else are ignored.
 */
public class KillSwitches implements Serializable {

    /** Broadcast state: the engaged files by scope (absent meta entry: no snapshot received yet). */
    public static final MapStateDescriptor<String, KillSwitchFile> ENGAGED = new MapStateDescriptor<>(
            "kill-switches", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(KillSwitchFile.class));

    /** The scope of the file that covers every run. */
    public static final String GLOBAL = KillSwitchNames.GLOBAL_SCOPE;

    /**
     * What an operator assumes while the folder cannot be read and no earlier state is known: every
     * run engaged (fail closed: no position opens that a file might forbid).
     */
    public static KillSwitchFile folderUnreadable(long atMillis, String cause) {
        return new KillSwitchFile(GLOBAL, atMillis, "kill-switch folder unreadable: " + cause, "");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TEXT_CHARS = 500;

    private final String directory;

    public KillSwitches(String directory) {
        this.directory = directory;
    }

    public String directory() {
        return directory;
    }

    /** The files present now; a missing folder means none (the job must not die for it). Not final: tests make it fail. */
    public KillSwitchSnapshot read() throws IOException {
        List<KillSwitchFile> engaged = new ArrayList<>();
        Path dir = Path.of(directory);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String scope = KillSwitchNames.scopeOf(file.getFileName().toString());
                    if (scope != null) {
                        KillSwitchFile parsed = parse(file, scope);
                        if (parsed != null) {
                            engaged.add(parsed);
                        }
                    }
                }
            }
        }
        engaged.sort((a, b) -> a.scope.compareTo(b.scope));
        return new KillSwitchSnapshot(engaged, System.currentTimeMillis());
    }

    /** Null if the file vanished meanwhile; otherwise engaged, whatever its content. */
    private static KillSwitchFile parse(Path file, String scope) {
        long modified;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            modified = System.currentTimeMillis();
        }
        String reason = "";
        String createdBy = "";
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            if (node != null && node.isObject()) {
                reason = node.path("reason").asText("");
                createdBy = node.path("created_by").asText("");
            }
        } catch (IOException | RuntimeException e) {
            reason = "unreadable kill-switch file";
        }
        // Whatever the file says goes into kill_switch_events: storable, and a line, not a novel.
        return new KillSwitchFile(scope, modified, StorableText.of(StorableText.truncated(reason, MAX_TEXT_CHARS)),
                StorableText.of(StorableText.truncated(createdBy, MAX_TEXT_CHARS)));
    }

    /** Whether any of {@code engaged} covers {@code runId}; null if none does. */
    public static KillSwitchFile covering(Iterable<KillSwitchFile> engaged, String runId) {
        KillSwitchFile found = null;
        for (KillSwitchFile f : engaged) {
            if (f.scope.equals(GLOBAL) || f.scope.equals(runId)) {
                // The earliest engagement that covers the run decides its flatten time.
                if (found == null || f.engagedAtMillis < found.engagedAtMillis) {
                    found = f;
                }
            }
        }
        return found;
    }
}
