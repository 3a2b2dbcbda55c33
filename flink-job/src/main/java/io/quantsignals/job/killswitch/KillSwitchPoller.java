package io.quantsignals.job.killswitch;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The body of the kill-switch source: each call lists the folder (a few microseconds), run ten
 * times a second so a file is seen within about 100 ms (the contract allows 1 s, SPEC §8). Polling
 * rather than a file-system watch service because watch events are unreliable on the shared
 * volumes (NFS, bind mounts) a cluster mounts the folder from.
 */
public class KillSwitchPoller implements GeneratorFunction<Long, KillSwitchSnapshot> {

    private static final Logger LOG = LoggerFactory.getLogger(KillSwitchPoller.class);

    private final KillSwitches killSwitches;
    private transient KillSwitchSnapshot last;

    public KillSwitchPoller(KillSwitches killSwitches) {
        this.killSwitches = killSwitches;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        Path folder = Path.of(killSwitches.directory()).toAbsolutePath();
        if (Files.isDirectory(folder)) {
            LOG.info("watching kill-switch folder {}", folder);
        } else {
            // Not fatal (the folder may be mounted later), but an operator must hear of it: until it
            // exists, no kill switch can engage. On a cluster the path is resolved on the TaskManager.
            LOG.warn("kill-switch folder {} does not exist on this TaskManager: kill switches cannot engage until it"
                    + " does (mount it at the same absolute path on every TaskManager)", folder);
        }
        readerContext.metricGroup().gauge("killSwitchFolderPresent", () -> Files.isDirectory(folder) ? 1 : 0);
    }

    @Override
    public KillSwitchSnapshot map(Long pollNumber) {
        try {
            last = killSwitches.read();
            return last;
        } catch (Exception e) {
            // A folder hiccup must neither release nor engage anything: repeat the last known state,
            // or, with none since this (re)start, say that nothing is known (receivers keep theirs).
            LOG.warn("cannot read kill-switch folder {}: {}", killSwitches.directory(), e.toString());
            return last != null ? last : KillSwitchSnapshot.unreadable(System.currentTimeMillis());
        }
    }
}
