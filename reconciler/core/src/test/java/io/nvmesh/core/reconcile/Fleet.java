package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Inventories and desired trees for loop tests, as the text a person or an agent would write. */
final class Fleet {

    static final Author TEST = new Author("test", "test@example.org");

    /** The mirror (RAID-1 across racks) and stripe (RAID-0 over two) policies, in one file. */
    static final String POLICIES = Policies.MIRROR_AND_STRIPE;

    private Fleet() {
    }

    /** {@code targets} targets over {@code racks} racks, each with {@code drives} drives of {@code capacity}. */
    static String inventory(int targets, int racks, int drives, String capacity) {
        return Policies.inventory(targets, racks, drives, capacity);
    }

    static String volume(String name, String policy, String capacity, boolean protect) {
        return Policies.volume(name, policy, capacity, protect);
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
        return TestRepo.of(store).desired().putAll(files).author(TEST).commit();
    }

    static String deleteDesired(StateStore store, String path) {
        return TestRepo.of(store).desired().delete(path).author(TEST).commit();
    }

    static InventoryImport.Result importInventory(StateStore store, String yaml) {
        return InventoryImport.record(store, "inventory.yaml", yaml.getBytes(StandardCharsets.UTF_8), TEST);
    }
}
