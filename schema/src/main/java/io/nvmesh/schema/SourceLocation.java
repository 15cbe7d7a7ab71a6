package io.nvmesh.schema;

/** Where a value was written: file as the user named it, 1-based line and column. */
public record SourceLocation(String file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
