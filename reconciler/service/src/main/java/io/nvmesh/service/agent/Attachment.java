package io.nvmesh.service.agent;

import java.util.List;
import java.util.Objects;

/**
 * A volume a client must have attached: its NVMe qualified name, its size and the targets that serve it (one fabric
 * path each).
 *
 * @param layout  the volume's layout as manifests name it ({@code raid1}, {@code raid10}, {@code concatenated} ...);
 *                empty from an instance that does not send it
 * @param members every segment of the volume and the target serving it, so that a host can assemble the volume
 *                (added within protocol 1: empty from an instance that does not send it)
 */
public record Attachment(String volume, String nqn, long sizeBytes, List<String> targets, boolean readOnly,
                         String layout, List<Member> members) {

    public Attachment {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(nqn, "nqn");
        targets = List.copyOf(targets);
        layout = layout == null ? "" : layout;
        members = members == null ? List.of() : List.copyOf(members);
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("attachment " + volume + ": size must be positive");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("attachment " + volume + ": needs at least one target");
        }
    }

    /** Without the layout: what instances sent before hosts assembled volumes themselves. */
    public Attachment(String volume, String nqn, long sizeBytes, List<String> targets, boolean readOnly) {
        this(volume, nqn, sizeBytes, targets, readOnly, "", List.of());
    }

    /**
     * One segment of the attached volume: its key (as in {@link SegmentLayout#segment()}), where it sits in the
     * volume's geometry (chunk, group, index in the group) and the target exporting it, empty while its drive is
     * missing (the group is degraded until the segment is rebuilt elsewhere).
     */
    public record Member(int segment, int chunk, int group, int index, String target, long length) {

        public Member {
            target = target == null ? "" : target;
            if (segment < 0 || chunk < 0 || group < 0 || index < 0 || length <= 0) {
                throw new IllegalArgumentException("member " + segment + ": indexes must not be negative, length "
                        + "must be positive");
            }
        }
    }
}
