package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The file layout of recorded state and its byte format. Keys are sorted, lists keep their order, indentation is two
 * spaces, lines end in {@code \n} and every file ends with one: equal values give equal bytes on every machine.
 *
 * <pre>
 * inventory/targets/&lt;id&gt;.json   a target with its drives
 * inventory/clients/&lt;id&gt;.json   a client
 * volumes/&lt;name&gt;.json           a volume: status, reason, and its allocation (chunks, groups, segments)
 * served/&lt;target-id&gt;.json       what an agent-managed target acked serving (written by the target's owner only)
 * reconciled.json                the desired commit last reconciled from, and the last outcome
 * state.json                     the state's generation: its parent's plus one, written with every commit
 * </pre>
 *
 * This class owns the layout and the encoding; turning a file's JSON tree back into its value is
 * {@link StateFileReader}'s.
 */
public final class StateFiles {

    public static final String TARGETS = "inventory/targets";
    public static final String CLIENTS = "inventory/clients";
    public static final String INVENTORY = "inventory";
    public static final String VOLUMES = "volumes";
    public static final String RECONCILED = "reconciled.json";
    public static final String SERVED = "served";
    public static final String STATE = "state.json";
    public static final int FORMAT_VERSION = 1;
    /** Files read and parsed at a time by {@link #decode}: large enough to keep both cores busy. */
    static final int DECODE_BATCH = 2048;

    /** Ids that make safe, portable file names. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectWriter WRITER;

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        WRITER = JSON.writer().with(new DefaultPrettyPrinter().withObjectIndenter(indent).withArrayIndenter(indent));
    }

    private StateFiles() {
    }

    /** A decoded state, and the files that could not be decoded (each {@code path: reason}). */
    public record Decoded(RecordedState state, List<String> problems) {
        public Decoded {
            problems = List.copyOf(problems);
        }
    }

    public static String targetPath(String id) {
        return TARGETS + "/" + id + ".json";
    }

    public static String clientPath(String id) {
        return CLIENTS + "/" + id + ".json";
    }

    public static String volumePath(String name) {
        return VOLUMES + "/" + name + ".json";
    }

    public static String servedPath(String targetId) {
        return SERVED + "/" + targetId + ".json";
    }

    /** Reads every recorded file of the snapshot; files it cannot read are listed, not thrown. */
    public static Decoded decode(Snapshot snapshot) {
        List<String> problems = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        SortedMap<String, VolumeRecord> volumes = new TreeMap<>();
        SortedMap<String, ServedLayout> served = new TreeMap<>();
        // Parsing dominates for large states (100,000 volumes): parse each batch of files in parallel, then assemble in
        // path order. Batches keep the bytes held at any time to one batch's (the whole state is ~2 KB a volume).
        java.util.NavigableSet<String> wanted = new java.util.TreeSet<>(snapshot.paths(INVENTORY));
        wanted.addAll(snapshot.paths(VOLUMES));
        wanted.addAll(snapshot.paths(SERVED));
        // One instance per distinct serial, policy name, label value: fewer live bytes, and lookups by serial (the
        // planner's, fsck's) find the very key instance and compare by identity.
        java.util.concurrent.ConcurrentHashMap<String, String> shared = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.UnaryOperator<String> strings = s -> {
            String had = shared.get(s); // almost always there: a look-up takes no lock, a put may
            if (had == null) {
                had = shared.putIfAbsent(s, s);
            }
            return had == null ? s : had;
        };
        snapshot.readEach(wanted, DECODE_BATCH, batch -> {
            List<Map.Entry<String, byte[]>> files = new ArrayList<>(batch.entrySet());
            List<Object> parsed = files.parallelStream().map(f -> parse(f, strings)).toList();
            for (int i = 0; i < files.size(); i++) {
                String path = files.get(i).getKey();
                Object o = parsed.get(i);
                if (o instanceof String problem) {
                    problems.add(problem);
                } else if (o instanceof Target t && path.startsWith(TARGETS + "/")) {
                    targets.add(t);
                } else if (o instanceof Client c && path.startsWith(CLIENTS + "/")) {
                    clients.add(c);
                } else if (o instanceof VolumeRecord v) {
                    volumes.put(v.name(), v);
                } else if (o instanceof ServedLayout l) {
                    served.put(l.target(), l);
                }
            }
        });
        Reconciled[] reconciled = {Reconciled.NEVER};
        snapshot.file(RECONCILED).ifPresent(bytes -> StateFileReader.read(Map.entry(RECONCILED, bytes), problems,
                n -> reconciled[0] = StateFileReader.reconciled(n)));
        Inventory inventory;
        try {
            inventory = new Inventory(targets, clients);
        } catch (IllegalArgumentException e) {
            problems.add(INVENTORY + ": " + e.getMessage());
            inventory = new Inventory(List.of(), List.of());
        }
        long[] generation = {0};
        snapshot.file(STATE).ifPresent(bytes -> StateFileReader.read(Map.entry(STATE, bytes), problems,
                n -> generation[0] = StateFileReader.generation(n)));
        return new Decoded(new RecordedState(snapshot.commitId(), inventory, volumes, reconciled[0], served,
                generation[0]), problems);
    }

    /** One recorded file as its value, or a {@code path: problem} string; files outside the layout are ignored. */
    private static Object parse(Map.Entry<String, byte[]> f, java.util.function.UnaryOperator<String> strings) {
        String path = f.getKey();
        Object[] out = {null};
        List<String> problems = new ArrayList<>(1);
        if (!path.endsWith(".json")) {
            return null;
        }
        if (path.startsWith(TARGETS + "/")) {
            StateFileReader.read(f, problems, n -> out[0] = StateFileReader.target(n, strings));
        } else if (path.startsWith(CLIENTS + "/")) {
            StateFileReader.read(f, problems, n -> out[0] = StateFileReader.client(n));
        } else if (path.startsWith(VOLUMES + "/")) {
            VolumeRecord fast = VolumeFileReader.read(JSON, f.getValue(), strings);
            if (fast != null && path.equals(volumePath(fast.name()))) {
                return fast;
            }
            StateFileReader.read(f, problems, n -> {
                VolumeRecord v = StateFileReader.volume(n);
                if (!path.equals(volumePath(v.name()))) {
                    throw new IllegalArgumentException("holds volume " + v.name());
                }
                out[0] = v;
            });
        } else if (path.startsWith(SERVED + "/")) {
            StateFileReader.read(f, problems, n -> {
                ServedLayout l = StateFileReader.served(n);
                if (!path.equals(servedPath(l.target()))) {
                    throw new IllegalArgumentException("holds the served layout of " + l.target());
                }
                out[0] = l;
            });
        }
        return problems.isEmpty() ? out[0] : problems.get(0);
    }

    /** Reads the state, refusing a damaged one: a writer must never build on state it cannot fully see. */
    public static RecordedState decodeStrict(Snapshot snapshot) {
        Decoded d = decode(snapshot);
        if (!d.problems().isEmpty()) {
            throw new IllegalStateException("recorded state at " + snapshot.commitId() + " is damaged: "
                    + String.join("; ", d.problems()) + " (run nvmesh fsck)");
        }
        return d.state();
    }

    /** Every file of {@code state}, path to bytes. */
    public static SortedMap<String, byte[]> encode(RecordedState state) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        for (Target t : state.inventory().targets()) {
            out.put(targetPath(t.id()), target(t));
        }
        for (Client c : state.inventory().clients()) {
            out.put(clientPath(c.id()), client(c));
        }
        List<VolumeRecord> volumes = new ArrayList<>(state.volumes().values());
        List<byte[]> encoded = encodeVolumes(volumes);
        for (int i = 0; i < volumes.size(); i++) {
            out.put(volumePath(volumes.get(i).name()), encoded.get(i));
        }
        for (ServedLayout l : state.served().values()) {
            out.put(servedPath(l.target()), encodeServed(l));
        }
        if (!state.reconciled().equals(Reconciled.NEVER)) {
            out.put(RECONCILED, reconciled(state.reconciled()));
        }
        if (state.generation() > 0) {
            out.put(STATE, generation(state.generation()));
        }
        return out;
    }

    /**
     * The changes that turn {@code before} into {@code after}: only files whose bytes differ are written, recorded
     * files that {@code after} no longer has are deleted. Files outside the recorded layout are left alone.
     */
    public static Changes changes(Snapshot before, RecordedState after) {
        return changes(before, null, after);
    }

    /**
     * As {@link #changes(Snapshot, RecordedState)}, given {@code recorded}, the state decoded from {@code before} (or
     * null): a volume whose record equals its recorded one is neither encoded nor compared, its file stays as it is. A
     * pass then costs the volumes it changed, not the 100,000 it keeps. The file of such a volume decodes to the very
     * record that would be written; it differs in bytes only if it was not written by this encoder (by hand, or by an
     * older version), and it is rewritten the next time its record changes.
     */
    public static Changes changes(Snapshot before, RecordedState recorded, RecordedState after) {
        boolean same = recorded != null && recorded.commitId().equals(before.commitId());
        SortedMap<String, byte[]> wanted = new TreeMap<>();
        java.util.Set<String> kept = new java.util.HashSet<>();
        wanted.putAll(encode(after.withVolumes(new TreeMap<>())));
        List<VolumeRecord> changed = new ArrayList<>();
        for (VolumeRecord v : after.volumes().values()) {
            String path = volumePath(v.name());
            if (same && v.equals(recorded.volumes().get(v.name())) && before.contains(path)) {
                kept.add(path);
            } else {
                changed.add(v);
            }
        }
        List<byte[]> encoded = encodeVolumes(changed);
        for (int i = 0; i < changed.size(); i++) {
            wanted.put(volumePath(changed.get(i).name()), encoded.get(i));
        }
        Changes.Builder b = Changes.builder();
        // Compared by Git blob id (a hash of the bytes), so the old files are not read: a state of 100,000 volumes is
        // ~200 MB of them. Hashed on every core: each file's comparison is its own.
        List<Map.Entry<String, byte[]>> files = new ArrayList<>(wanted.entrySet());
        boolean[] held = new boolean[files.size()];
        java.util.stream.IntStream.range(0, files.size()).parallel().forEach(i -> held[i] = before.contains(
                files.get(i).getKey()) && before.holds(files.get(i).getKey(), files.get(i).getValue()));
        for (int i = 0; i < files.size(); i++) {
            if (!held[i]) {
                b.putOwned(files.get(i).getKey(), files.get(i).getValue()); // encoded here, referenced nowhere else
            }
        }
        List<String> existing = new ArrayList<>(before.paths(INVENTORY));
        existing.addAll(before.paths(VOLUMES));
        existing.addAll(before.paths(SERVED));
        existing.add(RECONCILED);
        existing.add(STATE);
        for (String path : existing) {
            if (before.contains(path) && !wanted.containsKey(path) && !kept.contains(path) && isRecorded(path)) {
                b.delete(path);
            }
        }
        return b.build();
    }

    /** The object a recorded path stands for ({@code volume db-01}, {@code target t1}), for messages. */
    public static String objectOf(String path) {
        if (path.equals(RECONCILED)) {
            return "reconcile marker";
        }
        if (path.equals(STATE)) {
            return "state generation";
        }
        String name = path.substring(path.lastIndexOf('/') + 1).replaceFirst("\\.json$", "");
        if (path.startsWith(TARGETS + "/")) {
            return "target " + name;
        }
        if (path.startsWith(CLIENTS + "/")) {
            return "client " + name;
        }
        if (path.startsWith(VOLUMES + "/")) {
            return "volume " + name;
        }
        if (path.startsWith(SERVED + "/")) {
            return "served layout of target " + name;
        }
        return path;
    }

    private static boolean isRecorded(String path) {
        return path.equals(RECONCILED) || path.equals(STATE) || path.endsWith(".json") && (path.startsWith(TARGETS + "/")
                || path.startsWith(CLIENTS + "/") || path.startsWith(VOLUMES + "/") || path.startsWith(SERVED + "/"));
    }

    // ---- encoding -------------------------------------------------------------------------------------------

    static byte[] target(Target t) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", t.id());
        m.put("labels", new TreeMap<>(t.labels()));
        m.put("health", lower(t.health().name()));
        List<Object> drives = new ArrayList<>();
        for (Drive d : t.drives()) {
            Map<String, Object> dm = new TreeMap<>();
            dm.put("serial", d.serial());
            dm.put("capacity", d.capacity());
            dm.put("health", lower(d.health().name()));
            dm.put("labels", new TreeMap<>(d.labels()));
            drives.add(dm);
        }
        m.put("drives", drives);
        if (t.managed()) {
            m.put("managed", true); // absent (files from inventory import, older files): no agent, served at once
        }
        return write(m);
    }

    static byte[] client(Client c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", c.id());
        m.put("labels", new TreeMap<>(c.labels()));
        return write(m);
    }

    /**
     * The files of {@code volumes}, in their order. Each is encoded on its own, so on every core: at 100,000 volumes
     * encoding was a sixth of a reconcile pass.
     */
    static List<byte[]> encodeVolumes(List<VolumeRecord> volumes) {
        return volumes.size() < PARALLEL_FROM ? volumes.stream().map(StateFiles::volume).toList()
                : volumes.parallelStream().map(StateFiles::volume).toList();
    }

    /** Below this many volumes, encoding in parallel costs more than it saves. */
    static final int PARALLEL_FROM = 256;

    /**
     * A volume file, written field by field in the order of its sorted keys: the bytes a sorted map of the same values
     * gives through {@link #WRITER} ({@code StateFilesEncodingProperties} holds the two equal), without building
     * ~20 maps per volume.
     */
    static byte[] volume(VolumeRecord v) {
        java.io.StringWriter out = new java.io.StringWriter(2048);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            g.writeStartObject();
            if (v.allocation().isPresent()) {
                g.writeName("allocation");
                allocation(g, v.allocation().get());
            }
            g.writeBooleanProperty("deletionProtection", v.deletionProtection());
            g.writeNumberProperty("formatVersion", FORMAT_VERSION);
            g.writeStringProperty("name", v.name());
            g.writeStringProperty("policyFingerprint", v.policyFingerprint());
            g.writeStringProperty("reason", v.reason());
            if (!v.releasing().isEmpty()) {
                g.writeName("releasing");
                g.writeStartArray();
                for (HeldExtent h : v.releasing()) {
                    g.writeStartObject();
                    g.writeNumberProperty("length", h.length());
                    g.writeNumberProperty("offset", h.offset());
                    g.writeStringProperty("serial", h.serial());
                    g.writeNumberProperty("since", h.since());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeStringProperty("status", v.status().wireName());
            g.writeEndObject();
        }
        out.write('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void allocation(JsonGenerator g, VolumeAllocation a) {
        g.writeStartObject();
        g.writeName("chunks");
        g.writeStartArray();
        for (Chunk c : a.chunks()) {
            g.writeStartObject();
            g.writeName("groups");
            g.writeStartArray();
            for (Group gr : c.groups()) {
                g.writeStartObject();
                g.writeName("segments");
                g.writeStartArray();
                for (Segment s : gr.segments()) {
                    g.writeStartObject();
                    g.writeNumberProperty("length", s.extent().length());
                    g.writeNumberProperty("offset", s.extent().offset());
                    g.writeStringProperty("role", lower(s.role().name()));
                    g.writeStringProperty("serial", s.extent().serial());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (a.domainScope() != null) {
            g.writeStringProperty("domainScope", a.domainScope());
        }
        g.writeStringProperty("layout", a.layout().yamlName());
        g.writeStringProperty("policy", a.policy());
        g.writeStringProperty("protection", a.protection().yamlName());
        g.writeNumberProperty("size", a.size());
        g.writeEndObject();
    }

    /** The fields every extent has on disk (a segment's, a hold's, a served one's); the caller adds its own. */
    private static Map<String, Object> extent(String serial, long offset, long length) {
        Map<String, Object> m = new TreeMap<>();
        m.put("serial", serial);
        m.put("offset", offset);
        m.put("length", length);
        return m;
    }

    /** One served file's bytes. */
    public static byte[] encodeServed(ServedLayout l) {
        Map<String, Object> m = new TreeMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("target", l.target());
        m.put("owner", l.owner());
        m.put("seq", l.seq());
        m.put("stateCommit", l.stateCommit());
        List<Object> extents = new ArrayList<>(l.extents().size());
        for (ServedExtent e : l.extents()) {
            Map<String, Object> em = extent(e.serial(), e.offset(), e.length());
            em.put("volume", e.volume());
            em.put("segment", e.segment());
            extents.add(em);
        }
        m.put("extents", extents);
        if (l.stateGeneration() > 0) {
            m.put("stateGeneration", l.stateGeneration());
        }
        return write(m);
    }

    /** The bytes of {@code state.json} for a generation. */
    public static byte[] generation(long generation) {
        Map<String, Object> m = new TreeMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("generation", generation);
        return write(m);
    }

    /** The generation a {@code state.json} holds; throws on a damaged one. */
    public static long decodeGeneration(byte[] bytes) {
        List<String> problems = new ArrayList<>(1);
        long[] out = {0};
        StateFileReader.read(Map.entry(STATE, bytes), problems, n -> out[0] = StateFileReader.generation(n));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
        return out[0];
    }

    /** Decodes one served file's bytes; throws on a damaged one. */
    public static ServedLayout decodeServed(byte[] bytes) {
        List<String> problems = new ArrayList<>(1);
        ServedLayout[] out = {null};
        StateFileReader.read(Map.entry(SERVED, bytes), problems, n -> out[0] = StateFileReader.served(n));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
        return out[0];
    }

    static byte[] reconciled(Reconciled r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("desiredCommit", r.desiredCommit());
        m.put("lastSeenCommit", r.lastSeenCommit());
        m.put("outcome", r.outcome());
        return write(m);
    }

    private static byte[] write(Map<String, Object> m) {
        String s = WRITER.writeValueAsString(m) + "\n";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
