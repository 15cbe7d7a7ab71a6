package io.nvmesh.schema;

import java.util.Objects;

/**
 * A volume's requested capacity: a fixed {@link Size}, or {@code max} (all the space its policy can place). A fixed
 * size is rounded down to whole MiB, as NVMesh rounds a volume to its block sets, so {@code 1TB} asks for
 * {@code 953674MiB}; {@code written} keeps what the manifest says, to show both.
 *
 * @param size    the bytes a volume gets: a whole number of MiB (null for max)
 * @param written the capacity as written ({@code 1TB}, {@code 512GiB}, {@code max})
 */
public record Capacity(Size size, String written, boolean max) {

    /** Examples of a valid capacity, for messages: each one validates as written. */
    public static final String EXAMPLES = "500GiB, 500Gi or 2TB";

    public static final Capacity MAX = new Capacity(null, "max", true);

    public Capacity {
        Objects.requireNonNull(written, "written");
        if (max == (size != null)) {
            throw new IllegalArgumentException("a capacity is either a size or max");
        }
        if (size != null && !size.isMiBAligned()) {
            throw new IllegalArgumentException("a capacity is a whole number of MiB, not " + size.bytes() + " bytes");
        }
    }

    /** A capacity of {@code size}, rounded down to whole MiB. */
    public static Capacity of(Size size) {
        return new Capacity(size.roundedDown(Size.MiB), size.exact(), false);
    }

    /** Parses {@code max} or a size (any unit; rounded down to whole MiB). */
    public static Capacity parse(String text) {
        String t = text.trim();
        return "max".equals(t) ? MAX : new Capacity(Size.parseRoundedDown(t, Size.MiB, EXAMPLES), t, false);
    }

    /** Whether rounding down to whole MiB changed what was written. */
    public boolean rounded() {
        if (max) {
            return false;
        }
        try {
            return Size.parse(written).bytes() != size.bytes();
        } catch (IllegalArgumentException fractionOfAByte) {
            return true;
        }
    }

    /** {@code 512GiB}, {@code max}, or what was written with the rounded figure: {@code 1TB (953674MiB)}. */
    @Override
    public String toString() {
        return rounded() ? written + " (" + size.exact() + ")" : written;
    }
}
