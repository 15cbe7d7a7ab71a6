package io.nvmesh.core.allocation;

import java.util.Objects;

/** A contiguous range of one drive, found by serial, aligned to {@link #ALIGNMENT}. */
public record Extent(String serial, long offset, long length) {

    public static final long ALIGNMENT = 1L << 20;

    public Extent {
        Objects.requireNonNull(serial, "serial");
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("extent on " + serial + " has offset " + offset + ", length " + length);
        }
        if (offset % ALIGNMENT != 0 || length % ALIGNMENT != 0) {
            throw new IllegalArgumentException("extent on " + serial + " at " + offset + "+" + length
                    + " is not aligned to 1 MiB");
        }
    }

    public long end() {
        return offset + length;
    }

    public boolean overlaps(Extent o) {
        return serial.equals(o.serial) && offset < o.end() && o.offset < end();
    }

    @Override
    public String toString() {
        return serial + "@" + offset / ALIGNMENT + "MiB+" + length / ALIGNMENT + "MiB";
    }
}
