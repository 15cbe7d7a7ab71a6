package io.nvmesh.cli.remote;

import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.InventoryJson;
import io.nvmesh.api.VolumeJson;
import io.nvmesh.api.VolumeListJson;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/** What {@code get}, {@code describe} and {@code status} show, each from one or two reads of the API. */
public final class ClusterViews {

    /** The kinds {@code get} knows, each by its plural, its singular and a short name (as kubectl's). */
    public enum Kind {
        VOLUMES("volume", "vol"), TARGETS("target", "tgt"), DRIVES("drive", "drv"), CLIENTS("client", "cli"),
        CLUSTER("cluster", "cl"), CAPACITY("capacity", "cap");

        private final List<String> names;

        Kind(String singular, String shortName) {
            this.names = List.of(name().toLowerCase(Locale.ROOT), singular, shortName);
        }

        /** {@code volumes}, {@code volume} or {@code vol} (any case); empty for no kind. */
        public static Optional<Kind> parse(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return Arrays.stream(values()).filter(k -> k.names.contains(n)).findFirst();
        }

        /** {@code volumes (volume, vol)}, for help and errors. */
        public String names() {
            Set<String> others = new LinkedHashSet<>(names.subList(1, 3));
            others.remove(names.get(0));
            return names.get(0) + " (" + String.join(", ", others) + ")";
        }

        /** Whether {@code get -o json} prints a list ({@code kind: List}) rather than one object. */
        boolean listed() {
            return this != CLUSTER && this != CAPACITY;
        }
    }

    /** The {@code apiVersion} of the lists {@code get -o json|yaml} prints, as kubectl's {@code kind: List}. */
    public static final String API_VERSION = "nvmesh.io/v1";

    private final ServerClient client;
    private final PrintWriter out;

    public ClusterViews(ServerClient client, PrintWriter out) {
        this.client = client;
        // Everything shown here is what servers and their agents said.
        this.out = ControlCharacters.escaping(out);
    }

    /**
     * Prints every object of a kind, or the one called {@code name} (null for all): a table, or JSON or YAML where
     * a list is {@link KubectlList kubectl's List} and one named object is that object.
     */
    public void get(Kind kind, String name, Output output) {
        switch (kind) {
            case VOLUMES -> {
                VolumeListJson v = client.get("/v1/volumes", VolumeListJson.class);
                show(kind, name, v.items(), VolumeListJson.SummaryJson::name,
                        metadata(v.instance(), v.stateCommit(), v.desiredCommit()), output, this::volumes);
            }
            case TARGETS, DRIVES, CLIENTS -> {
                InventoryJson i = client.get("/v1/inventory", InventoryJson.class);
                Map<String, String> metadata = metadata(i.instance(), i.stateCommit(), null);
                switch (kind) {
                    case TARGETS -> show(kind, name, i.targets(), InventoryJson.TargetJson::id, metadata, output,
                            this::targets);
                    case DRIVES -> show(kind, name, i.drives(), InventoryJson.DriveJson::serial, metadata, output,
                            this::drives);
                    default -> show(kind, name, i.clients(), InventoryJson.ClientJson::id, metadata, output,
                            this::clients);
                }
            }
            case CLUSTER -> {
                ClusterJson c = client.get("/v1/cluster", ClusterJson.class);
                if (!print(c, output)) {
                    members(c.members());
                }
            }
            case CAPACITY -> {
                CapacityJson c = client.get("/v1/capacity", CapacityJson.class);
                if (!print(c, output)) {
                    capacity(c);
                }
            }
        }
    }

    /** A listed kind: all its items, or the one whose key is {@code name}. */
    private <T> void show(Kind kind, String name, List<T> items, Function<T, String> key, Map<String, String> metadata,
                          Output output, Consumer<List<T>> table) {
        List<T> shown = items;
        if (name != null) {
            shown = items.stream().filter(item -> name.equals(key.apply(item))).toList();
            if (shown.isEmpty()) {
                throw new ServerException("no " + kind.names.get(1) + " " + name + " is recorded", 404);
            }
        }
        if (!print(name == null ? new KubectlList(API_VERSION, "List", metadata, items) : shown.get(0), output)) {
            table.accept(shown);
        }
    }

    /** Prints the value as JSON or YAML; false for a table, which the caller prints. */
    private boolean print(Object value, Output output) {
        if (output == Output.JSON) {
            Rendering.json(out, value);
            return true;
        }
        if (output == Output.YAML) {
            Rendering.yaml(out, value);
            return true;
        }
        return false;
    }

