package io.nvmesh.schema.validation;

import java.util.Objects;

/** Manifest content that is not (or not only) on disk, e.g. a Git blob: the name problems show, and the bytes. */
public record ManifestSource(String file, byte[] content) {

    public ManifestSource {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(content, "content");
    }
}
