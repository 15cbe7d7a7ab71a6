package io.nvmesh.core.allocation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A host that attaches volumes. The allocator only carries it; attachment is not placement. */
public record Client(String id, Map<String, String> labels) {

    public Client {
        Objects.requireNonNull(id, "id");
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
