package io.nvmesh.service.reconcile;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Volume;
import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.SegmentLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What every node must serve or attach according to the recorded state: each target the extents on its drives, each
 * client the volumes desired attached to it. Pure; the loop sends the part for the nodes connected to it.
 *
 * <p>A {@code deleting} volume is left out of both: its targets release it, which is what lets its space be freed. A
 * client attaches a volume once it has been served in full (not while {@code pending}, {@code initializing} or
 * {@code extending}: no target exports all of it yet, so a connect would fail); a {@code rebuilding} or
 * {@code degraded} volume stays attached, since its other segments serve it meanwhile; a {@code failed} one (data
 * lost) is detached.
 *
 * @param segments    target id → the segments its drives hold
 * @param attachments client id → the volumes it attaches
 */
record NodeCommands(Map<String, List<SegmentLayout>> segments, Map<String, List<Attachment>> attachments) {

    /** The NVMe qualified name prefix of volumes. */
    static final String NQN_PREFIX = "nqn.2024-01.io.nvmesh:volume:";

    NodeCommands {
        segments = Map.copyOf(segments);
        attachments = Map.copyOf(attachments);
    }

    static NodeCommands of(RecordedState recorded, List<Volume> desired) {
        Inventory inventory = recorded.inventory();
        Map<String, String> targetOfSerial = new TreeMap<>();
        for (Target t : inventory.targets()) {
            t.drives().forEach(d -> targetOfSerial.put(d.serial(), t.id()));
        }
        Map<String, List<SegmentLayout>> segments = new TreeMap<>();
        Map<String, Set<String>> targetsOfVolume = new TreeMap<>();
        for (VolumeRecord r : recorded.volumes().values()) {
            if (r.allocation().isEmpty() || r.status() == VolumeStatus.DELETING) {
                continue;
            }
            for (ServedExtent e : ServedExtent.of(r.allocation().get())) {
                String target = targetOfSerial.get(e.serial());
                if (target == null) {
                    continue; // on a missing drive: nothing to serve until it is rebuilt elsewhere
                }
                segments.computeIfAbsent(target, k -> new ArrayList<>()).add(new SegmentLayout(e.volume(),
                        e.segment(), e.serial(), e.offset(), e.length()));
                targetsOfVolume.computeIfAbsent(e.volume(), k -> new TreeSet<>()).add(target);
            }
        }
        Map<String, List<Attachment>> attachments = new TreeMap<>();
        for (Volume v : desired) {
            VolumeRecord r = recorded.volumes().get(v.name());
            Set<String> targets = targetsOfVolume.get(v.name());
            if (r == null || r.allocation().isEmpty() || targets == null || !attachable(r.status())) {
                continue; // attach once served
            }
            long size = Math.max(r.allocation().get().size(), r.allocation().get().placedCapacity());
            if (size <= 0) {
                continue;
            }
            VolumeAllocation a = r.allocation().get();
            List<Attachment.Member> members = members(a, targetOfSerial);
            for (String client : v.clients()) {
                attachments.computeIfAbsent(client, k -> new ArrayList<>()).add(new Attachment(v.name(),
                        NQN_PREFIX + v.name(), size, List.copyOf(targets), false, a.layout().yamlName(), members));
            }
        }
        return new NodeCommands(segments, attachments);
    }

    /**
     * Every segment of the allocation with its place in the geometry and its target (empty on a missing drive), keyed
     * as {@link ServedExtent#of} keys them: what a host needs to assemble the volume from the targets' namespaces.
     */
    private static List<Attachment.Member> members(VolumeAllocation a, Map<String, String> targetOfSerial) {
        List<Attachment.Member> out = new ArrayList<>();
        for (Chunk c : a.chunks()) {
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    out.add(new Attachment.Member(out.size(), c.index(), g.index(), s.index(),
                            targetOfSerial.getOrDefault(s.extent().serial(), ""), s.extent().length()));
                }
            }
        }
        return out;
    }

    private static boolean attachable(VolumeStatus status) {
        // A failed volume lost a group's data: clients detach rather than read holes (or, once a person accepts the
        // loss, zeroes under a mounted file system); they attach again when it is online.
        // Extending was reported as initializing before it had a name of its own: attached as it was then.
        return status != VolumeStatus.PENDING && status != VolumeStatus.INITIALIZING
                && status != VolumeStatus.EXTENDING && status != VolumeStatus.DELETING && status != VolumeStatus.FAILED;
    }

    /** The extents a target serves by a layout it acked. */
    static List<ServedExtent> served(List<SegmentLayout> layout) {
        return layout.stream().map(l -> new ServedExtent(l.volume(), l.segment(), l.serial(), l.offset(),
                l.length())).toList();
    }
}
