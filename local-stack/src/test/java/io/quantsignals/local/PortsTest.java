package io.quantsignals.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A taken port is one line naming the port, what it is for and the option to change it, exit 2:
 * from the stack before it starts anything, and from the {@code quant-signals} script before it
 * builds (a first run's build takes minutes); with the same options, defaults and words in both.
 */
class PortsTest {

    /** The stack's port options, what each is for, in the order both check them. */
    private static final Map<String, String> PORTS = new LinkedHashMap<>();

    static {
        PORTS.put("--postgres-port", "PostgreSQL");
        PORTS.put("--kafka-port", "Kafka");
        PORTS.put("--web-port", "the Flink web UI");
        PORTS.put("--metrics-port", "the Prometheus metrics");
    }

    @TempDir
    Path dataDir;

    @TempDir
    Path scriptDir;

    private record Result(int code, String out, String err) {
    }

    /** A port taken by a server that accepts connections, as PostgreSQL or a web server would. */
    private static final class TakenPort implements AutoCloseable {
        private final ServerSocket socket;

        TakenPort() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        socket.accept().close();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "taken-port");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Result quantSignals(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuantSignals.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code command} with every port option free but {@code taken}'s, given as {@code --option=N} or {@code --option N}. */
    private static List<String> args(String command, Path dataDir, String taken, int takenPort, boolean withEquals) throws IOException {
        List<String> args = new ArrayList<>(List.of(command, "--data-dir", dataDir.toString()));
        for (String option : PORTS.keySet()) {
            String port = String.valueOf(option.equals(taken) ? takenPort : StackProcess.freePort());
            args.addAll(withEquals ? List.of(option + "=" + port) : List.of(option, port));
        }
        return args;
    }

    private static String takenLine(int port, String option) {
        return "quant-signals: port " + port + " for " + PORTS.get(option)
                + " is already in use: stop what uses it or choose another with " + option;
    }

    @Test
    void theStackRefusesATakenPortBeforeItStartsAnything() throws Exception {
        try (TakenPort taken = new TakenPort()) {
            for (String option : PORTS.keySet()) {
                for (String command : List.of("up", "demo")) {
                    Result r = quantSignals(args(command, dataDir, option, taken.port(), command.equals("up"))
                            .toArray(String[]::new));
                    assertEquals(2, r.code(), r.err());
                    assertEquals(takenLine(taken.port(), option) + "\n", r.err());
                    assertFalse(r.out().contains("starting PostgreSQL"), "nothing started:\n" + r.out());
                }
            }
        }
        assertFalse(Files.exists(dataDir.resolve("postgres")), "no database created");
    }

    @Test
    void twoOptionsOnOnePortAndAFolderInUseAreUsageErrorsToo() throws Exception {
        int port = StackProcess.freePort();
        Result same = quantSignals("up", "--data-dir", dataDir.toString(), "--postgres-port", String.valueOf(StackProcess.freePort()),
                "--kafka-port", String.valueOf(StackProcess.freePort()), "--web-port", String.valueOf(port),
                "--metrics-port", String.valueOf(port));
        assertEquals(2, same.code(), same.err());
        assertEquals("quant-signals: --web-port and --metrics-port are both " + port + ": give each its own port\n", same.err());

        try (FileChannel channel = FileChannel.open(dataDir.resolve("stack.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            Result inUse = quantSignals(args("up", dataDir, "", 0, false).toArray(String[]::new));
            assertEquals(2, inUse.code(), inUse.err());
            assertEquals("quant-signals: the data folder " + dataDir.toAbsolutePath() + " is in use by another running stack:"
                    + " stop it or choose another --data-dir\n", inUse.err());
            assertTrue(lock.isValid());
        }

        Result typo = quantSignals("up", "--web-prot", "1");
        assertEquals(2, typo.code());
        assertEquals(1, typo.err().lines().count(), typo.err());
        assertTrue(typo.err().startsWith("quant-signals: Unknown option: '--web-prot'"), typo.err());
    }

    /**
     * The script run from a folder of its own, where nothing is built: it would build first (and
     * fail, with no pom.xml there), so the port's line and exit 2 show that it checked before.
     */
    @Test
    void theScriptRefusesATakenPortBeforeItBuilds() throws Exception {
        Path script = Files.copy(Path.of("..", "quant-signals"), scriptDir.resolve("quant-signals"));
        try (TakenPort taken = new TakenPort()) {
            for (String option : PORTS.keySet()) {
                for (boolean withEquals : new boolean[] {true, false}) {
                    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
                    command.addAll(args(withEquals ? "up" : "demo", dataDir, option, taken.port(), withEquals));
                    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the check takes no time");
                    String err = new String(p.getErrorStream().readAllBytes());
                    assertEquals(2, p.exitValue(), err);
                    assertEquals(takenLine(taken.port(), option) + "\n", err);
                }
            }
        }
    }

    /** The script's defaults are the stack's: it must check the ports the stack will use. */
    @Test
    void theScriptChecksTheStacksDefaultPorts() throws Exception {
        String script = Files.readString(Path.of("..", "quant-signals"));
        Matcher defaults = Pattern.compile("local postgres=(\\d+) kafka=(\\d+) web=(\\d+) metrics=(\\d+)\\n").matcher(script);
        assertTrue(defaults.find(), script);
        for (String command : List.of("up", "demo")) {
            CommandLine.Model.CommandSpec spec = new CommandLine(new QuantSignals()).getSubcommands().get(command).getCommandSpec();
            int group = 1;
            for (String option : PORTS.keySet()) {
                assertEquals(spec.findOption(option).defaultValue(), defaults.group(group++), command + " " + option);
            }
            assertEquals(PORTS.size(), spec.options().stream().filter(o -> o.longestName().endsWith("-port")).count(),
                    "every port option of " + command + " is checked by the script");
        }
    }
}
