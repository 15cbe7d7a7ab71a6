package io.nvmesh.schema;

import static io.nvmesh.schema.InvalidManifestException.check;

import java.util.List;
import java.util.Objects;

/**
 * How volumes that name this policy are laid out and protected (NVMesh: a volume provisioning group).
 *
 * <p>Ranges per layout (the JSON Schema documents the same):
 * <ul>
 *   <li>{@code concatenated}: stripe width 1, no mirrors, no parity.</li>
 *   <li>{@code raid0}: stripe width 2..32 (default 2).</li>
 *   <li>{@code raid1}: stripe width 1, mirrors 1..2 (default 1).</li>
 *   <li>{@code raid10}: stripe width 2..32 (default 2), mirrors 1..2 (default 1).</li>
 *   <li>{@code erasure-coding}: stripe width 1, data blocks 2..16 and parity blocks 1..4 (default 8+2).</li>
 *   <li>{@code striped-erasure-coding}: stripe width 2..32 (default 2), data and parity as above.</li>
 * </ul>
 * Stripe size is a power of two from 4 KiB to 1 MiB (default 128 KiB). Protection {@code ignore} is allowed only for
 * mirrored layouts; {@code domainScope} (a label key) is null when copies need only distinct targets.
 *
 * <p>A stripe width asks for that many drives working in parallel, so the stripes (groups) of a chunk are placed on
 * distinct drives, and a volume the fleet cannot stripe so stays pending. {@code allowSharedDrives} (striped layouts
 * only, default false) lets stripes share drives when there are too few, as a conscious choice.
 */
public record VolumePolicy(
        Metadata metadata,
        Layout layout,
        int stripeWidth,
        Size stripeSize,
        int mirrors,
        int dataBlocks,
        int parityBlocks,
        Protection protection,
        String domainScope,
        List<String> driveClasses,
        List<String> targetClasses,
        boolean thin,
        boolean allowSharedDrives) implements Manifest {

    public static final int MAX_STRIPE_WIDTH = 32;
    public static final int DEFAULT_STRIPE_WIDTH = 2;
    public static final Size DEFAULT_STRIPE_SIZE = Size.ofBytes(128 * Size.KiB);
    /** Examples of a valid stripe size, for messages: each one validates as written. */
    public static final String STRIPE_SIZE_EXAMPLES = "64KiB or 128KiB";
    public static final int DEFAULT_DATA_BLOCKS = 8;
    public static final int DEFAULT_PARITY_BLOCKS = 2;
    public static final int MIN_DATA_BLOCKS = 2;
    public static final int MAX_DATA_BLOCKS = 16;
    public static final int MIN_PARITY_BLOCKS = 1;
    public static final int MAX_PARITY_BLOCKS = 4;

    public VolumePolicy {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(layout, "spec.layout");
        Objects.requireNonNull(stripeSize, "spec.stripeSize");
        Objects.requireNonNull(protection, "spec.protection");
        driveClasses = List.copyOf(driveClasses == null ? List.of() : driveClasses);
        targetClasses = List.copyOf(targetClasses == null ? List.of() : targetClasses);

        if (layout.striped()) {
            check(stripeWidth >= 2 && stripeWidth <= MAX_STRIPE_WIDTH, "spec.stripeWidth",
                    "%d is out of range for %s (allowed 2..%d)", stripeWidth, layout, MAX_STRIPE_WIDTH);
        } else {
            check(stripeWidth == 1, "spec.stripeWidth", "%d is not allowed for %s (its stripe width is 1)",
                    stripeWidth, layout);
        }
        if (layout.mirrored()) {
            check(mirrors >= 1 && mirrors <= 2, "spec.mirrors",
                    "%d is out of range for %s (allowed 1..2 extra copies)", mirrors, layout);
        } else {
            check(mirrors == 0, "spec.mirrors", "%d is not allowed for %s (only raid1 and raid10 mirror)",
                    mirrors, layout);
        }
        if (layout.erasureCoded()) {
            check(dataBlocks >= MIN_DATA_BLOCKS && dataBlocks <= MAX_DATA_BLOCKS, "spec.dataBlocks",
                    "%d is out of range for %s (allowed %d..%d)", dataBlocks, layout, MIN_DATA_BLOCKS, MAX_DATA_BLOCKS);
            check(parityBlocks >= MIN_PARITY_BLOCKS && parityBlocks <= MAX_PARITY_BLOCKS, "spec.parityBlocks",
                    "%d is out of range for %s (allowed %d..%d)", parityBlocks, layout, MIN_PARITY_BLOCKS,
                    MAX_PARITY_BLOCKS);
            check(parityBlocks < dataBlocks, "spec.parityBlocks",
                    "%d parity blocks need more than %d data blocks", parityBlocks, dataBlocks);
        } else {
            check(dataBlocks == 0, "spec.dataBlocks", "is only for erasure-coding layouts, not %s", layout);
            check(parityBlocks == 0, "spec.parityBlocks", "is only for erasure-coding layouts, not %s", layout);
        }
        long ss = stripeSize.bytes();
        check(ss >= 4 * Size.KiB && ss <= Size.MiB && Long.bitCount(ss) == 1, "spec.stripeSize",
                "%s is not a power of two from 4KiB to 1MiB (%s)", stripeSize, nearestStripeSizes(ss));
        check(protection != Protection.IGNORE || layout.mirrored(), "spec.protection",
                "ignore is only allowed for mirrored layouts (raid1, raid10), not %s", layout);
        check(domainScope == null || !domainScope.isBlank(), "spec.domainScope", "must name a label key");
        check(!allowSharedDrives || layout.striped(), "spec.allowSharedDrives",
                "is only for striped layouts (raid0, raid10, striped-erasure-coding), not %s", layout);
    }

    /** The valid stripe sizes nearest to {@code bytes}, as a hint that validates: {@code use 64KiB or 128KiB}. */
    private static String nearestStripeSizes(long bytes) {
        if (bytes < 4 * Size.KiB) {
            return "use 4KiB";
        }
        if (bytes > Size.MiB) {
            return "use 1MiB";
        }
        long below = Long.highestOneBit(bytes);
        return "use " + Size.ofBytes(below).exact() + " or " + Size.ofBytes(below << 1).exact();
    }

    @Override
    public Kind kind() {
        return Kind.VOLUME_POLICY;
    }

    /** Segments in one RAID group: the copies of a mirror, the k+m blocks of erasure coding, or 1. */
    public int groupSize() {
        if (layout.mirrored()) {
            return 1 + mirrors;
        }
        if (layout.erasureCoded()) {
            return dataBlocks + parityBlocks;
        }
        return 1;
    }

    /** Groups a chunk is striped over. */
    public int groupsPerChunk() {
        return layout.striped() ? stripeWidth : 1;
    }

    /** A policy of {@code layout} with that layout's defaults and full protection. */
    public static VolumePolicy defaults(String name, Layout layout) {
        return new VolumePolicy(Metadata.named(name), layout,
                layout.striped() ? DEFAULT_STRIPE_WIDTH : 1, DEFAULT_STRIPE_SIZE,
                layout.mirrored() ? 1 : 0,
                layout.erasureCoded() ? DEFAULT_DATA_BLOCKS : 0,
                layout.erasureCoded() ? DEFAULT_PARITY_BLOCKS : 0,
                Protection.FULL, null, List.of(), List.of(), false, false);
    }
}
