package io.nvmesh.schema;

/** One desired-state document. Every kind is an immutable record that checks its own invariants. */
public sealed interface Manifest permits VolumePolicy, Volume, DriveClass, TargetClass, DriveIntent {

    Kind kind();

    Metadata metadata();

    default String name() {
        return metadata().name();
    }
}