    private void volumes(List<VolumeListJson.SummaryJson> items) {
        List<List<String>> rows = new ArrayList<>();
        for (VolumeListJson.SummaryJson v : items) {
            rows.add(List.of(v.name(), StatusWords.label(v.status()), v.policy(), v.layout(),
                    Rendering.bytes(v.sizeBytes()), Integer.toString(v.segments()), v.owner(),
                    StatusWords.reason(v.status(), v.reason())));
        }
        Rendering.table(out, List.of("NAME", "STATUS", "POLICY", "LAYOUT", "SIZE", "SEGMENTS", "OWNER", "REASON"),
                rows);
    }

    private void targets(List<InventoryJson.TargetJson> items) {
        List<List<String>> rows = new ArrayList<>();
        for (InventoryJson.TargetJson t : items) {
            rows.add(List.of(t.id(), Rendering.targetHealth(t), Integer.toString(t.drives()),
                    Rendering.bytes(t.capacity()), t.labels().getOrDefault("zone", ""),
                    t.labels().getOrDefault("rack", "")));
        }
        Rendering.table(out, List.of("ID", "HEALTH", "DRIVES", "CAPACITY", "ZONE", "RACK"), rows);
    }

    private void drives(List<InventoryJson.DriveJson> items) {
        List<List<String>> rows = new ArrayList<>();
        for (InventoryJson.DriveJson d : items) {
            rows.add(List.of(d.serial(), d.target(), Rendering.bytes(d.capacity()), d.health(),
                    d.labels().getOrDefault("model", ""), d.labels().getOrDefault("interface", "")));
        }
        Rendering.table(out, List.of("SERIAL", "TARGET", "CAPACITY", "HEALTH", "MODEL", "INTERFACE"), rows);
    }

    private void clients(List<InventoryJson.ClientJson> items) {
        List<List<String>> rows = new ArrayList<>();
        for (InventoryJson.ClientJson c : items) {
            rows.add(List.of(c.id(), labels(c.labels())));
        }
        Rendering.table(out, List.of("ID", "LABELS"), rows);
    }

    private void members(List<ClusterJson.MemberJson> members) {
        List<List<String>> rows = new ArrayList<>();
        for (ClusterJson.MemberJson m : members) {
            rows.add(List.of(m.id(), m.url(), m.alive() ? "yes" : "no", m.self() ? "*" : "",
                    Integer.toString(m.ownedKeys()), agents(m, "targets"), agents(m, "clients")));
        }
        Rendering.table(out, List.of("ID", "URL", "ALIVE", "ANSWERING", "KEYS", "TARGETS", "CLIENTS"), rows);
    }

    /** Agents of a kind connected to a member; blank when the member did not say (older than the agent hub). */
    private static String agents(ClusterJson.MemberJson m, String kind) {
        Integer n = m.agents().get(kind);
        return n == null ? "" : n.toString();
    }

    /** {@code get capacity --policy NAME}: the largest volume the policy can place now. */
    public void largest(String policy, Output output) {
        PolicyRoom.print(out, PolicyRoom.ask(client, policy), output);
    }

