package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Extent;
import java.util.Objects;

/**
 * Drive space that no segment uses any more but that a target may still serve: the old place of a moved segment, or a
 * segment of a volume being deleted. It stays allocated until {@link Release} finds positive evidence that nothing can
 * still use it. {@code since} is the generation of the state commit from which on no command names the extent, so a
 * target that acked a command computed from that generation or a later one has torn it down.
 */
public record HeldExtent(String serial, long offset, long length, long since) {

    public HeldExtent {
        Objects.requireNonNull(serial, "serial");
        if (offset < 0 || length <= 0 || since < 0) {
            throw new IllegalArgumentException("held extent on " + serial + ": offset and generation must not be "
                    + "negative, length must be positive");
        }
    }

    public static HeldExtent of(Extent e, long since) {
        return new HeldExtent(e.serial(), e.offset(), e.length(), since);
    }

    public Extent extent() {
        return new Extent(serial, offset, length);
    }

    public long end() {
        return offset + length;
    }
}
