package io.nvmesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The records are the API docs/openapi.yaml describes: each answer's properties, both ways (a property the schema has
 * and the record lacks fails, and the other way round), with their JSON types, {@code int64} exactly where the record
 * holds a {@code long}, an {@code Object} only where the schema allows any value, and the schema's {@code required}
 * names present. Nested records are checked against the schema they sit under, and every record of the package must
 * be reached from an answer.
 */
class OpenApiRecordsTest {

    /** Each answer and where the document describes it (a JSON pointer into it). */
    private static final Map<Class<?>, String> ANSWERS = new LinkedHashMap<>();

    static {
        ANSWERS.put(ClusterJson.class, "#/components/schemas/Cluster");
        ANSWERS.put(InstanceJson.class, "#/components/schemas/Instance");
        ANSWERS.put(CapacityJson.class, "#/components/schemas/Capacity");
        ANSWERS.put(ProblemJson.class, "#/components/schemas/Problem");
        ANSWERS.put(VolumeListJson.class, answer("/v1/volumes", "get"));
        ANSWERS.put(VolumeJson.class, answer("/v1/volumes/{name}", "get"));
        ANSWERS.put(InventoryJson.class, answer("/v1/inventory", "get"));
        ANSWERS.put(ReconcileResultsJson.class, answer("/v1/reconcile/results", "get"));
        ANSWERS.put(LargestVolumeJson.class, answer("/v1/capacity/largest", "get"));
        ANSWERS.put(HealthJson.class, answer("/healthz", "get"));
        ANSWERS.put(EventJson.class, "#/components/schemas/Event");
        ANSWERS.put(ResetJson.class, "#/components/schemas/Reset");
        ANSWERS.put(VolumeStatusJson.class, "#/components/schemas/VolumeStatus");
        ANSWERS.put(ServedJson.class, "#/components/schemas/Served");
        ANSWERS.put(TargetHealthJson.class, "#/components/schemas/TargetHealth");
        ANSWERS.put(DriveHealthJson.class, "#/components/schemas/DriveHealth");
        ANSWERS.put(ClientStateJson.class, "#/components/schemas/ClientState");
        ANSWERS.put(StateCommitJson.class, "#/components/schemas/StateCommit");
        ANSWERS.put(DesiredCommitJson.class, "#/components/schemas/DesiredCommit");
    }

    private static Map<String, Object> document;

