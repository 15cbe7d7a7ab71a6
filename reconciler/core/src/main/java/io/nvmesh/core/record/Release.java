package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Target;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When held space ({@link HeldExtent}) may be given back: only on positive evidence that nothing can still serve it.
 * That is the drive failed; or its target has no node agent (inventory from a file: nvmesh serves nothing there); or
 * the target's agent acked a command computed from a state commit of generation {@code since} or later (such commands
 * no longer name the extent) and serves nothing overlapping it. A drive no target reports now is released unless some
 * target's last acked layout, older than {@code since}, still lists the extent: the drive may be back in a moment. A
 * target that is unhealthy or unreachable proves nothing: it may come back still serving.
 */
public final class Release {

    private final Map<String, Target> targetOf = new HashMap<>();
    private final Map<String, Drive> driveOf = new HashMap<>();
    private final Map<String, ServedLayout> served;

    private Release(RecordedState state) {
        for (Target t : state.inventory().targets()) {
            for (Drive d : t.drives()) {
                targetOf.put(d.serial(), t);
                driveOf.put(d.serial(), d);
            }
        }
        this.served = state.served();
    }

    /** The release rules against one recorded state's inventory and served layouts. */
    public static Release in(RecordedState state) {
        return new Release(state);
    }

    /** Why the extent must stay held, or empty when it may be freed. */
    public Optional<String> holder(HeldExtent h) {
        Drive d = driveOf.get(h.serial());
        if (d == null) {
            // Not reported now, perhaps pulled for a moment: a target that last acked serving the extent, and has
            // not acked a layout since, may still serve it when the drive is back.
            for (ServedLayout l : served.values()) {
                if (l.stateGeneration() < h.since() && overlapping(l, h).isPresent()) {
                    return Optional.of("drive " + h.serial() + " is not reported now, and target " + l.target()
                            + " last acked serving " + h.extent());
                }
            }
            return Optional.empty();
        }
        if (d.health() == DriveHealth.FAILED) {
            return Optional.empty();
        }
        Target t = targetOf.get(h.serial());
        if (!t.managed()) {
            return Optional.empty();
        }
        ServedLayout l = served.get(t.id());
        if (l == null || l.stateGeneration() < h.since()) {
            return Optional.of("target " + t.id() + " has not acked a layout of generation " + h.since()
                    + " or later");
        }
        return overlapping(l, h).map(e -> "target " + t.id() + " still serves " + h.extent() + " (segment "
                + e.segment() + " of " + e.volume() + ")");
    }

    private static Optional<ServedExtent> overlapping(ServedLayout l, HeldExtent h) {
        for (ServedExtent e : l.extents()) {
            if (e.serial().equals(h.serial()) && e.offset() < h.end() && h.offset() < e.offset() + e.length()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    public boolean released(HeldExtent h) {
        return holder(h).isEmpty();
    }
}
