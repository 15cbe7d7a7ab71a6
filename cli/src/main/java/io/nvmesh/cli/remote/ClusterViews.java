package io.nvmesh.cli.remote;

import static io.nvmesh.core.state.CommitIds.shortId;

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
     * a list is {@link #list kubectl's List} and one named object is that object.
     */
    public void get(Kind kind, String name, Output output) {
        Map<String, Object> body = new LinkedHashMap<>(client.get(switch (kind) {
            case VOLUMES -> "/v1/volumes";
            case CLUSTER -> "/v1/cluster";
            case CAPACITY -> "/v1/capacity";
            default -> "/v1/inventory";
        }));
        String itemsKey = switch (kind) {
            case VOLUMES -> "items";
            case TARGETS -> "targets";
            case DRIVES -> "drives";
            default -> "clients";
        };
        Object shown = kind.listed() ? list(body, itemsKey) : body;
        if (name != null) {
            String key = kind == Kind.VOLUMES ? "name" : kind == Kind.DRIVES ? "serial" : "id";
            List<Map<String, Object>> one = Rendering.list(body, itemsKey).stream()
                    .filter(item -> name.equals(item.get(key))).toList();
            if (one.isEmpty()) {
                throw new ServerException("no " + kind.names.get(1) + " " + name + " is recorded", 404);
            }
            body.put(itemsKey, one);
            shown = one.get(0);
        }
        if (output == Output.JSON) {
            Rendering.json(out, shown);
            return;
        }
        if (output == Output.YAML) {
            Rendering.yaml(out, shown);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        switch (kind) {
            case VOLUMES -> {
                for (Map<String, Object> v : Rendering.list(body, "items")) {
                    rows.add(List.of(t(v, "name"), StatusWords.label(t(v, "status")), t(v, "policy"), t(v, "layout"),
                            Rendering.bytes(v.get("sizeBytes")), t(v, "segments"), t(v, "owner"),
                            StatusWords.reason(t(v, "status"), t(v, "reason"))));
                }
                Rendering.table(out, List.of("NAME", "STATUS", "POLICY", "LAYOUT", "SIZE", "SEGMENTS", "OWNER",
                        "REASON"), rows);
            }
            case TARGETS -> {
                for (Map<String, Object> v : Rendering.list(body, "targets")) {
                    Map<String, Object> labels = Rendering.map(v.get("labels"));
                    rows.add(List.of(t(v, "id"), Rendering.targetHealth(v), t(v, "drives"), Rendering.bytes(v.get("capacity")),
                            Rendering.text(labels.get("zone")), Rendering.text(labels.get("rack"))));
                }
                Rendering.table(out, List.of("ID", "HEALTH", "DRIVES", "CAPACITY", "ZONE", "RACK"), rows);
            }
            case DRIVES -> {
                for (Map<String, Object> v : Rendering.list(body, "drives")) {
                    Map<String, Object> labels = Rendering.map(v.get("labels"));
                    rows.add(List.of(t(v, "serial"), t(v, "target"), Rendering.bytes(v.get("capacity")),
                            t(v, "health"), Rendering.text(labels.get("model")),
                            Rendering.text(labels.get("interface"))));
                }
                Rendering.table(out, List.of("SERIAL", "TARGET", "CAPACITY", "HEALTH", "MODEL", "INTERFACE"), rows);
            }
            case CLIENTS -> {
                for (Map<String, Object> v : Rendering.list(body, "clients")) {
                    rows.add(List.of(t(v, "id"), labels(Rendering.map(v.get("labels")))));
                }
                Rendering.table(out, List.of("ID", "LABELS"), rows);
            }
            case CLUSTER -> {
                for (Map<String, Object> m : Rendering.list(body, "members")) {
                    Map<String, Object> agents = Rendering.map(m.get("agents"));
                    rows.add(List.of(t(m, "id"), t(m, "url"), Boolean.TRUE.equals(m.get("alive")) ? "yes" : "no",
                            Boolean.TRUE.equals(m.get("self")) ? "*" : "", t(m, "ownedKeys"),
                            Rendering.text(agents.get("targets")), Rendering.text(agents.get("clients"))));
                }
                Rendering.table(out, List.of("ID", "URL", "ALIVE", "ANSWERING", "KEYS", "TARGETS", "CLIENTS"),
                        rows);
            }
            case CAPACITY -> capacity(body);
        }
    }

    /** {@code get capacity --policy NAME}: the largest volume the policy can place now. */
    public void largest(String policy, Output output) {
        PolicyRoom.print(out, PolicyRoom.ask(client, policy), output);
    }

    /**
     * One shape for every list, kubectl's: {@code {"apiVersion","kind":"List","metadata","items"}}; metadata says what
     * was read (the answering instance, the state commit and, for volumes, the desired commit reconciled).
     */
    private static Map<String, Object> list(Map<String, Object> body, String itemsKey) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (String key : List.of("instance", "stateCommit", "desiredCommit")) {
            if (body.containsKey(key)) {
                metadata.put(key, body.get(key));
            }
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", API_VERSION);
        list.put("kind", "List");
        list.put("metadata", metadata);
        list.put("items", Rendering.list(body, itemsKey));
        return list;
    }

    /** Bytes per scope (cluster, failure domain, drive class) in binary units, then servers, drives and volumes. */
    private void capacity(Map<String, Object> body) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(usage("cluster", "", Rendering.map(body.get("cluster"))));
        new TreeMap<>(Rendering.map(body.get("domains"))).forEach((k, v) -> rows.add(usage("domain", k,
                Rendering.map(v))));
        new TreeMap<>(Rendering.map(body.get("driveClasses"))).forEach((k, v) -> rows.add(usage("drive class", k,
                Rendering.map(v))));
        Rendering.table(out, List.of("SCOPE", "NAME", "TOTAL", "FREE", "ALLOCATED", "DATA", "REDUNDANT", "WITHHELD",
                "OFFLINE"), rows);
        out.println();
        StringBuilder servers = new StringBuilder();
        new TreeMap<>(Rendering.map(body.get("servers"))).forEach((kind, byHealth) -> servers
                .append(servers.length() == 0 ? "" : "; ").append(kind).append("s ").append(counts(byHealth)));
        out.println("servers:  " + (servers.length() == 0 ? "none" : servers));
        out.println("drives:   " + counts(body.get("drives")));
        out.println("volumes:  " + counts(body.get("volumes")));
        out.println("answered by " + t(body, "instance") + (Boolean.FALSE.equals(body.get("consistent"))
                ? " (a replicated change was half applied; ask again)" : ""));
    }

    private static List<String> usage(String scope, String name, Map<String, Object> u) {
        return List.of(scope, name, Rendering.bytes(u.get("total")), Rendering.bytes(u.get("free")),
                Rendering.bytes(u.get("allocated")), Rendering.bytes(u.get("data")),
                Rendering.bytes(u.get("redundant")), Rendering.bytes(u.get("withheld")),
                Rendering.bytes(u.get("offline")));
    }

    /** {@code 18 healthy, 2 unhealthy}, or {@code none}. */
    private static String counts(Object byKey) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(Rendering.map(byKey)).forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n)
                .append(' ').append(k));
        return sb.length() == 0 ? "none" : sb.toString();
    }

    public void describeVolume(String name, Output output) {
        Map<String, Object> v = client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        if (output == Output.JSON) {
            Rendering.json(out, v);
            return;
        }
        if (output == Output.YAML) {
            Rendering.yaml(out, v);
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Name", t(v, "name"));
        fields.put("Status", StatusWords.label(t(v, "status")));
        String reason = StatusWords.reason(t(v, "status"), t(v, "reason"));
        if (!reason.isEmpty()) {
            fields.put("Reason", reason);
        }
        fields.put("Policy", t(v, "policy"));
        fields.put("Layout", t(v, "layout") + (t(v, "protection").isEmpty() ? "" : ", protection " + t(v, "protection")));
        String requested = t(v, "requested");
        boolean placed = !Rendering.list(v, "segments").isEmpty();
        fields.put("Size", placed ? Rendering.bytes(v.get("sizeBytes")) + " (placed "
                + Rendering.bytes(v.get("placedBytes")) + ")"
                : (requested.isEmpty() ? "" : requested + " asked, ") + "not placed yet");
        fields.put("Deletion protection", t(v, "deletionProtection"));
        fields.put("Owner", t(v, "owner"));
        fields.put("State commit", shortId(t(v, "stateCommit")));
        List<Map<String, Object>> segments = Rendering.list(v, "segments");
        String shared = sharedDrives(segments);
        if (!shared.isEmpty()) {
            fields.put("Shared drives", shared + " (these stripes do not work in parallel; nvmesh fsck says whether"
                    + " the policy allows it)");
        }
        fields.forEach((k, val) -> out.println(String.format("%-20s %s", k + ":", val)));
        out.println("Segments:            " + segments.size());
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> s : segments) {
            rows.add(List.of(t(s, "chunk"), t(s, "group"), t(s, "index"), t(s, "role"), t(s, "target"),
                    t(s, "serial"), Rendering.bytes(s.get("offset")), Rendering.bytes(s.get("length"))));
        }
        if (!rows.isEmpty()) {
            Rendering.table(out, List.of("  CHUNK", "GROUP", "SEG", "ROLE", "TARGET", "DRIVE", "OFFSET", "LENGTH"),
                    rows.stream().map(r -> {
                        List<String> c = new ArrayList<>(r);
                        c.set(0, "  " + c.get(0));
                        return (List<String>) c;
                    }).toList());
        }
    }

    /** {@code chunk 0: stripes 0, 1 share drive S1; ...} for drives holding segments of two stripes of a chunk. */
    private static String sharedDrives(List<Map<String, Object>> segments) {
        Map<String, java.util.TreeSet<Integer>> groups = new TreeMap<>();
        for (Map<String, Object> s : segments) {
            String key = String.format("%06d %s", Long.parseLong(t(s, "chunk")), t(s, "serial"));
            groups.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(Integer.parseInt(t(s, "group")));
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
        if (output == Output.JSON) {
            Rendering.json(out, s);
            return;
        }
        if (output == Output.YAML) {
            Rendering.yaml(out, ServerClient.JSON.convertValue(s, Map.class));
            return;
        }
        StatusScreen.print(out, s);
    }

    private static String labels(Map<String, Object> labels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String t(Map<String, Object> m, String key) {
        return Rendering.text(m.get(key));
    }
}
