package io.nvmesh.core.state;

import java.time.Duration;
import java.util.Objects;

/**
 * What one {@link StateStore#pack()} did: whether it packed, and the object database before and after.
 *
 * @param outcome what happened
 * @param reason  why it did not pack ({@code ""} when it packed)
 * @param before  the object database when it started
 * @param after   the object database when it finished (the same as {@code before} when it did not pack)
 * @param took    how long it took, the checks included
 */
public record PackReport(Outcome outcome, String reason, Counts before, Counts after, Duration took) {

    /** What a pack run did. */
    public enum Outcome {
        /** Reachable objects were written into a pack and the loose copies removed. */
        PACKED,
        /** Another pack run (this process or another on this machine) holds the repository; nothing was done. */
        BUSY,
        /** The repository is in a state where packing could drop something a repair needs; nothing was done. */
        REFUSED
    }

    /**
     * Counts and sizes of an object database.
     *
     * @param looseObjects objects stored one per file
     * @param looseBytes   bytes of those files
     * @param packedObjects objects in pack files
     * @param packs        pack files
     * @param packBytes    bytes of the pack files
     */
    public record Counts(long looseObjects, long looseBytes, long packedObjects, long packs, long packBytes) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        /** All objects, loose and packed (an object both loose and packed counts twice until it is pruned). */
        public long total() {
            return looseObjects + packedObjects;
        }

        /** Bytes on disk of loose objects and packs. */
        public long bytes() {
            return looseBytes + packBytes;
        }
    }

    public PackReport {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(took, "took");
        if ((outcome == Outcome.PACKED) != reason.isEmpty()) {
            throw new IllegalArgumentException("a reason is given exactly when nothing was packed");
        }
    }

    public boolean packed() {
        return outcome == Outcome.PACKED;
    }
}
