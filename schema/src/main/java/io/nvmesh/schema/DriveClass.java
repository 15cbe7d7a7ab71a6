package io.nvmesh.schema;

import java.util.List;
import java.util.Objects;

/**
 * A named set of drives chosen by their labels (model, media, speed). {@code domains} lists label keys that name
 * failure domains for drives of this class (e.g. {@code enclosure}).
 */
public record DriveClass(Metadata metadata, LabelSelector selector, List<String> domains) implements Manifest {

    public DriveClass {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(selector, "spec.selector");
        domains = List.copyOf(domains == null ? List.of() : domains);
    }

    @Override
    public Kind kind() {
        return Kind.DRIVE_CLASS;
    }
}
