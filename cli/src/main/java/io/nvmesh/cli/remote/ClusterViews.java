package io.nvmesh.cli.remote;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code get}, {@code describe} and {@code status} show, each from one or two reads of the API. */
public final class ClusterViews {

    /** The kinds {@code get} knows. */
    public enum Kind { VOLUMES, TARGETS, DRIVES, CLIENTS, CLUSTER, CAPACITY }

    private final ServerClient client;
    private final PrintWriter out;

    public ClusterViews(ServerClient client, PrintWriter out) {
        this.client = client;
        // Everything shown here is what servers and their agents said.
        this.out = ControlCharacters.escaping(out);
    }

    public void get(Kind kind, Output output) {
        Map<String, Object> body = client.get(switch (kind) {
            case VOLUMES -> "/v1/volumes";
            case CLUSTER -> "/v1/cluster";
            case CAPACITY -> "/v1/capacity";
            default -> "/v1/inventory";
        });
        Object shown = switch (kind) {
            case VOLUMES -> body;
            case CLUSTER, CAPACITY -> body;
            case TARGETS -> body.get("targets");
            case DRIVES -> body.get("drives");
            case CLIENTS -> body.get("clients");
        };
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
                    rows.add(List.of(t(v, "name"), t(v, "status"), t(v, "policy"), t(v, "layout"),
                            Rendering.bytes(v.get("sizeBytes")), t(v, "segments"), t(v, "owner"), t(v, "reason")));
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

    public void describeVolume(String name) {
        Map<String, Object> v = client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Name", t(v, "name"));
        fields.put("Status", t(v, "status"));
        if (!t(v, "reason").isEmpty()) {
            fields.put("Reason", t(v, "reason"));
        }
        fields.put("Policy", t(v, "policy"));
        fields.put("Layout", t(v, "layout") + (t(v, "protection").isEmpty() ? "" : ", protection " + t(v, "protection")));
        fields.put("Size", Rendering.bytes(v.get("sizeBytes")) + " (placed " + Rendering.bytes(v.get("placedBytes"))
                + ")");
        fields.put("Deletion protection", t(v, "deletionProtection"));
        fields.put("Owner", t(v, "owner"));
        fields.put("State commit", shortId(t(v, "stateCommit")));
        fields.forEach((k, val) -> out.println(String.format("%-20s %s", k + ":", val)));
        List<Map<String, Object>> segments = Rendering.list(v, "segments");
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

    /**
     * One screen: members with their uptime and last reconcile pass, ownership balance, health, capacity. Every live
     * member is asked for what only it knows; the rest comes from the instance given.
     */
    public void status(Output output) {
        ClusterStatus s = new ClusterStatusReader(client, url -> new ServerClient(new ServerAddress(url,
                client.address().token(), "cluster"))).read(System.currentTimeMillis());
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

    private static String shortId(String id) {
        return id.length() > 7 ? id.substring(0, 7) : id;
    }
}
