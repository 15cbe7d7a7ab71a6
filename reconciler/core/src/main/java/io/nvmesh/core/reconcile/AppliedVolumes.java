package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Volume;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The volumes a desired commit asks the reconcilers to act on, compared with the commit before it: what {@code nvmesh
 * apply --wait} follows until it is online (or gone).
 *
 * @param commit  the desired commit
 * @param changed volumes added, changed, or whose policy changed (they must end online)
 * @param removed volumes no longer desired (they must end deleted)
 * @param policyOf the policy of each changed volume, to say what its policy can place when it does not fit
 */
public record AppliedVolumes(String commit, List<String> changed, List<String> removed,
        Map<String, String> policyOf) {

    public AppliedVolumes {
        Objects.requireNonNull(commit, "commit");
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
        policyOf = Map.copyOf(policyOf);
    }

    /**
     * Compares the desired manifests at {@code from} and {@code to} (commits of {@code branch}). When they are the
     * same commit, or {@code from} is empty (the branch was created), every volume at {@code to} counts as changed:
     * the whole desired state is what must converge.
     */
    public static AppliedVolumes between(StateStore store, String branch, String from, String to) {
        DesiredBranch b = new DesiredBranch(store, branch);
        SortedMap<String, Manifest> after = objects(b, to);
        SortedMap<String, Manifest> before = from.isEmpty() || from.equals(to) ? new TreeMap<>() : objects(b, from);
        TreeSet<String> changed = new TreeSet<>();
        TreeSet<String> removed = new TreeSet<>();
        Map<String, String> policyOf = new TreeMap<>();
        for (Manifest m : after.values()) {
            if (m instanceof Volume v) {
                policyOf.put(v.name(), v.policy());
                Manifest old = before.get(DesiredManifests.key(v));
                String policyKey = "VolumePolicy " + v.policy();
                boolean policyChanged = !Objects.equals(before.get(policyKey), after.get(policyKey));
                if (!v.equals(old) || policyChanged) {
                    changed.add(v.name());
                }
            }
        }
        for (Manifest m : before.values()) {
            if (m instanceof Volume v && !after.containsKey(DesiredManifests.key(v))) {
                removed.add(v.name());
            }
        }
        policyOf.keySet().retainAll(changed);
        return new AppliedVolumes(to, List.copyOf(changed), List.copyOf(removed), policyOf);
    }

    private static SortedMap<String, Manifest> objects(DesiredBranch b, String commit) {
        DesiredManifests m = DesiredManifests.load(DesiredFiles.of(b.readAt(commit)));
        return new TreeMap<>(Map.copyOf(m.objects));
    }

    /** Nothing to follow. */
    public boolean isEmpty() {
        return changed.isEmpty() && removed.isEmpty();
    }
}
