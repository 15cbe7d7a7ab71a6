package io.nvmesh.schema;

import static io.nvmesh.schema.InvalidManifestException.check;

import java.util.Objects;

/**
 * {@code kind: Drive}: the administrator's intent for one physical drive, found by serial wherever it sits.
 * {@code cordon}: no new allocations; {@code evacuate}: move its allocations away (implies cordon).
 */
public record DriveIntent(Metadata metadata, String serial, boolean cordon, boolean evacuate) implements Manifest {

    public DriveIntent {
        Objects.requireNonNull(metadata, "metadata");
        check(serial != null && !serial.isBlank(), "spec.serial", "is required");
    }

    @Override
    public Kind kind() {
        return Kind.DRIVE;
    }

    /** Whether new extents must stay off this drive. */
    public boolean closedToNewExtents() {
        return cordon || evacuate;
    }
}
