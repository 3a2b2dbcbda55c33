package io.quantsignals.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's {@code docker-compose} (the Python v1, package {@code docker-compose}), which validates a
 * compose file without a Docker daemon ({@code docker-compose config}). A fresh machine does not
 * have it: when it is missing and the tests run as root on a Debian/Ubuntu system, it is installed
 * with {@code apt-get install --no-install-recommends docker-compose} (after {@code apt-get update}
 * if the package lists lack it), much as {@code TimescaleLiteServer} installs its npm packages
 * itself. Anything else fails the calling test with the command to run: the check is never skipped.
 */
final class DockerComposeV1 {

    static final Path EXECUTABLE = Path.of("/usr/bin/docker-compose");
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    private static volatile boolean ready;

    private DockerComposeV1() {
    }

    /** What a process printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        String both() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** Makes sure {@link #EXECUTABLE} is Debian's docker-compose 1.x, installing it if need be. */
    static synchronized void ensureInstalled() {
        if (ready) {
            return;
        }
        if (!isV1Installed()) {
            install();
            if (!isV1Installed()) {
                fail("docker-compose (v1) is still not usable after installing the Debian package: "
                        + run(List.of(EXECUTABLE.toString(), "version"), null, Map.of(), RUN_TIMEOUT).both());
            }
        }
        ready = true;
    }

    /** Runs docker-compose with {@code args} in {@code directory}, with exactly {@code environment}. */
    static Result run(Path directory, Map<String, String> environment, String... args) {
        ensureInstalled();
        List<String> command = new ArrayList<>();
        command.add(EXECUTABLE.toString());
        command.addAll(List.of(args));
        return run(command, directory, environment, RUN_TIMEOUT);
    }

    private static boolean isV1Installed() {
        if (!Files.isExecutable(EXECUTABLE)) {
            return false;
        }
        Result version = run(List.of(EXECUTABLE.toString(), "version", "--short"), null, Map.of(), RUN_TIMEOUT);
        return version.exitCode() == 0 && version.stdout().strip().startsWith("1.");
    }

    private static void install() {
        String why = "docker-compose (Debian package docker-compose, v1) is needed to validate docker-compose.yml";
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get")) || !Files.isExecutable(Path.of("/usr/bin/dpkg"))) {
            fail(why + ", and this is not a Debian/Ubuntu system (no apt-get): install Docker Compose v1 as "
                    + EXECUTABLE + " and run the tests again.");
        }
        if (!isRoot()) {
            fail(why + " and is not installed; the tests install it themselves only when running as root. Run: "
                    + "sudo apt-get install -y --no-install-recommends docker-compose");
        }
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive", "PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> install = List.of("apt-get", "install", "-y", "--no-install-recommends", "docker-compose");
        Result first = run(install, null, env, APT_TIMEOUT);
        if (first.exitCode() == 0) {
            return;
        }
        // Typically a fresh container without package lists: fetch them and try once more.
        Result update = run(List.of("apt-get", "update"), null, env, APT_TIMEOUT);
        Result second = run(install, null, env, APT_TIMEOUT);
        if (second.exitCode() != 0) {
            fail(why + " and could not be installed.\n$ apt-get install ...\n" + first.both()
                    + "\n$ apt-get update\n" + update.both() + "\n$ apt-get install ... (again)\n" + second.both());
        }
    }

    private static boolean isRoot() {
        Result id = run(List.of("id", "-u"), null, Map.of("PATH", "/usr/bin:/bin"), RUN_TIMEOUT);
        return id.exitCode() == 0 && id.stdout().strip().equals("0");
    }

    /** Runs a process with only {@code environment} (plus PATH, HOME and LANG if it lacks them). */
    static Result run(List<String> command, Path directory, Map<String, String> environment, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        env.put("LANG", "C.UTF-8");
        env.putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = readAsync(process.getInputStream());
            CompletableFuture<String> err = readAsync(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        });
    }
}
