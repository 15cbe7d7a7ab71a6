package io.nvmesh.schema;

import static io.nvmesh.schema.InvalidManifestException.check;

import java.util.List;
import java.util.Objects;

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

    public Volume {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(policy, "spec.policy");
        Objects.requireNonNull(capacity, "spec.capacity");
        clients = List.copyOf(clients == null ? List.of() : clients);
        if (!capacity.max()) {
            Size s = capacity.size();
            check(s.isMiBAligned(), "spec.capacity", "%d bytes is not a whole multiple of 1MiB (nearest above: %s)",
                    s.bytes(), Size.ofMiB(s.bytes() / Size.MiB + 1).exact());
            check(s.bytes() >= MIN_CAPACITY, "spec.capacity", "%s is below the 1GiB minimum for a volume", s.exact());
        }
        check(rebuildPriority >= 0 && rebuildPriority <= 10, "spec.rebuildPriority",
                "%d is out of range (allowed 0..10)", rebuildPriority);
    }

    @Override
    public Kind kind() {
        return Kind.VOLUME;
    }
}
