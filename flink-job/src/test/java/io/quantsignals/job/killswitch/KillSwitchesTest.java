package io.quantsignals.job.killswitch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a kill-switch file says reaches kill_switch_events: it must be storable, whatever was written. */
class KillSwitchesTest {

    @TempDir
    Path folder;

    @Test
    void aFilesTextIsMadeStorableAndShort() throws Exception {
        Files.writeString(folder.resolve("KILL_SWITCH"), "{\"reason\":\"desk\\u0000halt\",\"created_by\":\"" + "x".repeat(2_000) + "\"}");
        Files.writeString(folder.resolve("KILL_SWITCH.6f1c2d3e-0000-4000-8000-000000000001"), "\u0000\u0000 not json");
        List<KillSwitchFile> engaged = new KillSwitches(folder.toString()).read().engaged;

        assertEquals(2, engaged.size(), "both engage, whatever their content");
        KillSwitchFile global = engaged.stream().filter(f -> f.scope.equals(KillSwitches.GLOBAL)).findFirst().orElseThrow();
        assertEquals("desk\\u0000halt", global.reason, "NUL written out: a text column cannot hold it");
        assertTrue(global.createdBy.length() < 600 && global.createdBy.endsWith("more chars)"), global.createdBy);
        KillSwitchFile run = engaged.stream().filter(f -> !f.scope.equals(KillSwitches.GLOBAL)).findFirst().orElseThrow();
        assertEquals("unreadable kill-switch file", run.reason);
    }
}
