package io.quantsignals.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the build put things: the Flink "distribution" (target/flink-dist/lib, assembled by
 * maven-dependency-plugin from Maven Central jars, since flink-dist itself is not published there)
 * and the job jar an operator submits (flink-job/target/flink-job.jar).
 */
final class FlinkDistribution {

    /**
     * {@code env.java.opts.all} of the config.yaml that Flink 2.x ships: without these, Java 17
     * refuses Flink's reflective access (job submission fails with InaccessibleObjectException).
     */
    static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private FlinkDistribution() {
    }

    /** target/flink-dist/lib, checked to hold Flink's runtime. */
    static Path lib() {
        Path lib = Path.of(property("flink.dist.dir", "target/flink-dist")).toAbsolutePath().resolve("lib");
        try (Stream<Path> jars = Files.isDirectory(lib) ? Files.list(lib) : Stream.empty()) {
            if (jars.noneMatch(p -> p.getFileName().toString().startsWith("flink-runtime-"))) {
                throw new IllegalStateException("no Flink distribution in " + lib
                        + ": it is assembled by the cluster-tests build (mvn -pl cluster-tests test-compile)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lib;
    }

    /** flink-job/target/flink-job.jar, which must have been packaged before these tests run. */
    static Path jobJar() {
        Path jar = Path.of(property("flink.job.jar", "../flink-job/target/flink-job.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the job jar " + jar + " is missing: package it first"
                    + " (mvn verify from the repository root, or mvn -pl flink-job package -DskipTests)");
        }
        return jar;
    }

    /** Root of everything the clusters write (conf, logs, checkpoints, savepoints). */
    static Path workRoot() {
        return Path.of(property("cluster.work.dir", "target/flink-clusters")).toAbsolutePath();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
