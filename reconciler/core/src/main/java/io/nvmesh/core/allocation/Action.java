package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One step of a plan. Which fields are filled depends on the kind:
 * <ul>
 *   <li>{@code CREATE}: {@code allocation} is the new volume (null when unplaceable);</li>
 *   <li>{@code EXTEND}: {@code chunks} are the chunks added after the existing ones, which never move;</li>
 *   <li>{@code DELETE}: {@code allocation} is the volume whose extents are freed;</li>
 *   <li>{@code MOVE}: {@code move} is the segment that moves.</li>
 * </ul>
 *
 * @param reason empty when placed; otherwise names the constraint that bites
 */
public record Action(ActionKind kind, String volume, Outcome outcome, String reason, long sizeBefore, long sizeAfter,
        VolumeAllocation allocation, List<Chunk> chunks, SegmentMove move) {

    public Action {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
        if (outcome == Outcome.UNPLACEABLE && reason.isEmpty()) {
            throw new IllegalArgumentException("an unplaceable action needs a reason");
        }
        if (kind == ActionKind.MOVE && move == null) {
            throw new IllegalArgumentException("a move action needs its segment move");
        }
    }

    static Action created(VolumeAllocation a) {
        return new Action(ActionKind.CREATE, a.volume(), Outcome.PLACED, "", 0, a.size(), a, List.of(), null);
    }

    static Action extended(String volume, long before, long after, List<Chunk> added) {
        return new Action(ActionKind.EXTEND, volume, Outcome.PLACED, "", before, after, null, added, null);
    }

    static Action deleted(VolumeAllocation a) {
        return new Action(ActionKind.DELETE, a.volume(), Outcome.PLACED, "", a.size(), 0, a, List.of(), null);
    }

    static Action moved(String volume, long size, SegmentMove m) {
        return new Action(ActionKind.MOVE, volume, m.to() == null ? Outcome.UNPLACEABLE : Outcome.PLACED,
                m.to() == null ? m.cause() : "", size, size, null, List.of(), m);
    }

    static Action unplaceable(ActionKind kind, String volume, long before, long wanted, String reason) {
        return new Action(kind, volume, Outcome.UNPLACEABLE, reason, before, wanted, null, List.of(), null);
    }

    /** Segments this action puts on drives (empty unless placed). */
    public List<Segment> addedSegments() {
        if (outcome != Outcome.PLACED) {
            return List.of();
        }
        return switch (kind) {
            case CREATE -> segments(allocation.chunks());
            case EXTEND -> segments(chunks);
            case MOVE -> List.of(new Segment(move.segment(), move.role(), move.to()));
            case DELETE -> List.of();
        };
    }

    /** Segments this action takes off drives (empty unless placed). */
    public List<Segment> removedSegments() {
        if (outcome != Outcome.PLACED) {
            return List.of();
        }
        return switch (kind) {
            case DELETE -> segments(allocation.chunks());
            case MOVE -> List.of(new Segment(move.segment(), move.role(), move.from()));
            case CREATE, EXTEND -> List.of();
        };
    }

    private static List<Segment> segments(List<Chunk> cs) {
        List<Segment> out = new ArrayList<>();
        for (Chunk c : cs) {
            for (Group g : c.groups()) {
                out.addAll(g.segments());
            }
        }
        return out;
    }
}
