package io.nvmesh.schema.validation;

/** Bounds that keep hostile input cheap: a manifest repository never comes near them. */
final class Limits {

    /** Files larger than this are refused before they are parsed. */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    /** Manifests nest about six levels; anything far deeper is an attack or a mistake. */
    static final int MAX_NESTING = 50;

    private Limits() {
    }
}
