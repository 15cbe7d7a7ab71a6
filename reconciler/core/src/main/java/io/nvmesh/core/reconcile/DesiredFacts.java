package io.nvmesh.core.reconcile;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the safety rules need to know of the desired commit a state records: which volumes it holds (only volumes it
 * does not hold may be deleted) and, per volume, the failed drives whose lost data a person accepted in Git (only
 * those segments may be recreated empty).
 */
record DesiredFacts(String commit, Set<String> volumes, Map<String, Set<String>> acceptedLoss) {

    public DesiredFacts {
        Objects.requireNonNull(commit, "commit");
        volumes = Set.copyOf(new TreeSet<>(volumes));
        acceptedLoss = Map.copyOf(new TreeMap<>(acceptedLoss));
    }

    public boolean accepted(String volume, String serial) {
        return acceptedLoss.getOrDefault(volume, Set.of()).contains(serial);
    }

    /** The facts of a loaded, valid desired commit. */
    static DesiredFacts of(String commit, io.nvmesh.core.allocation.DesiredState state) {
        Set<String> names = new TreeSet<>();
        Map<String, Set<String>> accepted = new TreeMap<>();
        for (io.nvmesh.schema.Volume v : state.volumes()) {
            names.add(v.name());
            Set<String> s = v.acceptedDataLoss();
            if (!s.isEmpty()) {
                accepted.put(v.name(), s);
            }
        }
        return new DesiredFacts(commit, names, accepted);
    }
}
