package io.nvmesh.schema;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong with the user's input, pointing where it was written. {@code file} is the path as the user gave
 * it ({@code -} for standard input); {@code line} and {@code column} are 1-based, 0 when unknown; {@code object} is
 * {@code Kind name} (e.g. {@code Volume db-01}) or empty when the document has no usable identity yet; {@code path}
 * is the field path ({@code spec.capacity}) or empty.
 */
public record Problem(String file, int line, int column, String object, String path, String message) {

    public static final Comparator<Problem> ORDER = Comparator.comparing(Problem::file)
            .thenComparingInt(Problem::line).thenComparingInt(Problem::column).thenComparing(Problem::message);

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        object = object == null ? "" : object;
        path = path == null ? "" : path;
    }

    /** {@code file:line:col: Volume db-01: spec.capacity: "2XB" is not a size (use e.g. 500GiB, 2TB)}. */
    public String render() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (!object.isEmpty()) {
            sb.append(object).append(": ");
        }
        if (!path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
