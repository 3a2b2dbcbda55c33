package io.quantsignals.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker-compose.yml read the way Docker Compose reads it, without Docker Compose: YAML 1.2 with
 * anchors, aliases and merge keys resolved, then variable interpolation against an env file, then
 * validation against the published Compose Specification JSON schema (vendored as the test resource
 * {@value #SCHEMA_RESOURCE}, see the README beside it). Compose's own loader does the same three steps
 * in this order (load, interpolate, validate); what it does after that (normalising short syntax,
 * resolving relative paths) is left to the caller, which looks at the raw structure.
 *
 * <p>The YAML goes through SnakeYAML's composer, the engine under Jackson's YAML dataformat (its
 * version comes with the Jackson BOM), not through Jackson's tree reader: that reader drops anchors on
 * scalars (so {@code image: *flink-image} would read as the string "flink-image") and resolves plain
 * scalars by YAML 1.1 ({@code no} becomes false), where Compose reads YAML 1.2 ({@code no} is a string).
 */
final class ComposeFile {

    static final String SCHEMA_RESOURCE = "/compose-spec/compose-spec.json";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o([0-7]+)");
    private static final Pattern HEX = Pattern.compile("0x([0-9a-fA-F]+)");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BRACED = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", Pattern.DOTALL);

    private static volatile Schema schema;

    private ComposeFile() {
    }

    // --- YAML ---------------------------------------------------------------------------------------

    /** The document as a tree; aliases are copies of their anchor's value, merge keys ({@code <<}) applied. */
    static JsonNode parseYaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node root = new Yaml(options).compose(new StringReader(text));
        if (root == null) {
            return NODES.nullNode();
        }
        return toJson(root, "$", new IdentityHashMap<>());
    }

    private static JsonNode toJson(Node node, String path, Map<Node, Boolean> onPath) {
        if (onPath.put(node, Boolean.TRUE) != null) {
            throw new IllegalArgumentException(path + ": a recursive alias");
        }
        try {
            if (node instanceof ScalarNode scalar) {
                return scalar(scalar);
            } else if (node instanceof SequenceNode sequence) {
                ArrayNode array = NODES.arrayNode();
                List<Node> items = sequence.getValue();
                for (int i = 0; i < items.size(); i++) {
                    array.add(toJson(items.get(i), path + "[" + i + "]", onPath));
                }
                return array;
            } else if (node instanceof MappingNode mapping) {
                ObjectNode object = NODES.objectNode();
                List<JsonNode> merged = new ArrayList<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                        throw new IllegalArgumentException(path + ": a key that is not a scalar");
                    }
                    String key = keyNode.getValue();
                    JsonNode value = toJson(tuple.getValueNode(), path + "." + key, onPath);
                    if (key.equals("<<") && keyNode.isPlain()) {
                        merged.add(value);
                    } else if (object.replace(key, value) != null) {
                        throw new IllegalArgumentException(path + ": duplicate key " + key);
                    }
                }
                // Keys of the mapping itself win over merged ones; earlier merge sources over later ones.
                for (JsonNode source : merged) {
                    List<JsonNode> maps = source.isArray() ? toList(source) : List.of(source);
                    for (JsonNode map : maps) {
                        if (!map.isObject()) {
                            throw new IllegalArgumentException(path + ".<<: merges a mapping, not " + map.getNodeType());
                        }
                        map.fields().forEachRemaining(e -> {
                            if (!object.has(e.getKey())) {
                                object.set(e.getKey(), e.getValue().deepCopy());
                            }
                        });
                    }
                }
                return object;
            }
            throw new IllegalArgumentException(path + ": unexpected YAML node " + node.getNodeId());
        } finally {
            onPath.remove(node);
        }
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    /** A scalar by the YAML 1.2 core schema, as Compose's YAML library resolves it; quoted and block scalars are strings. */
    private static JsonNode scalar(ScalarNode scalar) {
        String text = scalar.getValue();
        if (!scalar.isPlain()) {
            return NODES.textNode(text);
        }
        switch (text) {
            case "", "~", "null", "Null", "NULL":
                return NODES.nullNode();
            case "true", "True", "TRUE":
                return NODES.booleanNode(true);
            case "false", "False", "FALSE":
                return NODES.booleanNode(false);
            default:
                break;
        }
        Matcher octal = OCTAL.matcher(text);
        Matcher hex = HEX.matcher(text);
        if (INT.matcher(text).matches()) {
            return NODES.numberNode(new BigInteger(text));
        } else if (octal.matches()) {
            return NODES.numberNode(new BigInteger(octal.group(1), 8));
        } else if (hex.matches()) {
            return NODES.numberNode(new BigInteger(hex.group(1), 16));
        } else if (FLOAT.matcher(text).matches()) {
            return NODES.numberNode(new BigDecimal(text));
        }
        return NODES.textNode(text);
    }

    // --- the env file ---------------------------------------------------------------------------------

    /** {@code NAME=value} lines of a Compose env file; blank lines and {@code #} comments skipped, quotes removed. */
    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !NAME.matcher(line.substring(0, eq).strip()).matches()) {
                throw new IllegalArgumentException(file + ": not NAME=value: " + raw);
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }

    // --- interpolation ----------------------------------------------------------------------------

    /**
     * The document with every string value interpolated (keys are not, as in Compose).
     *
     * @param variables every variable the document refers to, used or not (a default that was not
     *                  needed still names its variables)
     * @param errors    what Compose would refuse to start with: a required variable ({@code :?} /
     *                  {@code ?}) without a value, or a malformed reference; each names the value's path
     */
    record Interpolated(JsonNode document, Set<String> variables, List<String> errors) {
    }

    /**
     * Compose's interpolation: {@code $$} is a literal {@code $}; {@code $VAR} and {@code ${VAR}} are
     * the value (empty if unset); {@code ${VAR:-default}} / {@code ${VAR-default}} the default when
     * unset or empty / unset; {@code ${VAR:?message}} / {@code ${VAR?message}} an error when unset or
     * empty / unset; {@code ${VAR:+other}} / {@code ${VAR+other}} the other value when set and not
     * empty / set. Defaults and messages may contain references themselves.
     */
    static Interpolated interpolate(JsonNode raw, Map<String, String> env) {
        Set<String> variables = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        JsonNode document = interpolateNode(raw, "$", env, variables, errors);
        return new Interpolated(document, variables, errors);
    }

    private static JsonNode interpolateNode(JsonNode node, String path, Map<String, String> env, Set<String> variables,
                                            List<String> errors) {
        if (node.isTextual()) {
            return NODES.textNode(interpolate(node.asText(), path, env, variables, errors));
        } else if (node.isArray()) {
            ArrayNode array = NODES.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                array.add(interpolateNode(node.get(i), path + "[" + i + "]", env, variables, errors));
            }
            return array;
        } else if (node.isObject()) {
            ObjectNode object = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                object.set(field.getKey(), interpolateNode(field.getValue(), path + "." + field.getKey(), env, variables, errors));
            }
            return object;
        }
        return node;
    }

    static String interpolate(String text, String path, Map<String, String> env, Set<String> variables, List<String> errors) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
            } else if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int close = closingBrace(text, i + 1);
                if (close < 0) {
                    errors.add(path + ": unterminated ${ in " + text);
                    return out.toString();
                }
                out.append(braced(text.substring(i + 2, close), path, env, variables, errors));
                i = close + 1;
            } else {
                Matcher name = NAME.matcher(text).region(i + 1, text.length());
                if (!name.lookingAt()) {
                    errors.add(path + ": a lone $ (write $$ for a literal one) in " + text);
                    out.append(c);
                    i++;
                    continue;
                }
                variables.add(name.group());
                out.append(env.getOrDefault(name.group(), ""));
                i = name.end();
            }
        }
        return out.toString();
    }

    private static int closingBrace(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                depth++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String braced(String body, String path, Map<String, String> env, Set<String> variables, List<String> errors) {
        Matcher m = BRACED.matcher(body);
        if (!m.matches()) {
            errors.add(path + ": invalid reference ${" + body + "}");
            return "";
        }
        String name = m.group(1);
        variables.add(name);
        String value = env.get(name);
        boolean set = value != null;
        boolean nonEmpty = set && !value.isEmpty();
        String operator = m.group(2);
        if (operator == null) {
            return set ? value : "";
        }
        // The argument is expanded even when it is not needed, so its variables are counted too; its
        // errors only count when it is used.
        List<String> argumentErrors = new ArrayList<>();
        String argument = interpolate(m.group(3), path, env, variables, argumentErrors);
        switch (operator) {
            case ":-", "-" -> {
                boolean useValue = operator.equals(":-") ? nonEmpty : set;
                if (useValue) {
                    return value;
                }
                errors.addAll(argumentErrors);
                return argument;
            }
            case ":?", "?" -> {
                boolean ok = operator.equals(":?") ? nonEmpty : set;
                if (ok) {
                    return value;
                }
                errors.addAll(argumentErrors);
                errors.add(path + ": required variable " + name + " is missing a value: " + argument);
                return "";
            }
            default -> { // ":+", "+"
                boolean useArgument = operator.equals(":+") ? nonEmpty : set;
                if (useArgument) {
                    errors.addAll(argumentErrors);
                    return argument;
                }
                return "";
            }
        }
    }

    // --- Flink -------------------------------------------------------------------------------------

    /**
     * FLINK_PROPERTIES as the Flink image's entrypoint reads it: one "key: value" per line, appended to
     * conf/config.yaml. A line that is not "key: value", or a key given twice, is an error.
     */
    static Map<String, String> flinkProperties(String text) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("FLINK_PROPERTIES: not a 'key: value' line: " + line);
            }
            if (properties.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip()) != null) {
                throw new IllegalArgumentException("FLINK_PROPERTIES: duplicate key in " + line);
            }
        }
        return properties;
    }

    /** The repository's docker-compose.yml interpolated with .env.example, as the tests read it. */
    static Interpolated repositoryStack() {
        return interpolate(parseYaml(OpsStackFiles.read(Path.of("docker-compose.yml"))),
                readEnvFile(OpsStackFiles.file(Path.of(".env.example"))));
    }

    // --- the schema -------------------------------------------------------------------------------

    /** Violations of the Compose Specification schema, each as "instance path: message"; empty when valid. */
    static List<String> schemaErrors(JsonNode document) {
        List<String> messages = new ArrayList<>();
        for (Error error : schema().validate(document)) {
            String pointer = error.getInstanceLocation().toString();
            // An unknown key is reported on the object that has it: name the key itself.
            if ("additionalProperties".equals(error.getKeyword()) && error.getProperty() != null) {
                pointer = pointer + "/" + error.getProperty();
            }
            messages.add(path(pointer) + ": " + error.getMessage());
        }
        return messages;
    }

    /** A JSON pointer ("/services/web/ports/0") in the "$.services.web.ports[0]" form the interpolation errors use. */
    private static String path(String pointer) {
        StringBuilder path = new StringBuilder("$");
        if (pointer.isEmpty()) {
            return path.toString();
        }
        for (String segment : pointer.substring(1).split("/", -1)) {
            String name = segment.replace("~1", "/").replace("~0", "~");
            path.append(name.matches("\\d+") ? "[" + name + "]" : "." + name);
        }
        return path.toString();
    }

    private static Schema schema() {
        Schema loaded = schema;
        if (loaded == null) {
            try (InputStream in = ComposeFile.class.getResourceAsStream(SCHEMA_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("test resource " + SCHEMA_RESOURCE + " is missing");
                }
                // The schema declares draft-07 ("$schema": "https://json-schema.org/draft-07/schema"),
                // the dialect used here as well, so nothing is fetched from the network. Its "$id" is
                // relative ("compose_spec.json"): the resource's own location is the base it resolves
                // against (every "$ref" in it points into the document itself).
                // "deprecated" (a later drafts' annotation the schema uses) is known as what it is, an
                // annotation, rather than logged as an unknown keyword.
                Dialect draft7 = Dialect.builder(Dialects.getDraft7()).keyword(new AnnotationKeyword("deprecated")).build();
                loaded = SchemaRegistry.withDefaultDialect(draft7)
                        .getSchema(SchemaLocation.of("classpath:" + SCHEMA_RESOURCE), in, InputFormat.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            schema = loaded;
        }
        return loaded;
    }
}
