package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a volume file token by token, without building a JSON tree first: a state of 10,000 volumes holds 60,000
 * segments, and building their trees was most of decoding it. This reader only takes the well-formed case. Anything
 * else (a wrong type, a missing field, a value a record refuses, trailing bytes) makes it give up with {@code null},
 * and the caller reads the file the slow way, which names the problem. So a damaged file is reported exactly as
 * before, and a good one decodes to the same record.
 */
final class VolumeFileReader {

    /** Thrown to give up on the fast path; never leaves this class. */
    private static final class NotSimple extends RuntimeException {
        NotSimple() {
            super(null, null, false, false);
        }
    }

    private static final NotSimple NOT_SIMPLE = new NotSimple();

    private VolumeFileReader() {
    }

    /** The volume the file records, or {@code null} when the file needs the full reader. */
    static VolumeRecord read(JsonMapper json, byte[] bytes) {
        return read(json, bytes, UnaryOperator.identity());
    }

    /**
     * As above; {@code strings} gives each drive serial, policy name and fingerprint its one shared instance: 100,000
     * volumes name the same 120,000 serials 600,000 times, and every map keyed by serial then compares by identity.
     */
    static VolumeRecord read(JsonMapper json, byte[] bytes, UnaryOperator<String> strings) {
        try (JsonParser p = json.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            String name = null;
            String status = null;
            String reason = "";
            String fingerprint = "";
            boolean protection = false;
            AllocationFields allocation = null;
            for (String field = p.nextName(); field != null; field = p.nextName()) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "name" -> name = string(p, t);
                    case "status" -> status = string(p, t);
                    case "reason" -> reason = string(p, t);
                    case "policyFingerprint" -> fingerprint = strings.apply(string(p, t));
                    case "deletionProtection" -> protection = bool(t);
                    case "releasing" -> throw NOT_SIMPLE; // rare: the full reader takes it
                    case "allocation" -> {
                        // The allocation needs the volume's name, which may come later in the file: keep its
                        // fields and build it at the end.
                        allocation = t == JsonToken.VALUE_NULL ? null : allocation(p, t, strings);
                    }
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT);
            if (p.nextToken() != null || name == null || status == null) {
                return null;
            }
            Optional<VolumeAllocation> a = Optional.empty();
            if (allocation != null) {
                a = Optional.of(new VolumeAllocation(name, allocation.policy(), allocation.layout(),
                        allocation.protection(), allocation.domainScope(), allocation.size(), allocation.chunks()));
            }
            return new VolumeRecord(name, VolumeStatus.fromWire(status), reason, protection, fingerprint, a);
        } catch (RuntimeException e) {
            // NotSimple, a Jackson error or a record's own check: the full reader says which.
            return null;
        }
    }

    private record AllocationFields(String policy, Layout layout, Protection protection, String domainScope,
            long size, List<Chunk> chunks) {
    }

    private static AllocationFields allocation(JsonParser p, JsonToken start, UnaryOperator<String> strings) {
        expect(start, JsonToken.START_OBJECT);
        String policy = null;
        String layout = null;
        String protection = null;
        String domainScope = null;
        long size = -1;
        List<Chunk> chunks = null;
        for (String field = p.nextName(); field != null; field = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "policy" -> policy = strings.apply(string(p, t));
                case "layout" -> layout = string(p, t);
                case "protection" -> protection = string(p, t);
                case "domainScope" -> domainScope = string(p, t);
                case "size" -> size = number(p, t);
                case "chunks" -> chunks = chunks(p, t, strings);
                default -> p.skipChildren();
            }
        }
        if (policy == null || layout == null || protection == null || size < 0 || chunks == null) {
            throw NOT_SIMPLE;
        }
        return new AllocationFields(policy, Layout.fromYaml(layout).orElseThrow(() -> NOT_SIMPLE),
                Protection.fromYaml(protection).orElseThrow(() -> NOT_SIMPLE), domainScope, size, chunks);
    }

    private static List<Chunk> chunks(JsonParser p, JsonToken start, UnaryOperator<String> strings) {
        return numbered(p, start, "groups", (q, t) -> groups(q, t, strings), Chunk::new);
    }

    private static List<Group> groups(JsonParser p, JsonToken start, UnaryOperator<String> strings) {
        return numbered(p, start, "segments", (q, t) -> segments(q, t, strings), Group::new);
    }

    /** An array of objects that each hold one list ({@code field}), numbered by their place in the array. */
    private static <T, E> List<T> numbered(JsonParser p, JsonToken start, String field, ListReader<E> items,
            BiFunction<Integer, List<E>, T> make) {
        expect(start, JsonToken.START_ARRAY);
        List<T> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            out.add(make.apply(out.size(), list(p, t, field, items)));
        }
        return out;
    }

    private static List<Segment> segments(JsonParser p, JsonToken start, UnaryOperator<String> strings) {
        expect(start, JsonToken.START_ARRAY);
        List<Segment> segments = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_OBJECT);
            String role = null;
            String serial = null;
            long offset = -1;
            long length = -1;
            for (String field = p.nextName(); field != null; field = p.nextName()) {
                JsonToken v = p.nextToken();
                switch (field) {
                    case "role" -> role = string(p, v);
                    case "serial" -> serial = string(p, v);
                    case "offset" -> offset = number(p, v);
                    case "length" -> length = number(p, v);
                    default -> p.skipChildren();
                }
            }
            if (role == null || serial == null || offset < 0 || length < 0) {
                throw NOT_SIMPLE;
            }
            segments.add(new Segment(segments.size(), role(role), new Extent(strings.apply(serial), offset, length)));
        }
        return segments;
    }

    /** The role as written ({@code data}, {@code mirror}, {@code parity}) without a new string per segment. */
    private static Role role(String wire) {
        return switch (wire) {
            case "data" -> Role.DATA;
            case "mirror" -> Role.MIRROR;
            case "parity" -> Role.PARITY;
            default -> Role.valueOf(wire.toUpperCase(Locale.ROOT)); // any other spelling, as the full reader takes it
        };
    }

    private interface ListReader<T> {
        List<T> read(JsonParser p, JsonToken start);
    }

    /** An object whose one field {@code field} is a list; any other field is skipped, as the full reader does. */
    private static <T> List<T> list(JsonParser p, JsonToken start, String field, ListReader<T> reader) {
        expect(start, JsonToken.START_OBJECT);
        List<T> out = null;
        for (String f = p.nextName(); f != null; f = p.nextName()) {
            JsonToken t = p.nextToken();
            if (f.equals(field)) {
                out = reader.read(p, t);
            } else {
                p.skipChildren();
            }
        }
        if (out == null) {
            throw NOT_SIMPLE;
        }
        return out;
    }

    private static void expect(JsonToken actual, JsonToken wanted) {
        if (actual != wanted) {
            throw NOT_SIMPLE;
        }
    }

    private static String string(JsonParser p, JsonToken t) {
        expect(t, JsonToken.VALUE_STRING);
        return p.getString();
    }

    private static boolean bool(JsonToken t) {
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        throw NOT_SIMPLE;
    }

    /** A whole number that fits a long; negative ones go to the full reader (records refuse them there). */
    private static long number(JsonParser p, JsonToken t) {
        expect(t, JsonToken.VALUE_NUMBER_INT);
        JsonParser.NumberType type = p.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw NOT_SIMPLE;
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw NOT_SIMPLE;
        }
        return v;
    }
}
