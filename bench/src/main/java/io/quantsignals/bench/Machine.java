package io.quantsignals.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the figures were measured on: CPUs, memory, CPU model, Java, load. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        String cpu = firstValue("/proc/cpuinfo", "model name");
        String memKb = firstValue("/proc/meminfo", "MemTotal");
        String mem = "?";
        if (memKb != null) {
            long kb = Long.parseLong(memKb.replaceAll("[^0-9]", ""));
            mem = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
        return "nproc " + Runtime.getRuntime().availableProcessors()
                + ", memory " + mem
                + ", CPU " + (cpu == null ? "?" : cpu)
                + ", Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
    }

    /** The 1, 5 and 15 minute load averages: other work on a shared machine skews every figure. */
    static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String firstValue(String file, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
