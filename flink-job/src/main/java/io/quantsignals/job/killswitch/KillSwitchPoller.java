package io.quantsignals.job.killswitch;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the kill-switch source: each call lists the folder (a few microseconds), run ten
 * times a second so a file is seen within about 100 ms (the contract allows 250 ms). Polling
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
        LOG.info("watching kill-switch folder {}", killSwitches.directory());
    }

    @Override
    public KillSwitchSnapshot map(Long pollNumber) {
        try {
            last = killSwitches.read();
        } catch (Exception e) {
            // Keep the last known state: a folder hiccup must neither release nor engage anything.
            LOG.warn("cannot read kill-switch folder {}: {}", killSwitches.directory(), e.getMessage());
            if (last == null) {
                last = new KillSwitchSnapshot();
            }
        }
        return last;
    }
}