    @BeforeAll
    static void load() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/openapi.yaml").normalize();
        document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(doc));
    }

    @Test
    void everyAnswerAgreesWithItsSchema() {
        List<String> problems = new ArrayList<>();
        Set<Class<?>> reached = new LinkedHashSet<>();
        ANSWERS.forEach((type, pointer) -> check(type, resolve(pointer), type.getSimpleName(), problems, reached));
        assertThat(problems).as("records against docs/openapi.yaml").isEmpty();
    }

    @Test
    void everyRecordOfThePackageIsAnAnswerOrPartOfOne() throws IOException, URISyntaxException {
        Set<Class<?>> reached = new LinkedHashSet<>();
        ANSWERS.forEach((type, pointer) -> check(type, resolve(pointer), type.getSimpleName(), new ArrayList<>(),
                reached));
        assertThat(reached).containsExactlyInAnyOrderElementsOf(recordsOfThePackage());
    }

    /** The checker itself: a renamed field is found from both sides, and so is a number that lost its int64. */
    @Test
    void aRenamedFieldOrANarrowedNumberIsCaught() {
        record Renamed(String self, long epoch, long version, List<String> alive, List<ClusterJson.MemberJson> members,
                       ClusterJson.OwnershipJson ownership) {
        }
        record Narrowed(String id, int epoch, long uptimeMillis, String javaVersion, int availableProcessors,
                        long heapUsedBytes, long heapCommittedBytes, long heapMaxBytes, long heapAfterGcBytes,
                        int threads, long cpuMillis) {
        }
        List<String> problems = new ArrayList<>();
        check(Renamed.class, resolve("#/components/schemas/Cluster"), "Renamed", problems, new LinkedHashSet<>());
        check(Narrowed.class, resolve("#/components/schemas/Instance"), "Narrowed", problems, new LinkedHashSet<>());
        assertThat(problems).containsExactly(
                "Renamed: the schema has `live`, the record does not",
                "Renamed: the record has `alive`, the schema does not",
                "Renamed: the schema requires `live`, the record does not have it",
                "Narrowed.epoch: format int64 needs a long, the record has int");
    }

    private static void check(Type type, Map<String, Object> schema, String where, List<String> problems,
                              Set<Class<?>> reached) {
        Class<?> raw = raw(type);
        String json = jsonType(schema);
        if (raw.isRecord()) {
            reached.add(raw);
            expect(json, "object", where, problems);
            Map<String, Object> properties = map(schema.get("properties"));
            Map<String, RecordComponent> components = new LinkedHashMap<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                components.put(c.getName(), c);
            }
            for (String p : properties.keySet()) {
                if (!components.containsKey(p)) {
                    problems.add(where + ": the schema has `" + p + "`, the record does not");
                }
            }
            for (String c : components.keySet()) {
                if (!properties.containsKey(c)) {
                    problems.add(where + ": the record has `" + c + "`, the schema does not");
                }
            }
            for (Object required : list(schema.get("required"))) {
                if (!components.containsKey(required)) {
                    problems.add(where + ": the schema requires `" + required + "`, the record does not have it");
                }
            }
            components.forEach((name, c) -> {
                if (properties.containsKey(name)) {
                    check(c.getGenericType(), resolve(map(properties.get(name))), where + "." + name, problems,
                            reached);
                }
            });
        } else if (raw == String.class) {
            expect(json, "string", where, problems);
        } else if (raw == boolean.class || raw == Boolean.class) {
            expect(json, "boolean", where, problems);
        } else if (raw == double.class || raw == Double.class) {
            expect(json, "number", where, problems);
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            expect(json, "integer", where, problems);
            boolean int64 = "int64".equals(schema.get("format"));
            boolean isLong = raw == long.class || raw == Long.class;
            if (int64 && !isLong) {
                problems.add(where + ": format int64 needs a long, the record has " + raw.getSimpleName());
            } else if (!int64 && isLong) {
                problems.add(where + ": the record has a long, the schema no format int64");
            }
        } else if (List.class.isAssignableFrom(raw)) {
            expect(json, "array", where, problems);
            check(argument(type, 0), resolve(map(schema.get("items"))), where + "[]", problems, reached);
        } else if (Map.class.isAssignableFrom(raw)) {
            expect(json, "object", where, problems);
            Type values = argument(type, 1);
            if (schema.get("additionalProperties") instanceof Map<?, ?> additional) {
                check(values, resolve(cast(additional)), where + "{}", problems, reached);
            } else if (schema.containsKey("properties")) {
                // A map whose keys the schema names (agents by kind): each named value has the map's value type.
                map(schema.get("properties")).forEach((key, s) -> check(values, resolve(map(s)), where + "." + key,
                        problems, reached));
            } else {
                problems.add(where + ": a map, but the schema says nothing of its values");
            }
        } else if (raw == Object.class) {
            expect(json, "untyped", where, problems); // any JSON value: the schema names no type
        } else {
            problems.add(where + ": no JSON type known for " + type);
        }
    }

    private static void expect(String actual, String wanted, String where, List<String> problems) {
        if (!wanted.equals(actual)) {
            problems.add(where + ": the schema says " + actual + ", the record holds " + wanted);
        }
    }

    /** The schema's type; of {@code [object, 'null']}, the one that is not null. */
    private static String jsonType(Map<String, Object> schema) {
        Object t = schema.get("type");
        if (t instanceof List<?> types) {
            return types.stream().filter(x -> !"null".equals(x)).map(String::valueOf).findFirst().orElse("null");
        }
        return t == null ? (schema.containsKey("properties") ? "object" : "untyped") : t.toString();
    }

    /** A schema with its {@code $ref} followed and its {@code allOf} parts merged (a later property wins). */
    private static Map<String, Object> resolve(Map<String, Object> schema) {
        if (schema.get("$ref") instanceof String ref) {
            return resolve(ref);
        }
        if (!(schema.get("allOf") instanceof List<?> parts)) {
            return schema;
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        Map<String, Object> properties = new LinkedHashMap<>();
        Set<Object> required = new LinkedHashSet<>();
        merged.put("type", "object");
        for (Object part : parts) {
            Map<String, Object> p = resolve(cast(part));
            properties.putAll(map(p.get("properties")));
            required.addAll(list(p.get("required")));
        }
        merged.put("properties", properties);
        merged.put("required", new ArrayList<>(required));
        return merged;
    }

    /** A JSON pointer ({@code #/components/schemas/Cluster}) into the document. */
    private static Map<String, Object> resolve(String pointer) {
        Object node = document;
        for (String token : pointer.substring(2).split("/")) {
            node = map(node).get(token.replace("~1", "/").replace("~0", "~"));
            assertThat(node).as("%s in docs/openapi.yaml", pointer).isNotNull();
        }
        return resolve(cast(node));
    }

    private static String answer(String path, String method) {
        return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method
                + "/responses/200/content/application~1json/schema";
    }

    /** Every record compiled into this package, nested ones included. */
    private static Set<Class<?>> recordsOfThePackage() throws IOException, URISyntaxException {
        Path classes = Path.of(ClusterJson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes.resolve("io/nvmesh/api"))) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".class"))
                    .forEach(f -> names.add("io.nvmesh.api." + f.substring(0, f.length() - ".class".length())));
        }
        Set<Class<?>> records = new LinkedHashSet<>();
        for (String n : names) {
            try {
                Class<?> c = Class.forName(n);
                if (c.isRecord()) {
                    records.add(c);
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return records;
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    private static Type argument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> ? cast(o) : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
