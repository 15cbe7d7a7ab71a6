package io.nvmesh.service.reconcile;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
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
            if (r.allocation().isEmpty()) {
                continue;
            }
            VolumeAllocation a = r.allocation().get();
            int n = 0;
            for (Chunk c : a.chunks()) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        int index = n++;
                        String target = targetOfSerial.get(s.extent().serial());
                        if (target == null) {
                            continue; // on a missing drive: nothing to serve until it is rebuilt elsewhere
                        }
                        segments.computeIfAbsent(target, k -> new ArrayList<>()).add(new SegmentLayout(a.volume(),
                                index, s.extent().serial(), s.extent().offset(), s.extent().length()));
                        targetsOfVolume.computeIfAbsent(a.volume(), k -> new TreeSet<>()).add(target);
                    }
                }
            }
        }
        Map<String, List<Attachment>> attachments = new TreeMap<>();
        for (Volume v : desired) {
            VolumeRecord r = recorded.volumes().get(v.name());
            Set<String> targets = targetsOfVolume.get(v.name());
            if (r == null || r.allocation().isEmpty() || targets == null) {
                continue; // attach once placed
            }
            long size = Math.max(r.allocation().get().size(), r.allocation().get().placedCapacity());
            if (size <= 0) {
                continue;
            }
            for (String client : v.clients()) {
                attachments.computeIfAbsent(client, k -> new ArrayList<>()).add(new Attachment(v.name(),
                        NQN_PREFIX + v.name(), size, List.copyOf(targets), false));
            }
        }
        return new NodeCommands(segments, attachments);
    }
}