    /** What a list was read from: the answering instance, the state commit and (volumes) the desired commit. */
    private static Map<String, String> metadata(String instance, String stateCommit, String desiredCommit) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("instance", instance);
        metadata.put("stateCommit", stateCommit);
        if (desiredCommit != null) {
            metadata.put("desiredCommit", desiredCommit);
        }
        return metadata;
    }

    /**
     * One shape for every list, kubectl's: {@code {"apiVersion","kind":"List","metadata","items"}}; metadata says what
     * was read (the answering instance, the state commit and, for volumes, the desired commit reconciled).
     */
    record KubectlList(String apiVersion, String kind, Map<String, String> metadata, List<?> items) {
    }

    /** Bytes per scope (cluster, failure domain, drive class) in binary units, then servers, drives and volumes. */
    private void capacity(CapacityJson c) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(usage("cluster", "", c.cluster()));
        new TreeMap<>(c.domains()).forEach((k, v) -> rows.add(usage("domain", k, v)));
        new TreeMap<>(c.driveClasses()).forEach((k, v) -> rows.add(usage("drive class", k, v)));
        Rendering.table(out, List.of("SCOPE", "NAME", "TOTAL", "FREE", "ALLOCATED", "DATA", "REDUNDANT", "WITHHELD",
                "OFFLINE"), rows);
        out.println();
        StringBuilder servers = new StringBuilder();
        new TreeMap<>(c.servers()).forEach((kind, byHealth) -> servers
                .append(servers.length() == 0 ? "" : "; ").append(kind).append("s ").append(counts(byHealth)));
        out.println("servers:  " + (servers.length() == 0 ? "none" : servers));
        out.println("drives:   " + counts(c.drives()));
        out.println("volumes:  " + counts(c.volumes()));
        out.println("answered by " + c.instance() + (c.consistent() ? ""
                : " (a replicated change was half applied; ask again)"));
    }

    private static List<String> usage(String scope, String name, CapacityJson.UsageJson u) {
        CapacityJson.UsageJson v = u == null ? new CapacityJson.UsageJson(0, 0, 0, 0, 0, 0, 0) : u;
        return List.of(scope, name, Rendering.bytes(v.total()), Rendering.bytes(v.free()),
                Rendering.bytes(v.allocated()), Rendering.bytes(v.data()), Rendering.bytes(v.redundant()),
                Rendering.bytes(v.withheld()), Rendering.bytes(v.offline()));
    }

    /** {@code 18 healthy, 2 unhealthy}, or {@code none}. */
    private static String counts(Map<String, Long> byKey) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(byKey).forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n)
                .append(' ').append(k));
        return sb.length() == 0 ? "none" : sb.toString();
    }

    public void describeVolume(String name, Output output) {
        VolumeJson v = client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8), VolumeJson.class);
        if (print(v, output)) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Name", v.name());
        fields.put("Status", StatusWords.label(v.status()));
        String reason = StatusWords.reason(v.status(), v.reason());
        if (!reason.isEmpty()) {
            fields.put("Reason", reason);
        }
        fields.put("Policy", v.policy());
        fields.put("Layout", v.layout() + (v.protection().isEmpty() ? "" : ", protection " + v.protection()));
        boolean placed = !v.segments().isEmpty();
        fields.put("Size", placed ? Rendering.bytes(v.sizeBytes()) + " (placed " + Rendering.bytes(v.placedBytes())
                + ")" : (v.requested().isEmpty() ? "" : v.requested() + " asked, ") + "not placed yet");
        fields.put("Deletion protection", Boolean.toString(v.deletionProtection()));
        fields.put("Owner", v.owner());
        fields.put("State commit", shortId(v.stateCommit()));
        String shared = sharedDrives(v.segments());
        if (!shared.isEmpty()) {
            fields.put("Shared drives", shared + " (these stripes do not work in parallel; nvmesh fsck says whether"
                    + " the policy allows it)");
        }
        fields.forEach((k, val) -> out.println(String.format("%-20s %s", k + ":", val)));
        out.println("Segments:            " + v.segments().size());
        List<List<String>> rows = new ArrayList<>();
        for (VolumeJson.SegmentJson s : v.segments()) {
            rows.add(List.of("  " + s.chunk(), Integer.toString(s.group()), Integer.toString(s.index()), s.role(),
                    s.target(), s.serial(), Rendering.bytes(s.offset()), Rendering.bytes(s.length())));
        }
        if (!rows.isEmpty()) {
            Rendering.table(out, List.of("  CHUNK", "GROUP", "SEG", "ROLE", "TARGET", "DRIVE", "OFFSET", "LENGTH"),
                    rows);
        }
    }

    /** {@code chunk 0: stripes 0, 1 share drive S1; ...} for drives holding segments of two stripes of a chunk. */
    private static String sharedDrives(List<VolumeJson.SegmentJson> segments) {
        Map<String, java.util.TreeSet<Integer>> groups = new TreeMap<>();
        for (VolumeJson.SegmentJson s : segments) {
            String key = String.format("%06d %s", s.chunk(), s.serial());
            groups.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(s.group());
        }
        List<String> parts = new ArrayList<>();
        groups.forEach((key, g) -> {
            if (g.size() > 1) {
                parts.add("chunk " + Long.parseLong(key.substring(0, 6)) + ": stripes " + String.join(", ", g.stream()
                        .map(String::valueOf).toList()) + " share drive " + key.substring(7));
            }
        });
        return String.join("; ", parts);
    }

    /**
     * One screen: members with their uptime and last reconcile pass, ownership balance, health, capacity. Every live
     * member is asked for what only it knows; the rest comes from the instance given.
     */
    public void status(Output output) {
        ClusterStatus s = new ClusterStatusReader(client, url -> new ServerClient(client.address().at(url))).read(System.currentTimeMillis());
        if (!print(s, output)) {
            StatusScreen.print(out, s);
        }
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

}
