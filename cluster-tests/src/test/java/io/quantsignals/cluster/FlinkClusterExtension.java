package io.quantsignals.cluster;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.concurrent.CompletableFuture;

/**
 * {@code @RegisterExtension static final FlinkClusterExtension FLINK = new FlinkClusterExtension();}
 * gives a test class the JVM's shared {@link StandaloneFlinkCluster} (started on first use, stopped
 * at JVM exit), reset before the class runs (no jobs left, two TaskManagers registered), and adds the
 * last lines of every cluster process's log to any failure of the class.
 */
public final class FlinkClusterExtension
        implements BeforeAllCallback, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    public static final int TASK_MANAGERS = 2;

    private final Runnable meanwhile;
    private StandaloneFlinkCluster cluster;

    public FlinkClusterExtension() {
        this(() -> { });
    }

    /**
     * {@code meanwhile} runs on another thread while the cluster starts (e.g. starting the test's
     * Kafka broker and PostgreSQL); {@link #beforeAll} returns when both are done.
     */
    public FlinkClusterExtension(Runnable meanwhile) {
        this.meanwhile = meanwhile;
    }

    public StandaloneFlinkCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Flink cluster has not been started (register the extension as a static field)");
        }
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        CompletableFuture<Void> other = CompletableFuture.runAsync(meanwhile);
        cluster = StandaloneFlinkCluster.shared();
        cluster.reset(TASK_MANAGERS);
        other.join();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withClusterLogs(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withClusterLogs(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withClusterLogs(throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withClusterLogs(throwable);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withClusterLogs(throwable);
    }

    private Throwable withClusterLogs(Throwable throwable) {
        if (cluster != null) {
            throwable.addSuppressed(new ClusterLogs(cluster.describe()));
        }
        return throwable;
    }

    /** Carries the cluster's log tails into the test report, beside the original failure. */
    static final class ClusterLogs extends Exception {
        ClusterLogs(String logs) {
            super(logs, null, false, false);
        }
    }
}
