package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plan saved by {@code nvmesh diff --out plan.json}: the desired files to write and remove, pinned to the desired
 * and state commits it was computed against. {@code nvmesh apply plan.json} refuses it once either has moved.
 */
public record SavedPlan(String desiredRef, String desiredCommit, String stateCommit, SortedMap<String, byte[]> puts,
        List<String> deletes, String summary) {

    public static final int FORMAT_VERSION = 1;
    public static final String KIND = "nvmesh-plan";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public SavedPlan {
        Objects.requireNonNull(desiredRef, "desiredRef");
        Objects.requireNonNull(desiredCommit, "desiredCommit");
        Objects.requireNonNull(stateCommit, "stateCommit");
        puts = Collections.unmodifiableSortedMap(new TreeMap<>(puts));
        deletes = List.copyOf(deletes);
        Objects.requireNonNull(summary, "summary");
    }

    public static SavedPlan of(DiffReport d) {
        return new SavedPlan(d.desiredRef(), d.desiredCommit(), d.stateCommit(), d.puts(), d.deletes(), d.summary());
    }

    /** Whether {@code bytes} look like a saved plan (a JSON object naming this kind), as opposed to a manifest. */
    public static boolean looksLikePlan(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8).stripLeading();
        return head.startsWith("{") && head.contains("\"" + KIND + "\"");
    }

    public byte[] toJson(List<Action> actions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("kind", KIND);
        m.put("desiredRef", desiredRef);
        m.put("desiredCommit", desiredCommit);
        m.put("stateCommit", stateCommit);
        m.put("summary", summary);
        Map<String, String> files = new TreeMap<>();
        puts.forEach((p, b) -> files.put(p, new String(b, StandardCharsets.UTF_8)));
        m.put("puts", files);
        m.put("deletes", deletes);
        List<Map<String, Object>> as = new ArrayList<>();
        for (Action a : actions) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT));
            am.put("volume", a.volume());
            am.put("outcome", a.outcome().name().toLowerCase(java.util.Locale.ROOT));
            if (!a.reason().isEmpty()) {
                am.put("reason", a.reason());
            }
            as.add(am);
        }
        m.put("actions", as);
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a saved plan; a file that is not one (or of another format version) is refused with the reason. */
    public static SavedPlan parse(String file, byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new GitOpsRefusal(file + ": not a saved plan: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject() || !KIND.equals(n.path("kind").asString(""))) {
            throw new GitOpsRefusal(file + ": not a saved plan (nvmesh diff --out writes one)");
        }
        int version = n.path("formatVersion").asInt(0);
        if (version != FORMAT_VERSION) {
            throw new GitOpsRefusal(file + ": plan format version " + version + " is not supported (this nvmesh reads "
                    + FORMAT_VERSION + ")");
        }
        SortedMap<String, byte[]> puts = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("puts").properties()) {
            puts.put(e.getKey(), e.getValue().asString().getBytes(StandardCharsets.UTF_8));
        }
        List<String> deletes = new ArrayList<>();
        n.path("deletes").values().forEach(d -> deletes.add(d.asString()));
        try {
            return new SavedPlan(n.path("desiredRef").asString(""), n.path("desiredCommit").asString(""),
                    n.path("stateCommit").asString(""), puts, deletes, n.path("summary").asString(""));
        } catch (RuntimeException e) {
            throw new GitOpsRefusal(file + ": not a valid saved plan: " + e.getMessage());
        }
    }
}
