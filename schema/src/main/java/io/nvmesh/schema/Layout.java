package io.nvmesh.schema;

import java.util.Arrays;
import java.util.Optional;

/** How a volume's data is spread and protected, as NVMesh names its RAID levels. */
public enum Layout {
    CONCATENATED("concatenated"),
    RAID0("raid0"),
    RAID1("raid1"),
    RAID10("raid10"),
    ERASURE_CODING("erasure-coding"),
    STRIPED_ERASURE_CODING("striped-erasure-coding");

    private final String yamlName;

    Layout(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static Optional<Layout> fromYaml(String name) {
        return Arrays.stream(values()).filter(l -> l.yamlName.equals(name)).findFirst();
    }

    public boolean mirrored() {
        return this == RAID1 || this == RAID10;
    }

    public boolean erasureCoded() {
        return this == ERASURE_CODING || this == STRIPED_ERASURE_CODING;
    }

    public boolean striped() {
        return this == RAID0 || this == RAID10 || this == STRIPED_ERASURE_CODING;
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
