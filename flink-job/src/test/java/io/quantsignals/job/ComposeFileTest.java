package io.quantsignals.job;

import io.quantsignals.core.tick.ReplayTopic;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.quantsignals.job.OpsStackFiles.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compose stack (SPEC §11) as far as it can be checked without Docker: docker-compose.yml,
 * interpolated against .env.example the way Compose does it ({@link ComposeFile}), is valid by the
 * published Compose Specification JSON schema, and has the structure the stack relies on
 * (healthchecks, the shared kill-switch volume, the job submission, the migrations as init scripts,
 * Grafana's provisioning, Flink's configuration and its Prometheus reporter scraped by Prometheus).
 * Nothing is installed and no Docker tool is run.
 */
class ComposeFileTest {

    private static final Set<String> ONE_SHOT = Set.of("volumes-init", "kafka-init", "flink-job-submit", "ops", "replay");
    private static final String KILL_SWITCH_VOLUME = "kill-switch";
    private static final String INIT_DIR = "/docker-entrypoint-initdb.d/";
    private static final Path ENV_EXAMPLE = Path.of(".env.example");

    private static Path root;
    /** docker-compose.yml as Compose reads it with .env.example: aliases resolved, interpolated, not normalised. */
    private static JsonNode config;
    private static JsonNode services;
    private static ComposeFile.Interpolated interpolated;

    @BeforeAll
    static void readAndValidateTheComposeFile() {
        root = repoRoot();
        interpolated = load(ComposeFile.readEnvFile(root.resolve(ENV_EXAMPLE)));
        assertEquals(List.of(), interpolated.errors(), "docker-compose.yml with .env.example must interpolate without errors");
        config = interpolated.document();
        assertEquals(List.of(), ComposeFile.schemaErrors(config),
                "docker-compose.yml (interpolated with .env.example) must be valid by the Compose Specification schema");
        services = config.path("services");
        assertTrue(services.isObject() && services.size() > 0, "no services in:\n" + config.toPrettyString());
    }

    /** docker-compose.yml interpolated with exactly {@code env} (never a developer's .env, never this JVM's environment). */
    private static ComposeFile.Interpolated load(Map<String, String> env) {
        return ComposeFile.interpolate(ComposeFile.parseYaml(read(Path.of("docker-compose.yml"))), env);
    }

