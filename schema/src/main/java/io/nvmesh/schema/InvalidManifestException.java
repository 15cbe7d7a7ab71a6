package io.nvmesh.schema;

/**
 * A record refused a value. {@link #path()} is the field's path in the document ({@code spec.mirrors}), so the
 * loader can point at the line and column where the value was written.
 */
public final class InvalidManifestException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String reason;

    public InvalidManifestException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
        this.reason = reason;
    }

    /** The path of the offending field, e.g. {@code spec.stripeWidth}. */
    public String path() {
        return path;
    }

    /** The message without the path. */
    public String reason() {
        return reason;
    }

    static void check(boolean ok, String path, String format, Object... args) {
        if (!ok) {
            throw new InvalidManifestException(path, String.format(format, args));
        }
    }
}
