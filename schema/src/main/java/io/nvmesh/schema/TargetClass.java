package io.nvmesh.schema;

import java.util.List;
import java.util.Objects;

/** A named set of targets chosen by their labels; {@code domains} lists label keys that name failure domains. */
public record TargetClass(Metadata metadata, LabelSelector selector, List<String> domains) implements Manifest {

    public TargetClass {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(selector, "spec.selector");
        domains = List.copyOf(domains == null ? List.of() : domains);
    }

    @Override
    public Kind kind() {
        return Kind.TARGET_CLASS;
    }
}
