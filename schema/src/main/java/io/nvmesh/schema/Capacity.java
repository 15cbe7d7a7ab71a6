package io.nvmesh.schema;

/** A volume's requested capacity: a fixed {@link Size}, or {@code max} (all the space its policy can place). */
public record Capacity(Size size, boolean max) {

    public static final Capacity MAX = new Capacity(null, true);

    public Capacity {
        if (max == (size != null)) {
            throw new IllegalArgumentException("a capacity is either a size or max");
        }
    }

    public static Capacity of(Size size) {
        return new Capacity(size, false);
    }

    /** Parses {@code max} or a size. */
    public static Capacity parse(String text) {
        return "max".equals(text.trim()) ? MAX : of(Size.parse(text));
    }

    @Override
    public String toString() {
        return max ? "max" : size.exact();
    }
}
