package io.quantsignals.job.runs;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the run-configuration source: each call reads the active runs from the database.
 * Run by Flink's {@code DataGeneratorSource} at a fixed rate, which gives a checkpointed,
 * rate-limited polling source without writing a Source from scratch. Polling (rather than, say,
 * PostgreSQL LISTEN/NOTIFY) keeps the job correct whoever edits {@code strategy_runs}, and a
 * whole-snapshot broadcast makes a missed poll harmless.
 *
 * <p>If the database is unreachable the last good snapshot is repeated (and a warning logged):
 * the job keeps trading on the configuration it knows rather than failing or forgetting runs.
 */
public class RunsPoller implements GeneratorFunction<Long, RunsSnapshot> {

    private static final Logger LOG = LoggerFactory.getLogger(RunsPoller.class);

    private final RunsReader reader;
    private transient RunsSnapshot last;
    private transient boolean failing;

    public RunsPoller(RunsReader reader) {
        this.reader = reader;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        last = null;
    }

    @Override
    public RunsSnapshot map(Long pollNumber) throws Exception {
        try {
            last = reader.readActive();
            if (failing) {
                LOG.info("strategy_runs readable again: {} active runs", last.runs.size());
                failing = false;
            }
        } catch (Exception e) {
            if (last == null) {
                // Nothing known yet: failing lets Flink's restart strategy retry with back-off.
                throw e;
            }
            if (!failing) {
                LOG.warn("cannot read strategy_runs, keeping the last known runs: {}", e.getMessage());
                failing = true;
            }
        }
        return last;
    }

    @Override
    public void close() {
        reader.close();
    }
}
