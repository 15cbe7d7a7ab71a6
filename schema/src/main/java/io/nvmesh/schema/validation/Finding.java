package io.nvmesh.schema.validation;

/**
 * A problem inside one document before it has a file position: {@code at} is what to point at (its key when
 * {@code key}), {@code shown} is the path printed before the message.
 */
record Finding(FieldPath at, boolean key, FieldPath shown, String message) {

    static Finding at(FieldPath path, String message) {
        return new Finding(path, false, path, message);
    }
}
