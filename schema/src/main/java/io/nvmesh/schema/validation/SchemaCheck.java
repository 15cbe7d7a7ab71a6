package io.nvmesh.schema.validation;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Kind;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks one document against its kind's published JSON Schema and words each networknt error as one line a
 * person can act on. Schemas are compiled once; {@link Schema#validate} is safe to call from several threads.
 */
final class SchemaCheck {

    private static final Map<String, String> UNITS = Map.of("mirrors", " extra copies");

    /** The compiled schemas and their documents, complete before anyone reads them. */
    private record Compiled(Map<String, Schema> schemas, Map<String, JsonNode> documents) {
    }

    private final CompletableFuture<Compiled> compiled = new CompletableFuture<>();
    /** Whether "expected a mapping" names the keys the mapping takes (the files' schemas; manifests say it apart). */
    private final boolean namesKeys;

    /**
     * Compiles on a thread of its own (about a sixth of a second with a cold JVM), so that a command can walk its
     * directories and read and parse files meanwhile; the first {@link #check} waits for it.
     */
    SchemaCheck() {
        this(Map.of(), false);
    }

    /**
     * The schemas of {@code files} ($id to schema text) instead of the manifests'; {@code namesKeys}: a mapping
     * that is something else is told which keys it takes.
     */
    SchemaCheck(Map<String, String> files, boolean namesKeys) {
        this.namesKeys = namesKeys;
        Thread compiler = new Thread(() -> {
            try {
                compiled.complete(compile(files));
            } catch (Throwable e) {
                compiled.completeExceptionally(e);
            }
        }, "nvmesh-schema-compiler");
        compiler.setDaemon(true);
        compiler.start();
    }

    private static Compiled compile(Map<String, String> files) {
        Map<String, String> sources = new LinkedHashMap<>(files);
        if (files.isEmpty()) {
            for (Kind kind : Kind.values()) {
                sources.put(ManifestSchemas.id(kind), ManifestSchemas.json(kind));
            }
        }
        Map<String, Schema> schemas = new HashMap<>();
        Map<String, JsonNode> documents = new HashMap<>();
        JsonMapper mapper = JsonMapper.builder().build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        sources.forEach((id, json) -> {
            JsonNode document = mapper.readTree(json);
            Schema schema = registry.getSchema(SchemaLocation.of(id), document);
            schema.initializeValidators();
            schemas.put(id, schema);
            documents.put(id, document);
        });
        return new Compiled(schemas, documents);
    }

    private Compiled compiled() {
        try {
            return compiled.join();
        } catch (CompletionException e) {
            // As if compiled in the constructor: the failure itself, not a wrapper.
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof java.lang.Error r) {
                throw r;
            }
            throw e;
        }
    }

    List<Finding> check(Kind kind, JsonNode document) {
        return check(ManifestSchemas.id(kind), document);
    }

    /** Checks {@code document} against the schema whose $id is {@code schemaId}. */
    List<Finding> check(String schemaId, JsonNode document) {
        List<Error> errors = compiled().schemas().get(schemaId).validate(document);
        if (errors.isEmpty()) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Error error : errors) {
            Finding f = explain(schemaId, document, error);
            if (f != null && seen.add(f.at() + "\n" + f.message())) {
                findings.add(f);
            }
        }
        return findings;
    }

    private Finding explain(String schemaId, JsonNode document, Error error) {
        FieldPath at = path(error.getInstanceLocation());
        JsonNode value = error.getInstanceNode();
        String keyword = String.valueOf(error.getKeyword());
        List<Object> schemaPath = error.getSchemaLocation() == null ? List.of()
                : path(error.getSchemaLocation().getFragment()).segments();
        JsonNode rule = subschema(schemaId, schemaPath.isEmpty() ? schemaPath : schemaPath.subList(0, schemaPath.size() - 1));
        String field = at.isRoot() ? "" : String.valueOf(at.segments().get(at.segments().size() - 1));
        String layout = schemaPath.contains("then") ? document.path("spec").path("layout").asString("") : "";
        String description = rule.path("description").asString("");
        String defName = defName(schemaPath);
        switch (keyword) {
            case "additionalProperties": {
                String property = error.getProperty();
                if (property == null) {
                    return Finding.at(at, "unknown field");
                }
                Set<String> known = new TreeSet<>(rule.path("properties").propertyNames());
                return new Finding(at.key(property), true, at, "unknown field \"" + property + "\""
                        + Suggestions.closest(property, known).map(s -> " (did you mean \"" + s + "\"?)")
                                .orElse(known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")"));
            }
            case "required": {
                String property = error.getProperty() != null ? error.getProperty()
                        : String.valueOf(error.getArguments()[0]);
                return new Finding(at, !at.isRoot(), at, "missing required field \"" + property + "\"");
            }
            case "type": {
                String found = typeOf(value)
                        + (value != null && value.isValueNode() && !value.isNull() ? " (" + display(value) + ")" : "");
                if (namesKeys && rule.has("properties")) {
                    Set<String> known = new TreeSet<>(rule.path("properties").propertyNames());
                    return Finding.at(at, "expected a mapping of " + String.join(", ", known) + "; found " + found);
                }
                return Finding.at(at, "expected " + article(rule.path("type")) + ", found " + found);
            }
            case "const":
                if (at.equals(FieldPath.ROOT.key("kind"))) {
                    return Finding.at(at, display(value) + " is not " + rule.path("const").asString());
                }
                if (at.equals(FieldPath.ROOT.key("apiVersion"))) {
                    return Finding.at(at, display(value) + " is not supported (use " + rule.path("const").asString() + ")");
                }
                return Finding.at(at, display(value) + " is not allowed" + forLayout(layout)
                        + " (" + (description.isEmpty() ? "must be " + rule.path("const") : description) + ")");
            case "not":
            case "false":
                return Finding.at(at, display(value) + " is not allowed" + forLayout(layout)
                        + (description.isEmpty() ? "" : " (" + description + ")"));
            case "enum": {
                List<String> allowed = new ArrayList<>();
                rule.path("enum").forEach(n -> allowed.add(n.asString()));
                if (!layout.isEmpty()) {
                    return Finding.at(at, display(value) + " is not allowed for " + layout
                            + " (" + (description.isEmpty() ? "use " + String.join(", ", allowed) : description) + ")");
                }
                String hint = value != null && value.isString()
                        ? Suggestions.hint(value.asString(), allowed) : "";
                return Finding.at(at, display(value) + " is not one of " + String.join(", ", allowed) + hint);
            }
            case "minimum":
            case "maximum":
            case "exclusiveMinimum":
            case "exclusiveMaximum":
                return Finding.at(at, display(value) + " is out of range" + forLayout(layout) + " (allowed "
                        + range(rule) + UNITS.getOrDefault(field, "") + ")");
            case "pattern":
            case "maxLength":
                if (schemaId.equals(ManifestSchemas.id(Kind.VOLUME)) && field.equals(Volume.ACCEPT_DATA_LOSS)) {
                    return Finding.at(at, display(value) + " is not a list of drive serials (comma separated, none"
                            + " empty, e.g. S-12,S-13)");
                }
                return Finding.at(at, patternMessage(defName, value, rule));
            case "minLength":
                return Finding.at(at, "must not be empty");
            case "uniqueItems":
                return Finding.at(at, "lists " + duplicates(value) + " more than once");
            case "propertyNames": {
                String property = error.getProperty();
                return property == null ? Finding.at(at, "has an invalid key")
                        : new Finding(at.key(property), true, at, "\"" + property
                                + "\" is not a valid label key (e.g. zone, nvmesh.io/media)");
            }
            default:
                return Finding.at(at, error.getMessage());
        }
    }

    private static String patternMessage(String defName, JsonNode value, JsonNode rule) {
        return switch (defName) {
            // Only stripeSize uses the size $def in manifests; each hint validates where it is written.
            case "size" -> display(value) + " is not a size (use e.g. " + VolumePolicy.STRIPE_SIZE_EXAMPLES + ")";
            case "capacity" -> display(value) + " is not a size (use e.g. " + Capacity.EXAMPLES + ")";
            case "name" -> display(value) + " is not a valid name (lower case letters, digits and '-', at most 63)";
            case "labelKey" -> display(value) + " is not a valid label key (e.g. zone, nvmesh.io/media)";
            case "labelValue" -> display(value) + " is not a valid label value (at most 63 letters, digits, '-', '_'"
                    + " and '.', beginning and ending with a letter or digit)";
            case "clientId" -> display(value) + " is not a valid client id (lower case letters, digits, '.', '_'"
                    + " and '-', starting with a letter or digit, at most 63: the rule of agents' node ids)";
            // The files' schemas (FileFormat): the words their readers used before they had a schema.
            case "id" -> display(value) + " is not a valid id (letters, digits, '.', '_' and '-', starting with a "
                    + "letter or digit)";
            case "serial" -> display(value) + " is not a valid serial (letters, digits, '.', '_' and '-', at most 128)";
            case "duration" -> display(value) + " is not a duration (use e.g. 500ms, 2s, 1m)";
            case "packInterval" -> display(value) + " is not a duration (use e.g. 60m, 1440m; 0 or off: never)";
            case "nodeId" -> display(value) + " is not a valid node id (1-63 of a-z 0-9 . _ -, starting with a letter "
                    + "or digit)";
            case "instanceId" -> "instance id " + display(value) + " must be 1-63 lower-case letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit";
            case "sha256" -> display(value) + " is not a SHA-256 (64 lower-case hex digits; the token itself is never "
                    + "stored)";
            default -> display(value) + (rule.has("maxLength") && value != null && value.isString()
                    && value.asString().length() > rule.path("maxLength").asInt()
                    ? " is longer than " + rule.path("maxLength").asInt() + " characters"
                    : " does not match " + rule.path("pattern").asString());
        };
    }

    private static String defName(List<Object> schemaPath) {
        int i = schemaPath.lastIndexOf("$defs");
        return i >= 0 && i + 1 < schemaPath.size() ? String.valueOf(schemaPath.get(i + 1)) : "";
    }

    private static String forLayout(String layout) {
        return layout.isEmpty() ? "" : " for " + layout;
    }

    private static String range(JsonNode rule) {
        boolean hasMin = rule.has("minimum");
        boolean hasMax = rule.has("maximum");
        if (hasMin && hasMax) {
            return rule.path("minimum").asString() + ".." + rule.path("maximum").asString();
        }
        return hasMin ? "at least " + rule.path("minimum").asString() : "at most " + rule.path("maximum").asString();
    }

    private static String duplicates(JsonNode array) {
        Set<String> seen = new HashSet<>();
        Set<String> twice = new TreeSet<>();
        if (array != null) {
            array.forEach(n -> {
                if (!seen.add(display(n))) {
                    twice.add(display(n));
                }
            });
        }
        return twice.isEmpty() ? "an item" : String.join(", ", twice);
    }

    /** The fields the schema requires at the top. */
    List<String> required(String schemaId) {
        List<String> keys = new ArrayList<>();
        compiled().documents().get(schemaId).path("required").forEach(k -> keys.add(k.asString()));
        return keys;
    }

    private JsonNode subschema(String schemaId, List<Object> path) {
        JsonNode node = compiled().documents().get(schemaId);
        for (Object segment : path) {
            node = segment instanceof Integer i ? node.path(i) : node.path(String.valueOf(segment));
        }
        return node;
    }

    private static FieldPath path(NodePath nodePath) {
        List<Object> segments = new ArrayList<>();
        if (nodePath != null) {
            for (int i = 0; i < nodePath.getNameCount(); i++) {
                Object element = nodePath.getElement(i);
                segments.add(element instanceof Integer ? element : String.valueOf(element));
            }
        }
        return new FieldPath(segments);
    }

    private static String article(JsonNode type) {
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(article(t)));
            return names.stream().collect(Collectors.joining(" or "));
        }
        return switch (type.asString("")) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "string" -> "a string";
            case "integer" -> "an integer";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "null" -> "nothing";
            default -> "a " + type.asString("value");
        };
    }

    static String typeOf(JsonNode value) {
        if (value == null || value.isNull()) {
            return "nothing";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isString()) {
            return "a string";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        return value.isIntegralNumber() ? "an integer" : "a number";
    }

    /** A value as it would be written back: strings quoted, long ones cut. */
    static String display(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isString()) {
            String s = value.asString();
            return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.toString();
    }
}