    private static JsonNode service(String name) {
        JsonNode service = services.path(name);
        assertTrue(service.isObject(), "service " + name + " is missing; services: " + names(services));
        return service;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node.asText());
        }
        return values;
    }

    /**
     * A volume entry, short ("source:target[:mode]") or long syntax. A bind mount's source is resolved
     * against the project folder (the repository), as Compose does; a named volume's stays its name.
     */
    record Mount(String source, String target, boolean readOnly) {
        boolean isNamedVolume() {
            return !source.startsWith("/");
        }
    }

    private static List<Mount> mounts(String serviceName) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode v : service(serviceName).path("volumes")) {
            if (v.isTextual()) {
                String[] parts = v.asText().split(":");
                assertTrue(parts.length >= 2 && parts.length <= 3, "unexpected volume entry " + v);
                boolean readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                mounts.add(new Mount(hostPath(parts[0]), parts[1], readOnly));
            } else {
                mounts.add(new Mount(hostPath(v.path("source").asText()), v.path("target").asText(),
                        v.path("read_only").asBoolean()));
            }
        }
        return mounts;
    }

    /** A bind mount's source relative to the project folder made absolute; a volume name unchanged. */
    private static String hostPath(String source) {
        boolean path = source.equals(".") || source.startsWith("./") || source.startsWith("../") || source.startsWith("/");
        assertFalse(source.startsWith("~"), "a home-relative mount depends on who runs Compose: " + source);
        return path ? root.resolve(source).normalize().toString() : source;
    }

    private static Mount mountAt(String serviceName, String target) {
        return mounts(serviceName).stream().filter(m -> m.target().equals(target)).findFirst()
                .orElseGet(() -> fail(serviceName + " mounts nothing at " + target + "; mounts: " + mounts(serviceName)));
    }

    private static Map<String, String> environment(String serviceName) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service(serviceName).path("environment");
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        } else {
            node.forEach(n -> {
                String[] kv = n.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            });
        }
        return env;
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void everyLongRunningServiceHasAHealthcheckAndOnlyTheOneShotsHaveNone() {
        Set<String> expected = Set.of("kafka", "kafka-init", "timescaledb", "volumes-init", "jobmanager", "taskmanager",
                "flink-job-submit", "grafana", "prometheus", "ops", "replay");
        assertEquals(new TreeSet<>(expected), new TreeSet<>(names(services)));
        for (String name : names(services)) {
            JsonNode service = service(name);
            JsonNode test = service.path("healthcheck").path("test");
            boolean hasHealthcheck = test.isArray() && test.size() >= 2 && !test.get(0).asText().equals("NONE")
                    && !service.path("healthcheck").path("disable").asBoolean();
            if (ONE_SHOT.contains(name)) {
                assertEquals("no", service.path("restart").asText(), name + " runs once: restart \"no\"");
                assertFalse(hasHealthcheck, name + " is a one-shot task: a healthcheck would never report on it");
            } else {
                assertTrue(hasHealthcheck, name + " runs for good and must have a healthcheck: " + service.path("healthcheck"));
                assertEquals("unless-stopped", service.path("restart").asText(), name + " must come back after a crash");
                assertFalse(test.get(test.size() - 1).asText().isBlank(), name + "'s healthcheck command is empty");
            }
        }
        assertEquals(List.of("ops"), strings(service("ops").path("profiles")), "ops-cli is started on demand only");
        assertEquals(List.of("ops"), strings(service("replay").path("profiles")), "replay-tool is started on demand only");
    }

    @Test
    void imagesMatchTheProjectsVersions() {
        String flinkVersion = EnvironmentInformation.getVersion();
        assertTrue(flinkVersion.matches("\\d+\\.\\d+\\.\\d+"), "Flink version on the classpath: " + flinkVersion);
        for (String name : List.of("jobmanager", "taskmanager", "flink-job-submit", "volumes-init")) {
            String image = service(name).path("image").asText();
            assertTrue(image.startsWith("flink:" + flinkVersion + "-") && image.endsWith("-java17"),
                    name + " must run the official flink image of the project's Flink " + flinkVersion + " on Java 17: " + image);
        }
        assertTrue(service("kafka").path("image").asText().matches("apache/kafka:4\\.\\d+\\.\\d+"), "official Kafka 4.x image");
        assertEquals(service("kafka").path("image").asText(), service("kafka-init").path("image").asText());
        assertTrue(service("timescaledb").path("image").asText().matches("timescale/timescaledb:\\d+\\.\\d+\\.\\d+-pg17"),
                "TimescaleDB on PostgreSQL 17");
        assertTrue(service("grafana").path("image").asText().matches("grafana/grafana:\\d+\\.\\d+\\.\\d+"), "official Grafana image");
        assertTrue(service("prometheus").path("image").asText().matches("prom/prometheus:v3\\.\\d+\\.\\d+"),
                "official Prometheus 3.x image");
        assertTrue(service("ops").path("image").asText().startsWith("eclipse-temurin:17"), "ops-cli needs Java 17");
    }

    @Test
    void kafkaRunsInKRaftModeAndTheTopicIsCreatedBeforeTheJob() {
        Map<String, String> env = environment("kafka");
        assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"));
        assertTrue(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").startsWith(env.get("KAFKA_NODE_ID") + "@kafka:"));
        assertTrue(env.get("KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://kafka:9092"));
        assertEquals("/var/lib/kafka/data", env.get("KAFKA_LOG_DIRS"));
        assertTrue(mountAt("kafka", "/var/lib/kafka/data").isNamedVolume(), "Kafka's data survives a restart");
        assertEquals(List.of("/bin/sh", "-c"), strings(service("kafka-init").path("entrypoint")));
        String create = String.join(" ", strings(service("kafka-init").path("command")));
        assertTrue(create.startsWith("for topic in prices prices-replay; do ") && create.contains(" --create --if-not-exists ")
                && create.contains("--topic \"$topic\" --partitions 2 ") && create.endsWith("|| exit 1; done"), create);
        assertEquals("service_healthy", service("kafka-init").path("depends_on").path("kafka").path("condition").asText());
    }

    @Test
    void theKillSwitchVolumeIsSharedByTheJobManagerTaskManagerAndOps() {
        String dir = environment("ops").get("KILL_SWITCH_DIR");
        assertNotNull(dir, "ops-cli needs KILL_SWITCH_DIR");
        for (String name : List.of("jobmanager", "taskmanager", "ops")) {
            Mount mount = mountAt(name, dir);
            assertEquals(KILL_SWITCH_VOLUME, mount.source(), name + " must mount the shared kill-switch volume at " + dir);
            assertFalse(mount.readOnly(), name + ": the kill-switch folder is written by ops-cli and read by the job");
        }
        assertTrue(config.path("volumes").has(KILL_SWITCH_VOLUME), "kill-switch is a named volume");
        JobOptions job = submittedJobOptions();
        assertEquals(dir, job.killSwitchDir(), "the job watches the folder the volume is mounted at");
    }

    /** The options the submitter passes to the job, parsed by the job's own command line. */
    private static JobOptions submittedJobOptions() {
        List<String> command = strings(service("flink-job-submit").path("command"));
        int jar = command.indexOf("/opt/quant-signals/flink-job.jar");
        assertTrue(jar >= 0, "the submitter runs /opt/quant-signals/flink-job.jar: " + command);
        return JobOptions.parse(Map.of(), command.subList(jar + 1, command.size()).toArray(String[]::new));
    }

    @Test
    void theSubmitterRunsTheBuiltJarOnceTheJobManagerIsHealthy() {
        JsonNode submit = service("flink-job-submit");
        List<String> command = strings(submit.path("command"));
        assertTrue(command.contains("/opt/quant-signals/flink-job.jar"), command.toString());
        Mount jar = mountAt("flink-job-submit", "/opt/quant-signals/flink-job.jar");
        assertEquals(root.resolve("flink-job/target/flink-job.jar").toString(), jar.source(), "the jar the build writes");
        assertTrue(jar.readOnly());
        Mount script = mountAt("flink-job-submit", command.get(1));
        assertEquals(root.resolve(SUBMIT_SCRIPT).toString(), script.source(), "the submit script is the repository's");
        assertTrue(read(SUBMIT_SCRIPT).contains("exec \"$flink\" run -d "), "the script ends in flink run -d");

        JsonNode dependsOn = submit.path("depends_on");
        assertEquals("service_healthy", dependsOn.path("jobmanager").path("condition").asText(), "waits for a healthy JobManager");
        assertEquals("service_healthy", dependsOn.path("timescaledb").path("condition").asText(), "the schema exists first");
        assertEquals("service_completed_successfully", dependsOn.path("kafka-init").path("condition").asText(),
                "the prices topic exists first");

        JobOptions job = submittedJobOptions();
        assertEquals("kafka:9092", job.kafka());
        assertTrue(services.has(job.kafka().split(":")[0]), "the job's Kafka is a service of the stack");
        assertTrue(job.database().url().startsWith("jdbc:postgresql://timescaledb:5432/"), job.database().url());
        assertEquals(environment("timescaledb").get("POSTGRES_USER"), job.database().user());
        assertFalse(command.contains("--db-password"), "no password on a command line (it would show in process lists)");
        assertEquals(environment("timescaledb").get("POSTGRES_PASSWORD"), environment("flink-job-submit").get("DATABASE_PASSWORD"),
                "the job gets the database password from the environment");
        assertEquals(environment("ops").get("PRICES_TOPIC"), job.pricesTopic());
        assertTrue(String.join(" ", strings(service("kafka-init").path("command"))).startsWith("for topic in "
                + job.pricesTopic() + " " + ReplayTopic.of(job.pricesTopic()) + ";"), "the topics kafka-init creates");
    }

    @Test
    void theMigrationsInSqlAreTheTimescaleDbInitScripts() throws IOException {
        List<Path> migrations;
        try (Stream<Path> files = Files.list(root.resolve("sql"))) {
            migrations = files.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
        }
        assertFalse(migrations.isEmpty());
        List<Mount> initScripts = mounts("timescaledb").stream().filter(m -> m.target().startsWith(INIT_DIR)).toList();
        List<String> sqlTargets = new ArrayList<>();
        for (Path migration : migrations) {
            Mount mount = initScripts.stream().filter(m -> m.source().equals(migration.toString())).findFirst()
                    .orElseGet(() -> fail(migration + " is not mounted into " + INIT_DIR + " of timescaledb: " + initScripts));
            assertTrue(mount.readOnly(), mount.toString());
            assertEquals(INIT_DIR + migration.getFileName(), mount.target(), "mounted under its own name");
            sqlTargets.add(mount.target());
        }
        assertEquals(sqlTargets.stream().sorted().toList(), sqlTargets, "the entrypoint runs them in name order, as ops-cli db migrate does");

        // Grafana's read-only role: after the schema, with the SQL file where the script reads it.
        Mount reader = mountAt("timescaledb", INIT_DIR + GRAFANA_READER_SH.getFileName());
        assertEquals(root.resolve(GRAFANA_READER_SH).toString(), reader.source());
        assertTrue(reader.target().compareTo(sqlTargets.get(sqlTargets.size() - 1)) > 0, "the role is created after the tables");
        Matcher sqlPath = Pattern.compile("-f (\\S+)").matcher(read(GRAFANA_READER_SH));
        assertTrue(sqlPath.find(), "the init script runs a SQL file");
        assertEquals(root.resolve(GRAFANA_READER_SQL).toString(), mountAt("timescaledb", sqlPath.group(1)).source());
        Map<String, String> env = environment("timescaledb");
        assertNotNull(env.get("GRAFANA_DB_USER"));
        assertNotNull(env.get("GRAFANA_DB_PASSWORD"));
        assertNotEquals(env.get("POSTGRES_USER"), env.get("GRAFANA_DB_USER"), "Grafana does not log in as the owner");
        assertTrue(mountAt("timescaledb", "/var/lib/postgresql/data").isNamedVolume(), "the database survives a restart");
    }

    @Test
    void grafanaIsProvisionedWithTheReadOnlyDatasourceAndTheDashboard() {
        assertEquals(root.resolve("grafana/provisioning").toString(), mountAt("grafana", "/etc/grafana/provisioning").source());
        // Grafana reads alert rules from provisioning/alerting/ of that folder.
        assertEquals(Path.of("grafana", "provisioning", "alerting"), ALERT_RULES.getParent());
        assertTrue(Files.isRegularFile(root.resolve(ALERT_RULES)), ALERT_RULES + " is missing");
        JsonNode provider = yaml(DASHBOARD_PROVIDERS).path("providers").get(0);
        String dashboardsDir = provider.path("options").path("path").asText();
        Mount dashboards = mountAt("grafana", dashboardsDir);
        assertEquals(root.resolve(DASHBOARD.getParent()).toString(), dashboards.source(), "the provider reads the repository's dashboards");
        assertTrue(dashboards.readOnly());
        Map<String, String> env = environment("grafana");
        assertEquals(dashboardsDir + "/" + DASHBOARD.getFileName(), env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"),
                "the overview is Grafana's home dashboard");

        JsonNode datasource = yaml(DATASOURCES).path("datasources").get(0);
        // Every ${VAR} of the datasource file is set in Grafana's environment.
        Matcher placeholders = Pattern.compile("\\$\\{(\\w+)}").matcher(read(DATASOURCES));
        while (placeholders.find()) {
            assertTrue(env.containsKey(placeholders.group(1)), placeholders.group(1) + " is not in grafana's environment");
        }
        Map<String, String> db = environment("timescaledb");
        assertEquals("${QS_DB_READER_USER}", datasource.path("user").asText());
        assertEquals(db.get("GRAFANA_DB_USER"), env.get("QS_DB_READER_USER"), "Grafana logs in as the read-only role");
        assertEquals(db.get("GRAFANA_DB_PASSWORD"), env.get("QS_DB_READER_PASSWORD"));
        assertEquals(db.get("POSTGRES_DB"), env.get("QS_DB_NAME"));
        assertEquals("timescaledb:5432", env.get("QS_DB_HOST"));
        assertEquals("service_healthy", service("grafana").path("depends_on").path("timescaledb").path("condition").asText());
        assertNotNull(env.get("GF_SECURITY_ADMIN_PASSWORD"), "the admin password comes from .env, not Grafana's default");
    }

    @Test
    void flinkIsConfiguredThroughFlinkPropertiesWithKeysFlinkKnows() {
        Set<String> known = knownFlinkKeys();
        for (String name : List.of("jobmanager", "taskmanager", "flink-job-submit")) {
            Map<String, String> properties = flinkProperties(name);
            for (String key : properties.keySet()) {
                Matcher reporter = REPORTER_KEY.matcher(key);
                if (reporter.matches()) {
                    // metrics.reporter.<name>.<option>: a generic reporter option of MetricOptions (its key is
                    // the suffix alone, e.g. factory.class) or the one argument Prometheus' factory reads.
                    String option = reporter.group(2);
                    assertTrue(known.contains(option) || option.equals(prometheusPortArgument()),
                            name + ": '" + key + "' is neither a reporter option nor the Prometheus reporter's port");
                } else {
                    assertTrue(known.contains(key), name + ": FLINK_PROPERTIES key '" + key + "' is not a Flink 2.x option");
                }
            }
            assertEquals("jobmanager", properties.get("jobmanager.rpc.address"), name);
            assertEquals("jobmanager", properties.get("rest.address"), name);
        }
        Map<String, String> properties = flinkProperties("jobmanager");
        assertEquals(properties, flinkProperties("taskmanager"), "one configuration for the whole cluster");
        String checkpoints = properties.get("execution.checkpointing.dir");
        assertNotNull(checkpoints, "checkpoint directory");
        assertTrue(checkpoints.startsWith("file:///"), checkpoints);
        String checkpointPath = checkpoints.substring("file://".length());
        for (String name : List.of("jobmanager", "taskmanager")) {
            Mount mount = mountAt(name, checkpointPath);
            assertTrue(mount.isNamedVolume(), name + ": checkpoints on a volume");
            assertEquals(mountAt("jobmanager", checkpointPath).source(), mount.source(), "one checkpoint volume for the cluster");
        }
        assertEquals(mountAt("jobmanager", checkpointPath).source(), mountAt("flink-job-submit", checkpointPath).source(),
                "the submitter sees the checkpoints it may resume from");
        assertEquals("RETAIN_ON_CANCELLATION", properties.get("execution.checkpointing.externalized-checkpoint-retention"));
        assertTrue(Set.of("exponential-delay", "fixed-delay", "failure-rate").contains(properties.get("restart-strategy.type")),
                "a restart strategy: " + properties.get("restart-strategy.type"));
        int slots = Integer.parseInt(properties.get("taskmanager.numberOfTaskSlots"));
        assertTrue(Integer.parseInt(properties.get("parallelism.default")) <= slots, "the job fits one TaskManager");
        // volumes-init hands the volumes to the flink user before the JobManager starts.
        String chown = String.join(" ", strings(service("volumes-init").path("command")));
        for (Mount mount : mounts("volumes-init")) {
            assertTrue(chown.contains(mount.target()), "volumes-init must chown " + mount.target());
        }
        assertTrue(chown.contains(checkpointPath) && chown.contains(environment("ops").get("KILL_SWITCH_DIR")), chown);
        assertEquals("service_completed_successfully",
                service("jobmanager").path("depends_on").path("volumes-init").path("condition").asText());
    }

    private static final Pattern REPORTER_KEY = Pattern.compile("metrics\\.reporter\\.([^.]+)\\.(.+)");

    /** The configuration key PrometheusReporterFactory reads its port from (a package-private constant). */
    private static String prometheusPortArgument() {
        try {
            Field port = PrometheusReporterFactory.class.getDeclaredField("ARG_PORT");
            port.setAccessible(true);
            return (String) port.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("PrometheusReporterFactory.ARG_PORT is gone: check the reporter's options", e);
        }
    }

    /** FLINK_PROPERTIES as the image's entrypoint reads it: one "key: value" per line. */
    private static Map<String, String> flinkProperties(String serviceName) {
        String text = environment(serviceName).get("FLINK_PROPERTIES");
        assertNotNull(text, serviceName + " has no FLINK_PROPERTIES");
        return ComposeFile.flinkProperties(text);
    }

    /** Every key (with fallback and deprecated keys) of Flink's public configuration option classes. */
    private static Set<String> knownFlinkKeys() {
        Set<String> keys = new TreeSet<>();
        for (String simpleName : List.of("CoreOptions", "JobManagerOptions", "TaskManagerOptions", "RestOptions", "WebOptions",
                "CheckpointingOptions", "StateBackendOptions", "RestartStrategyOptions", "StateRecoveryOptions",
                "BlobServerOptions", "MetricOptions", "HighAvailabilityOptions", "ClusterOptions", "PipelineOptions",
                "DeploymentOptions", "SecurityOptions", "HeartbeatManagerOptions", "NettyShuffleEnvironmentOptions")) {
            Class<?> type;
            try {
                type = Class.forName("org.apache.flink.configuration." + simpleName);
            } catch (ClassNotFoundException e) {
                continue;
            }
            for (Field field : type.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                        keys.add(option.key());
                        for (FallbackKey fallback : option.fallbackKeys()) {
                            keys.add(fallback.getKey());
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        assertTrue(keys.contains("execution.checkpointing.dir") && keys.contains("taskmanager.numberOfTaskSlots"),
                "Flink's option classes were not found on the test classpath");
        return keys;
    }

    @Test
    void secretsComeFromTheEnvFileAndTheExampleHoldsNoRealPassword() throws IOException {
        String compose = read(Path.of("docker-compose.yml"));
        // Every password in the compose file is a reference to a required .env variable.
        Matcher passwords = Pattern.compile("(?m)^\\s*([A-Z_]*PASSWORD[A-Z_]*):\\s*(.*)$").matcher(compose);
        int count = 0;
        while (passwords.find()) {
            count++;
            assertTrue(passwords.group(2).matches("\\$\\{[A-Z_]+:\\?[^}]+}"),
                    passwords.group(1) + " must be ${VARIABLE:?message} from .env, not " + passwords.group(2));
        }
        assertTrue(count >= 4, "database owner, Grafana reader and Grafana admin passwords: " + count);

        Map<String, String> example = ComposeFile.readEnvFile(root.resolve(ENV_EXAMPLE));
        Set<String> used = interpolated.variables();
        assertTrue(used.containsAll(List.of("POSTGRES_PASSWORD", "GRAFANA_DB_PASSWORD", "PUBLISH_ADDRESS")), used.toString());
        for (String variable : used) {
            assertTrue(example.containsKey(variable), variable + " is used by docker-compose.yml but not listed in .env.example");
        }
        example.forEach((name, value) -> {
            if (name.contains("PASSWORD")) {
                assertTrue(value.startsWith("change-me"), ".env.example must hold a placeholder for " + name + ", not " + value);
            }
        });
        List<String> ignored = Files.readAllLines(root.resolve(".gitignore")).stream().map(String::strip).toList();
        assertTrue(ignored.contains(".env"), ".env (the real secrets) is git-ignored");

        // Without the secrets the stack refuses to start, naming what is missing and where.
        List<String> errors = load(Map.of()).errors();
        assertFalse(errors.isEmpty(), "interpolation without .env must fail");
        for (String secret : List.of("POSTGRES_PASSWORD", "GRAFANA_DB_PASSWORD", "GRAFANA_ADMIN_PASSWORD")) {
            assertTrue(errors.stream().anyMatch(e -> e.contains("required variable " + secret + " ")
                    && e.contains(secret + " must be set in .env")), secret + " is not reported: " + errors);
        }
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("$.services.timescaledb.environment.POSTGRES_PASSWORD: ")),
                "the error names the value's path: " + errors);
        // An empty value is as good as none (":?"): a copied .env with a blanked password fails too.
        Map<String, String> blanked = new LinkedHashMap<>(example);
        blanked.put("GRAFANA_ADMIN_PASSWORD", "");
        assertEquals(List.of("$.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD: required variable GRAFANA_ADMIN_PASSWORD"
                + " is missing a value: GRAFANA_ADMIN_PASSWORD must be set in .env (see .env.example)"), load(blanked).errors());
    }

    @Test
    void publishedPortsAreOnTheConfiguredAddressOnly() {
        for (String name : names(services)) {
            for (JsonNode port : service(name).path("ports")) {
                String published = port.isTextual() ? port.asText() : port.path("host_ip").asText() + ":" + port.path("published").asText();
                assertTrue(published.startsWith("127.0.0.1:"), name + " publishes " + published + " beyond the loopback address");
            }
        }
        Map<String, String> expected = Map.of("grafana", "3000", "jobmanager", "8081", "timescaledb", "5432", "kafka", "9094",
                "prometheus", "9090");
        expected.forEach((name, port) -> assertTrue(service(name).path("ports").toString().contains(port + ":" + port),
                name + " publishes " + port + ": " + service(name).path("ports")));
    }

    // --- Prometheus -------------------------------------------------------------------------------

    @Test
    void prometheusScrapesTheReporterOfEveryFlinkContainer() {
        Map<String, String> properties = flinkProperties("jobmanager");
        Set<String> reporters = new TreeSet<>();
        properties.keySet().forEach(k -> {
            Matcher m = REPORTER_KEY.matcher(k);
            if (m.matches()) {
                reporters.add(m.group(1));
            }
        });
        assertEquals(Set.of("prom"), reporters, "one reporter, Prometheus'");
        String factory = properties.get("metrics.reporter.prom.factory.class");
        assertEquals(PrometheusReporterFactory.class.getName(), factory);
        // Flink finds reporters through the service file of the reporter's jar (plugins/metrics-prometheus/ in the image).
        assertTrue(ServiceLoader.load(MetricReporterFactory.class).stream().anyMatch(p -> p.type().getName().equals(factory)),
                factory + " is not a MetricReporterFactory service of flink-metrics-prometheus " + EnvironmentInformation.getVersion());
        int port = Integer.parseInt(properties.get("metrics.reporter.prom." + prometheusPortArgument()));
        assertEquals(List.of("STATE"), List.of(properties.get("metrics.job.status.enable").split(";")),
                "the runningState gauge the 'job not RUNNING' alert reads");

        JsonNode prometheus = service("prometheus");
        List<String> command = strings(prometheus.path("command"));
        String configPath = command.stream().filter(a -> a.startsWith("--config.file=")).findFirst()
                .map(a -> a.substring("--config.file=".length())).orElseGet(() -> fail("no --config.file: " + command));
        assertEquals(root.resolve(PROMETHEUS_CONFIG).toString(), mountAt("prometheus", configPath).source());
        assertTrue(mountAt("prometheus", configPath).readOnly());
        String dataPath = command.stream().filter(a -> a.startsWith("--storage.tsdb.path=")).findFirst()
                .map(a -> a.substring("--storage.tsdb.path=".length())).orElseGet(() -> fail("no --storage.tsdb.path: " + command));
        assertTrue(mountAt("prometheus", dataPath).isNamedVolume(), "the metrics history survives a restart");
        assertTrue(command.stream().anyMatch(a -> a.matches("--storage\\.tsdb\\.retention\\.time=\\d+[smhdwy]")), command.toString());

        // The scrape configuration reaches the reporter's port on the JobManager and on every TaskManager.
        JsonNode scrape = yaml(PROMETHEUS_CONFIG).path("scrape_configs");
        Set<String> targets = new TreeSet<>();
        for (JsonNode job : scrape) {
            job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));
            for (JsonNode dns : job.path("dns_sd_configs")) {
                assertEquals("A", dns.path("type").asText(), "address records: one per replica");
                dns.path("names").forEach(n -> targets.add(n.asText() + ":" + dns.path("port").asInt()));
            }
        }
        assertEquals(Set.of("jobmanager:" + port, "taskmanager:" + port), targets,
                "Prometheus scrapes the reporter of the JobManager and of each TaskManager");
        for (String target : targets) {
            assertTrue(services.has(target.split(":")[0]), target + " is not a service");
        }

        // Grafana's second datasource is this Prometheus.
        JsonNode datasource = datasource("prometheus");
        assertEquals("${QS_PROMETHEUS_URL}", datasource.path("url").asText());
        String url = environment("grafana").get("QS_PROMETHEUS_URL");
        assertTrue(url.matches("http://prometheus:\\d+"), url);
        String containerPort = url.substring(url.lastIndexOf(':') + 1);
        assertTrue(strings(prometheus.path("ports")).stream().anyMatch(p -> p.endsWith(":" + containerPort)),
                "Prometheus listens where Grafana looks: " + prometheus.path("ports"));
        assertEquals("service_healthy", service("grafana").path("depends_on").path("prometheus").path("condition").asText());
    }

    private static JsonNode datasource(String type) {
        for (JsonNode d : yaml(DATASOURCES).path("datasources")) {
            if (d.path("type").asText().equals(type)) {
                return d;
            }
        }
        return fail("no " + type + " datasource in " + DATASOURCES);
    }

    // --- how the compose file is read -------------------------------------------------------------

    @Test
    void theSchemaRejectsABrokenComposeFileNamingWhere() {
        JsonNode broken = ComposeFile.parseYaml("""
                servics:
                  web:
                    image: nginx
                services:
                  web:
                    image: nginx
                    ports: 8080
                    healthcheck: curl localhost
                  db:
                    image: postgres
                    restart: 5
                x-anything: extension fields are allowed
                """);
        List<String> errors = ComposeFile.schemaErrors(broken);
        assertFalse(errors.isEmpty(), "a broken compose file passed the schema");
        assertEquals(List.of(
                "$.services.web.healthcheck: string found, object expected",
                "$.services.web.ports: integer found, array expected",
                "$.services.db.restart: integer found, string expected",
                "$.servics: property 'servics' is not defined in the schema and the schema does not allow additional properties"),
                errors, "each error names where it is");
        assertTrue(errors.stream().noneMatch(e -> e.contains("x-anything")), "x- fields are extensions: " + errors);

        // The vendored schema is the Compose Specification's (the README beside it says which commit).
        JsonNode schema = ComposeFile.parseYaml(readResource(ComposeFile.SCHEMA_RESOURCE));
        assertEquals("Compose Specification", schema.path("title").asText());
        assertEquals("https://json-schema.org/draft-07/schema", schema.path("$schema").asText());
        assertTrue(schema.path("definitions").path("service").path("properties").has("healthcheck"));
    }

    private static String readResource(String name) {
        try (var in = ComposeFileTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void interpolationFollowsCompose() {
        Map<String, String> env = Map.of("SET", "value", "EMPTY", "");
        Set<String> variables = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        Function<String, String> expand = t -> ComposeFile.interpolate(t, "$.x", env, variables, errors);
        assertEquals("value|value|value", expand.apply("$SET|${SET}|${SET:-d}"));
        assertEquals("d||d", expand.apply("${UNSET:-d}|${EMPTY-d}|${EMPTY:-d}"));
        assertEquals("|other|other|", expand.apply("${EMPTY:+other}|${EMPTY+other}|${SET:+other}|${UNSET+other}"));
        assertEquals("$SET ${SET} $$", expand.apply("$$SET $${SET} $$$$"), "$$ is a literal $");
        assertEquals("nested value", expand.apply("${UNSET:-nested ${SET}}"));
        assertEquals("", expand.apply("$UNSET"), "an unset variable without a default is empty");
        assertEquals(List.of(), errors);
        assertEquals(Set.of("SET", "EMPTY", "UNSET"), variables, "every variable named, defaults included");

        assertEquals("", expand.apply("${EMPTY:?needed}"));
        assertEquals("", expand.apply("${EMPTY?fine}"), "set, even if empty");
        assertEquals("", expand.apply("${UNSET?needed ${SET}}"));
        assertEquals(List.of("$.x: required variable EMPTY is missing a value: needed",
                "$.x: required variable UNSET is missing a value: needed value"), errors);
        errors.clear();
        assertEquals("name", expand.apply("${bad-name}"), "'-' starts a default: ${bad-name} is bad, else \"name\"");
        expand.apply("${1bad} $ 5 ${SET");
        assertEquals(List.of("$.x: invalid reference ${1bad}", "$.x: a lone $ (write $$ for a literal one) in ${1bad} $ 5 ${SET",
                "$.x: unterminated ${ in ${1bad} $ 5 ${SET"), errors);
    }

    @Test
    void theYamlIsReadAsComposeReadsIt() {
        JsonNode doc = ComposeFile.parseYaml("""
                x-image: &image flink:2.2.1
                x-env: &env {A: "1", B: two}
                x-base: &base {restart: always, user: root}
                services:
                  a:
                    <<: *base
                    restart: "no"
                    image: *image
                    environment: *env
                    labels: {yes11: no, on11: on, bool12: true, octal: 0o17, text: '0o17', nul: ~}
                """);
        JsonNode a = doc.path("services").path("a");
        assertEquals("flink:2.2.1", a.path("image").asText(), "an alias of a scalar is its value");
        assertEquals("two", a.path("environment").path("B").asText(), "an alias of a mapping is a copy of it");
        assertEquals("no", a.path("restart").asText(), "the mapping's own key wins over the merged one");
        assertEquals("root", a.path("user").asText(), "merge keys apply");
        JsonNode labels = a.path("labels");
        assertTrue(labels.path("yes11").isTextual() && labels.path("on11").isTextual(), "YAML 1.2: no/on are strings: " + labels);
        assertTrue(labels.path("bool12").isBoolean());
        assertEquals(15, labels.path("octal").asInt());
        assertEquals("0o17", labels.path("text").asText());
        assertTrue(labels.path("nul").isNull());
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> ComposeFile.parseYaml("services:\n  a: {image: x}\n  a: {image: y}\n"), "a duplicate key is an error, as in Compose");
        assertEquals("$.services: duplicate key a", duplicate.getMessage());
    }

    // --- the scripts ------------------------------------------------------------------------------

    @Test
    void theScriptsAreValidShell() {
        for (Path script : List.of(SUBMIT_SCRIPT, GRAFANA_READER_SH)) {
            Processes.Result result = Processes.run(List.of("bash", "-n", file(script).toString()), root, Map.of(),
                    Duration.ofSeconds(30));
            assertEquals(0, result.exitCode(), script + ":\n" + result.both());
        }
        String initScript = read(GRAFANA_READER_SH);
        assertFalse(initScript.matches("(?ms).*^\\s*(set|exit)\\b.*"), "the entrypoint may source it: no set, no exit");
    }

    @Test
    void theSubmitScriptSubmitsOnceAndResumesFromTheNewestCompleteCheckpoint(@TempDir Path dir) throws IOException {
        Path jar = Files.writeString(dir.resolve("flink-job.jar"), "jar");
        Path log = dir.resolve("flink.log");
        Path list = dir.resolve("running.txt");
        Path flink = Files.writeString(dir.resolve("flink"), """
                #!/usr/bin/env bash
                echo "$*" >> "$FAKE_FLINK_LOG"
                if [ "$1" = list ]; then cat "$FAKE_FLINK_RUNNING" 2>/dev/null; fi
                exit 0
                """);
        assertTrue(flink.toFile().setExecutable(true));
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Map<String, String> env = new HashMap<>(Map.of("FLINK", flink.toString(), "CHECKPOINT_DIR", checkpoints.toString(),
                "FAKE_FLINK_LOG", log.toString(), "FAKE_FLINK_RUNNING", list.toString()));

        // Nothing running, no checkpoint: a fresh submission with the options as given.
        assertEquals(0, submit(jar, env).exitCode());
        assertEquals(List.of("list -r", "run -d " + jar + " --kafka kafka:9092"), Files.readAllLines(log));

        // Already running: nothing is submitted.
        Files.delete(log);
        Files.writeString(list, "23.11.2025 13:00:00 : 0123456789abcdef0123456789abcdef : quant-signals (RUNNING)\n");
        Processes.Result running = submit(jar, env);
        assertEquals(0, running.exitCode());
        assertTrue(running.stdout().contains("already running"), running.both());
        assertEquals(List.of("list -r"), Files.readAllLines(log));

        // Another job running, retained checkpoints: resume from the newest complete one.
        Files.delete(log);
        Files.writeString(list, "23.11.2025 13:00:00 : 0123456789abcdef0123456789abcdef : quant-signals run x (RUNNING)\n");
        Path older = checkpoint(checkpoints, "aaaa/chk-3", true, 1_000);
        Path newest = checkpoint(checkpoints, "bbbb/chk-7", true, 2_000);
        checkpoint(checkpoints, "bbbb/chk-8", false, 3_000); // still being written: no _metadata
        assertNotEquals(older, newest);
        assertEquals(0, submit(jar, env).exitCode());
        assertEquals(List.of("list -r", "run -d --fromSavepoint " + newest + " " + jar + " --kafka kafka:9092"),
                Files.readAllLines(log));

        // Resuming can be turned off.
        Files.delete(log);
        env.put("RESUME_FROM_CHECKPOINT", "false");
        assertEquals(0, submit(jar, env).exitCode());
        assertEquals(List.of("list -r", "run -d " + jar + " --kafka kafka:9092"), Files.readAllLines(log));

        // No jar (not built yet): a clear error, no submission.
        Files.delete(log);
        Processes.Result missing = submit(dir.resolve("missing.jar"), env);
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().contains("mvn -q package -DskipTests"), missing.both());
        assertFalse(Files.exists(log));
    }

    private static Processes.Result submit(Path jar, Map<String, String> env) {
        return Processes.run(List.of("bash", file(SUBMIT_SCRIPT).toString(), jar.toString(), "--kafka", "kafka:9092"),
                null, env, Duration.ofSeconds(30));
    }

    private static Path checkpoint(Path root, String name, boolean complete, long ageOffsetMillis) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        if (complete) {
            Path metadata = Files.writeString(dir.resolve("_metadata"), "metadata");
            Files.setLastModifiedTime(metadata, FileTime.fromMillis(1_700_000_000_000L + ageOffsetMillis));
        }
        return dir;
    }
}
