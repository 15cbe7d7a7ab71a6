package io.nvmesh.schema;

import static io.nvmesh.schema.InvalidManifestException.check;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A desired block volume: the policy that lays it out, its capacity, the clients it is attached to. Deleting a
 * volume whose {@code deletionProtection} is true (the default) is refused.
 */
public record Volume(
        Metadata metadata,
        String policy,
        Capacity capacity,
        List<String> clients,
        int rebuildPriority,
        boolean deletionProtection) implements Manifest {

    public static final long MIN_CAPACITY = Size.GiB;

    /**
     * The annotation by which a person accepts, in Git, that the data a volume had on failed drives is gone: its value
     * lists those drive serials, comma separated ({@code S-12,S-13}). A group of the volume whose every surviving copy
     * was on them is then recreated empty; without it such a group stays failed. See docs/allocation.md.
     */
    public static final String ACCEPT_DATA_LOSS = "nvmesh.io/accept-data-loss";

    public Volume {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(policy, "spec.policy");
        Objects.requireNonNull(capacity, "spec.capacity");
        clients = List.copyOf(clients == null ? List.of() : clients);
        if (!capacity.max()) {
            check(capacity.size().bytes() >= MIN_CAPACITY, "spec.capacity",
                    "%s is below the 1GiB minimum for a volume (use at least 1GiB)", capacity);
        }
        check(rebuildPriority >= 0 && rebuildPriority <= 10, "spec.rebuildPriority",
                "%d is out of range (allowed 0..10)", rebuildPriority);
    }

    /**
     * The drive serials {@link #ACCEPT_DATA_LOSS} names, trimmed, sorted, empty entries skipped; empty without the
     * annotation. Lenient on purpose: validation reports a malformed value, the planner only needs the serials.
     */
    public SortedSet<String> acceptedDataLoss() {
        String value = metadata.annotations().get(ACCEPT_DATA_LOSS);
        SortedSet<String> out = new TreeSet<>();
        if (value != null) {
            for (String serial : value.split(",")) {
                if (!serial.isBlank()) {
                    out.add(serial.strip());
                }
            }
        }
        return Collections.unmodifiableSortedSet(out);
    }

    @Override
    public Kind kind() {
        return Kind.VOLUME;
    }
}
