package io.nvmesh.service.agent;

import java.util.List;
import java.util.Objects;

/**
 * A volume a client must have attached: its NVMe qualified name, its size and the targets that serve it (one fabric
 * path each).
 */
public record Attachment(String volume, String nqn, long sizeBytes, List<String> targets, boolean readOnly) {

    public Attachment {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(nqn, "nqn");
        targets = List.copyOf(targets);
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("attachment " + volume + ": size must be positive");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("attachment " + volume + ": needs at least one target");
        }
    }
}
