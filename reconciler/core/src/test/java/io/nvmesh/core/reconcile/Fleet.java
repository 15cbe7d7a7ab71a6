package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Inventories and desired trees for loop tests, as the text a person or an agent would write. */
final class Fleet {

    static final Author TEST = new Author("test", "test@example.org");

    private Fleet() {
    }

    /** {@code targets} targets over {@code racks} racks, each with {@code drives} drives of {@code capacity}. */
    static String inventory(int targets, int racks, int drives, String capacity) {
        StringBuilder sb = new StringBuilder("apiVersion: nvmesh.io/v1\nkind: Inventory\ntargets:\n");
        for (int t = 0; t < targets; t++) {
            sb.append("  - id: t").append(String.format("%02d", t)).append('\n')
                    .append("    labels: {rack: r").append(t % racks).append("}\n")
                    .append("    drives:\n");
            for (int d = 0; d < drives; d++) {
                sb.append("      - serial: S").append(String.format("%02d%02d", t, d)).append('\n')
                        .append("        capacity: ").append(capacity).append('\n');
            }
        }
        return sb.append("clients:\n  - id: app-1\n").toString();
    }

    static final String POLICIES = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: mirror
            spec:
              layout: raid1
              mirrors: 1
              protection: full
              domainScope: rack
            ---
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: stripe
            spec:
              layout: raid0
              stripeWidth: 2
            """;

    static String volume(String name, String policy, String capacity, boolean protect) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: " + policy
                + "\n  capacity: " + capacity + "\n  deletionProtection: " + protect + "\n";
    }

    /** {@code count} volumes {@code prefix-0000} ... in one file, alternating policies. */
    static String volumes(String prefix, int from, int count, String capacity) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            if (sb.length() > 0) {
                sb.append("---\n");
            }
            sb.append(volume(String.format("%s-%04d", prefix, i), i % 3 == 0 ? "stripe" : "mirror", capacity,
                    false));
        }
        return sb.toString();
    }

    static Map<String, byte[]> files(String... pathAndText) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (int i = 0; i < pathAndText.length; i += 2) {
            out.put(pathAndText[i], pathAndText[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Commits files to the desired branch on top of its tip; returns the new commit id. */
    static String commitDesired(StateStore store, Map<String, byte[]> files) {
        DesiredBranch b = new DesiredBranch(store, "main");
        String tip = b.read().commitId();
        CommitResult r = b.apply(tip, Changes.builder().putAll(files).build(), "test", TEST);
        return ((CommitResult.Committed) r).commitId();
    }

    static String deleteDesired(StateStore store, String path) {
        DesiredBranch b = new DesiredBranch(store, "main");
        String tip = b.read().commitId();
        CommitResult r = b.apply(tip, Changes.builder().delete(path).build(), "test", TEST);
        return ((CommitResult.Committed) r).commitId();
    }

    static InventoryImport.Result importInventory(StateStore store, String yaml) {
        return InventoryImport.record(store, "inventory.yaml", yaml.getBytes(StandardCharsets.UTF_8), TEST);
    }
}
