package io.nvmesh.schema.validation;

import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.SourceLocation;
import java.util.Objects;

/**
 * A manifest that passed its own checks, with where it came from: {@code location} is the start of its document,
 * {@code fields} finds the line and column of any field (for problems found later, e.g. by the planner).
 */
public record LoadedManifest(Manifest manifest, SourceLocation location, FieldLocations fields) {

    public LoadedManifest {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(fields, "fields");
    }

    /** {@code Volume db-01}, as problems name their object. */
    public String object() {
        return manifest.kind().yamlName() + " " + manifest.name();
    }

    /** Where the value at {@code path} was written, else its nearest ancestor. */
    public SourceLocation locate(String path) {
        return fields.nearest(path);
    }
}
