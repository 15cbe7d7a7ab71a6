package io.nvmesh.schema;

import java.util.Optional;

/** The manifest kinds of {@code apiVersion: nvmesh.io/v1}, by the name they carry in YAML. */
public enum Kind {
    VOLUME_POLICY("VolumePolicy"),
    VOLUME("Volume"),
    DRIVE_CLASS("DriveClass"),
    TARGET_CLASS("TargetClass"),
    DRIVE("Drive");

    public static final String API_VERSION = "nvmesh.io/v1";

    private final String yamlName;

    Kind(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The name as written after {@code kind:}. */
    public String yamlName() {
        return yamlName;
    }

    private static final Kind[] ALL = values();

    public static Optional<Kind> fromYaml(String name) {
        // A loop, not a stream: asked once per document (100,000 of them in a large tree).
        for (Kind k : ALL) {
            if (k.yamlName.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
