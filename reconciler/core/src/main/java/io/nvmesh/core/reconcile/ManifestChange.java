package io.nvmesh.core.reconcile;

import java.util.List;
import java.util.Objects;

/**
 * One desired object that differs from the desired commit the state was reconciled from.
 *
 * @param object {@code Volume db-01}
 * @param file where it is written now (for a removal: where it was)
 * @param fields field-level detail of a modification, in path order
 * @param blocked true for a removal that deletion protection refuses
 */
public record ManifestChange(Change change, String object, String file, List<FieldChange> fields, boolean blocked) {

    public enum Change {
        ADDED, MODIFIED, REMOVED
    }

    /** {@code spec.capacity: 512GiB → 1TiB}; an absent side is {@code null}. */
    public record FieldChange(String path, String before, String after) {
        public FieldChange {
            Objects.requireNonNull(path, "path");
        }
    }

    public ManifestChange {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(file, "file");
        fields = List.copyOf(fields);
    }
}
