package io.quantsignals.local;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the log of Flink, Kafka and PostgreSQL goes while a stack runs: a file in its data folder.
 * On the console, their warnings come with stack traces dozens of lines long (a job that fails logs
 * one per restart), which bury the stack's own progress lines; so the console gets those lines and
 * one-line errors that name this file, and the file gets everything with the stack traces
 * ({@code log4j2.properties} still decides the levels).
 */
final class StackLog {

    static final String FILE_NAME = "quant-signals.log";
    private static final String APPENDER = "quant-signals-file";

    private static volatile Path current;

    private StackLog() {
    }

    /**
     * Sends every log event to {@code <dataDir>/quant-signals.log} (appended, with a line marking this
     * start) instead of the console. Again for another folder (tests run several stacks in one JVM):
     * the previous file is closed.
     */
    static synchronized Path redirectTo(Path dataDir, String command) {
        Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            Files.writeString(file, "---- quant-signals " + command + " started " + Instant.now() + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The folder is unusable: leave the log where it is; starting the stack will say why.
            return null;
        }
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        for (String name : root.getAppenders().keySet()) {
            root.removeAppender(name);
        }
        Appender previous = config.getAppenders().get(APPENDER);
        if (previous != null) {
            previous.stop();
        }
        FileAppender appender = FileAppender.newBuilder()
                .setName(APPENDER)
                .withFileName(file.toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withConfiguration(config)
                        .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5p %c{1} [%t] - %m%n").build())
                .setConfiguration(config)
                .build();
        appender.start();
        config.addAppender(appender);
        root.addAppender(appender, null, null);
        context.updateLoggers();
        current = file;
        return file;
    }

    /** The file the log goes to, if {@link #redirectTo} has moved it there. */
    static Optional<Path> file() {
        return Optional.ofNullable(current);
    }

    /** A failure's full stack trace, for the file (the console gets one line). */
    static void failure(String oneLine, Throwable e) {
        LogManager.getLogger(QuantSignals.class).error(oneLine, e);
    }
}
