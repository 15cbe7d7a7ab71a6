package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one recorded file's JSON tree into its value (the tree reader; {@link VolumeFileReader} is the fast path for
 * well-formed volume files). Whatever does not fit becomes a one-line {@code path: problem} naming the field, never a
 * half-read value. The byte format it reads is {@link StateFiles}'s.
 */
final class StateFileReader {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StateFileReader() {
    }

    interface NodeReader {
        void accept(JsonNode n);
    }

    /** Hands the file's tree to {@code reader}; what fails is added to {@code problems} as {@code path: reason}. */
    static void read(Map.Entry<String, byte[]> file, List<String> problems, NodeReader reader) {
        try {
            JsonNode n = JSON.readTree(file.getValue());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            reader.accept(n);
        } catch (JacksonException e) {
            problems.add(file.getKey() + ": not valid JSON: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            problems.add(file.getKey() + ": " + e.getMessage());
        }
    }

    static Target target(JsonNode n) {
        return target(n, UnaryOperator.identity());
    }

    /** {@code strings} gives each serial and label value its one shared instance (see {@link StateFiles#decode}). */
    static Target target(JsonNode n, UnaryOperator<String> strings) {
        List<Drive> drives = new ArrayList<>();
        for (JsonNode d : array(n, "drives")) {
            Map<String, String> labels = labels(d);
            labels.replaceAll((k, v) -> strings.apply(v));
            drives.add(new Drive(strings.apply(text(d, "serial")), number(d, "capacity"),
                    DriveHealth.valueOf(text(d, "health").toUpperCase(Locale.ROOT)), labels));
        }
        return new Target(text(n, "id"), labels(n), TargetHealth.valueOf(text(n, "health").toUpperCase(Locale.ROOT)),
                drives, n.path("managed").asBoolean(false));
    }

    static ServedLayout served(JsonNode n) {
        List<ServedExtent> extents = new ArrayList<>();
        for (JsonNode e : array(n, "extents")) {
            extents.add(new ServedExtent(text(e, "volume"), (int) number(e, "segment"), text(e, "serial"),
                    number(e, "offset"), number(e, "length")));
        }
        return new ServedLayout(text(n, "target"), n.path("owner").asString(""), n.path("seq").asLong(0),
                n.path("stateCommit").asString(""), extents,
                n.has("stateGeneration") ? nonNegative(number(n, "stateGeneration"), "stateGeneration") : 0);
    }

    static Reconciled reconciled(JsonNode n) {
        return new Reconciled(text(n, "desiredCommit"), text(n, "lastSeenCommit"), text(n, "outcome"));
    }

    static long generation(JsonNode n) {
        return nonNegative(number(n, "generation"), "generation");
    }

    static Client client(JsonNode n) {
        return new Client(text(n, "id"), labels(n));
    }

    static VolumeRecord volume(JsonNode n) {
        String name = text(n, "name");
        Optional<VolumeAllocation> allocation = n.has("allocation") && !n.get("allocation").isNull()
                ? Optional.of(allocation(name, n.get("allocation"))) : Optional.empty();
        List<HeldExtent> releasing = new ArrayList<>();
        if (n.has("releasing")) {
            for (JsonNode h : array(n, "releasing")) {
                releasing.add(new HeldExtent(text(h, "serial"), number(h, "offset"), number(h, "length"),
                        number(h, "since")));
            }
        }
        return new VolumeRecord(name, VolumeStatus.fromWire(text(n, "status")), n.path("reason").asString(""),
                n.path("deletionProtection").asBoolean(false), n.path("policyFingerprint").asString(""), allocation,
                releasing);
    }

    private static VolumeAllocation allocation(String name, JsonNode a) {
        List<Chunk> chunks = new ArrayList<>();
        for (JsonNode c : array(a, "chunks")) {
            List<Group> groups = new ArrayList<>();
            for (JsonNode g : array(c, "groups")) {
                List<Segment> segments = new ArrayList<>();
                for (JsonNode s : array(g, "segments")) {
                    segments.add(new Segment(segments.size(), Role.valueOf(text(s, "role").toUpperCase(Locale.ROOT)),
                            new Extent(text(s, "serial"), number(s, "offset"), number(s, "length"))));
                }
                groups.add(new Group(groups.size(), segments));
            }
            chunks.add(new Chunk(chunks.size(), groups));
        }
        String layout = text(a, "layout");
        String protection = text(a, "protection");
        return new VolumeAllocation(name, text(a, "policy"),
                Layout.fromYaml(layout).orElseThrow(() -> new IllegalArgumentException("unknown layout " + layout)),
                Protection.fromYaml(protection)
                        .orElseThrow(() -> new IllegalArgumentException("unknown protection " + protection)),
                a.has("domainScope") ? text(a, "domainScope") : null, number(a, "size"), chunks);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isString()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a string");
        }
        return v.stringValue();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a whole number");
        }
        return v.longValue();
    }

    private static long nonNegative(long v, String field) {
        if (v < 0) {
            throw new IllegalArgumentException("\"" + field + "\" is negative");
        }
        return v;
    }

    private static Iterable<JsonNode> array(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a list");
        }
        return v.values();
    }

    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> out = new TreeMap<>();
        JsonNode v = n.get("labels");
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("\"labels\" is not an object");
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }
}
