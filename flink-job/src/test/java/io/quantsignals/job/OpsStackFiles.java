package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Where the operations stack's files are (docker-compose.yml, grafana/, ops/, sql/) and how to read them. */
final class OpsStackFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    static final Path DASHBOARD = Path.of("grafana", "dashboards", "quant-signals-overview.json");
    static final Path DATASOURCES = Path.of("grafana", "provisioning", "datasources", "quant-signals.yml");
    static final Path DASHBOARD_PROVIDERS = Path.of("grafana", "provisioning", "dashboards", "quant-signals.yml");
    static final Path GRAFANA_READER_SQL = Path.of("ops", "timescaledb", "grafana_reader.sql");
    static final Path GRAFANA_READER_SH = Path.of("ops", "timescaledb", "900_grafana_reader.sh");
    static final Path SUBMIT_SCRIPT = Path.of("ops", "flink", "submit-job.sh");
    static final Path PROMETHEUS_CONFIG = Path.of("ops", "prometheus", "prometheus.yml");
    static final Path ALERT_RULES = Path.of("grafana", "provisioning", "alerting", "quant-signals-rules.yml");

    private OpsStackFiles() {
    }

    /** The repository root: the nearest folder at or above the working directory that holds grafana/. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("grafana")) && Files.isRegularFile(p.resolve("docker-compose.yml"))) {
                return p;
            }
        }
        return fail("no folder with grafana/ and docker-compose.yml at or above " + dir);
    }

    static Path file(Path relative) {
        return repoRoot().resolve(relative);
    }

    static String read(Path relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(Path relative) {
        try {
            return YAML.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + relative, e);
        }
    }

    static JsonNode dashboard() {
        try {
            return JSON.readTree(file(DASHBOARD).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + DASHBOARD, e);
        }
    }
}
