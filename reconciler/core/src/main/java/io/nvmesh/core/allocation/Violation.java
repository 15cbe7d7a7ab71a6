package io.nvmesh.core.allocation;

import java.util.Objects;

/**
 * One finding of {@link StateChecker}. Errors mean the recorded state breaks an invariant; {@code DEGRADED} means
 * a segment sits on a drive that is failed or missing, or on an unhealthy target, which a plan repairs from live
 * copies of its group, or waits for ({@link LiveCopies} says which groups have none).
 */
public record Violation(Kind kind, String volume, String serial, String message) {

    public enum Kind {
        /** Two extents share bytes of a drive. */
        OVERLAP,
        /** An extent reaches past its drive's usable capacity. */
        OUTSIDE_DRIVE,
        /** Segments of one group differ in length. */
        UNEQUAL_SEGMENTS,
        /** A group has more segments on one target or failure domain than its protection allows. */
        PROTECTION,
        /**
         * A segment is on a failed or missing drive, or on a drive of an unhealthy target: not an error of the state,
         * but the volume is degraded.
         */
        DEGRADED
    }

    public Violation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public boolean error() {
        return kind != Kind.DEGRADED;
    }
}
