package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.quantsignals.job.OpsStackFiles.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compose stack (SPEC §11) as far as it can be checked without Docker: docker-compose.yml
 * validates with Debian's docker-compose (v1) against .env.example, and its normalised form has
 * the structure the stack relies on (healthchecks, the shared kill-switch volume, the job
 * submission, the migrations as init scripts, Grafana's provisioning, Flink's configuration).
 */
class ComposeFileTest {

    private static final Set<String> ONE_SHOT = Set.of("volumes-init", "kafka-init", "flink-job-submit", "ops", "replay");
    private static final String KILL_SWITCH_VOLUME = "kill-switch";
    private static final String INIT_DIR = "/docker-entrypoint-initdb.d/";

    private static Path root;
    /** {@code docker-compose config} with .env.example: interpolated and normalised. */
    private static JsonNode config;
    private static JsonNode services;

    @BeforeAll
    static void validateWithDockerCompose() throws IOException {
        root = repoRoot();
        DockerComposeV1.Result result = compose(root.resolve(".env.example"), "config");
        assertEquals(0, result.exitCode(), "docker-compose config must accept docker-compose.yml with .env.example:\n"
                + result.both());
        assertFalse(result.stderr().contains("is not set"),
                "every variable docker-compose.yml uses must be in .env.example:\n" + result.stderr());
        config = YAML.readTree(result.stdout());
        services = config.path("services");
        assertTrue(services.isObject() && services.size() > 0, "no services in:\n" + result.stdout());
    }

    /** docker-compose with only the given env file (never a developer's .env, never this JVM's environment). */
    private static DockerComposeV1.Result compose(Path envFile, String... args) {
        List<String> all = new ArrayList<>(List.of("--env-file", envFile.toString(),
                "--project-directory", root.toString(), "-f", root.resolve("docker-compose.yml").toString()));
        all.addAll(List.of(args));
        return DockerComposeV1.run(root, Map.of(), all.toArray(String[]::new));
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

    /** A volume entry of the normalised config, short ("source:target[:mode]") or long syntax. */
    record Mount(String source, String target, boolean readOnly) {
        boolean isNamedVolume() {
            return !source.startsWith("/") && !source.startsWith(".");
        }
    }

    private static List<Mount> mounts(String serviceName) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode v : service(serviceName).path("volumes")) {
            if (v.isTextual()) {
                String[] parts = v.asText().split(":");
                assertTrue(parts.length >= 2, "unexpected volume entry " + v);
                mounts.add(new Mount(parts[0], parts[1], parts.length > 2 && parts[2].contains("ro")));
            } else {
                mounts.add(new Mount(v.path("source").asText(), v.path("target").asText(), v.path("read_only").asBoolean()));
            }
        }
        return mounts;
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
                "flink-job-submit", "grafana", "ops", "replay");
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
        List<String> create = strings(service("kafka-init").path("command"));
        assertTrue(create.containsAll(List.of("--create", "--if-not-exists", "--topic", "prices")), create.toString());
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
        assertTrue(strings(service("kafka-init").path("command")).contains(job.pricesTopic()), "the topic kafka-init creates");
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
                assertTrue(known.contains(key), name + ": FLINK_PROPERTIES key '" + key + "' is not a Flink 2.x option");
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

    /** FLINK_PROPERTIES as the image's entrypoint reads it: one "key: value" per line. */
    private static Map<String, String> flinkProperties(String serviceName) {
        String text = environment(serviceName).get("FLINK_PROPERTIES");
        assertNotNull(text, serviceName + " has no FLINK_PROPERTIES");
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            assertTrue(colon > 0, serviceName + ": not a 'key: value' line: " + line);
            assertEquals(null, properties.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip()),
                    serviceName + ": duplicate key in " + line);
        }
        return properties;
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

        Map<String, String> example = new LinkedHashMap<>();
        for (String line : read(Path.of(".env.example")).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] kv = line.split("=", 2);
                assertEquals(2, kv.length, ".env.example: not NAME=value: " + line);
                example.put(kv[0].strip(), kv[1].strip());
            }
        }
        Matcher variables = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(compose);
        Set<String> used = new LinkedHashSet<>();
        while (variables.find()) {
            used.add(variables.group(1));
        }
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

        // Without the secrets the stack refuses to start, naming what is missing.
        Path empty = Files.createTempFile("empty", ".env");
        try {
            DockerComposeV1.Result result = compose(empty, "config", "-q");
            assertNotEquals(0, result.exitCode(), "config without .env must fail:\n" + result.both());
            assertTrue(result.stderr().contains("must be set in .env"), result.both());
        } finally {
            Files.deleteIfExists(empty);
        }
    }

    @Test
    void publishedPortsAreOnTheConfiguredAddressOnly() {
        for (String name : names(services)) {
            for (JsonNode port : service(name).path("ports")) {
                String published = port.isTextual() ? port.asText() : port.path("host_ip").asText() + ":" + port.path("published").asText();
                assertTrue(published.startsWith("127.0.0.1:"), name + " publishes " + published + " beyond the loopback address");
            }
        }
        Map<String, String> expected = Map.of("grafana", "3000", "jobmanager", "8081", "timescaledb", "5432", "kafka", "9094");
        expected.forEach((name, port) -> assertTrue(service(name).path("ports").toString().contains(port + ":" + port),
                name + " publishes " + port + ": " + service(name).path("ports")));
    }

    // --- the scripts ------------------------------------------------------------------------------

    @Test
    void theScriptsAreValidShell() {
        for (Path script : List.of(SUBMIT_SCRIPT, GRAFANA_READER_SH)) {
            DockerComposeV1.Result result = DockerComposeV1.run(List.of("bash", "-n", file(script).toString()), root, Map.of(),
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
        DockerComposeV1.Result running = submit(jar, env);
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
        DockerComposeV1.Result missing = submit(dir.resolve("missing.jar"), env);
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().contains("mvn -q package -DskipTests"), missing.both());
        assertFalse(Files.exists(log));
    }

    private static DockerComposeV1.Result submit(Path jar, Map<String, String> env) {
        return DockerComposeV1.run(List.of("bash", file(SUBMIT_SCRIPT).toString(), jar.toString(), "--kafka", "kafka:9092"),
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
