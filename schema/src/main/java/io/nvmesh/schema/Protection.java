package io.nvmesh.schema;

import java.util.Arrays;
import java.util.Optional;

/**
 * How far apart the segments of one RAID group must sit. {@code full}: distinct targets, and distinct failure
 * domains when the policy names a domain scope; {@code minimal}: at most {@code mirrors} (or {@code parityBlocks})
 * segments of a group per target, used only when one per target is impossible; {@code ignore}: no separation.
 */
public enum Protection {
    FULL("full"),
    MINIMAL("minimal"),
    IGNORE("ignore");

    private final String yamlName;

    Protection(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static Optional<Protection> fromYaml(String name) {
        return Arrays.stream(values()).filter(p -> p.yamlName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
