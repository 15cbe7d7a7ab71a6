package io.nvmesh.service.web;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A recorded volume as the dashboard draws it: its groups of segments, each segment with the target, rack and zone
 * it sits in and its drive's health, so copies in different failure domains are visible at a glance; and each
 * target's share of the volume, from which the volume's performance is estimated ({@link VolumePerformance}).
 */
public final class VolumeLayout {

    /**
     * @param rack  the target's {@code rack} label; {@code zone} likewise (empty when the target has none)
     * @param domain the value of the volume's domain-scope label on the target (what its groups are spread over)
     */
    public record SegmentView(int index, String role, String serial, String target, String rack, String zone,
                              String domain, String driveHealth, long length) {
    }

    public record GroupView(int chunk, int group, List<SegmentView> segments) {
        public GroupView {
            segments = List.copyOf(segments);
        }
    }

    /**
     * @param volumeBytes bytes of this volume's extents on the target
     * @param targetBytes bytes of all recorded extents on the target (the volume's share is the ratio)
     */
    public record TargetShare(String target, long volumeBytes, long targetBytes) {

        public double share() {
            return targetBytes == 0 ? 0 : (double) volumeBytes / targetBytes;
        }
    }

    /**
     * @param domainScope the failure-domain label key its groups are spread over, empty for targets only
     */
    public record View(String stateCommit, String name, String status, String reason, String policy, String layout,
                       String protection, String domainScope, long sizeBytes, long placedBytes, String owner,
                       List<GroupView> groups, List<TargetShare> targets) {
        public View {
            groups = List.copyOf(groups);
            targets = List.copyOf(targets);
        }
    }

    private VolumeLayout() {
    }

    /** The layout of a recorded volume, empty when no volume of that name is recorded. */
    public static Optional<View> of(RecordedState state, String name, String owner) {
        VolumeRecord r = state.volumes().get(name);
        if (r == null) {
            return Optional.empty();
        }
        Map<String, Target> targetOf = new HashMap<>();
        Map<String, Drive> driveOf = new HashMap<>();
        for (Target t : state.inventory().targets()) {
            for (Drive d : t.drives()) {
                targetOf.put(d.serial(), t);
                driveOf.put(d.serial(), d);
            }
        }
        Optional<VolumeAllocation> a = r.allocation();
        String scope = a.map(VolumeAllocation::domainScope).orElse(null);
        List<GroupView> groups = new ArrayList<>();
        Map<String, Long> volumeBytes = new TreeMap<>();
        a.ifPresent(alloc -> {
            for (Chunk c : alloc.chunks()) {
                for (Group g : c.groups()) {
                    List<SegmentView> segments = new ArrayList<>();
                    for (Segment s : g.segments()) {
                        Extent e = s.extent();
                        Target t = targetOf.get(e.serial());
                        Map<String, String> labels = t == null ? Map.of() : t.labels();
                        Drive d = driveOf.get(e.serial());
                        String target = t == null ? "" : t.id();
                        segments.add(new SegmentView(s.index(), lower(s.role()), e.serial(), target,
                                labels.getOrDefault("rack", ""), labels.getOrDefault("zone", ""),
                                scope == null ? target : labels.getOrDefault(scope, ""),
                                d == null ? "missing" : lower(d.health()), e.length()));
                        if (t != null) {
                            volumeBytes.merge(target, e.length(), Long::sum);
                        }
                    }
                    groups.add(new GroupView(c.index(), g.index(), segments));
                }
            }
        });
        Map<String, Long> targetBytes = new HashMap<>();
        for (VolumeRecord v : state.volumes().values()) {
            v.allocation().ifPresent(alloc -> alloc.extents().forEach(e -> {
                Target t = targetOf.get(e.serial());
                if (t != null && volumeBytes.containsKey(t.id())) {
                    targetBytes.merge(t.id(), e.length(), Long::sum);
                }
            }));
        }
        List<TargetShare> shares = new ArrayList<>();
        volumeBytes.forEach((t, bytes) -> shares.add(new TargetShare(t, bytes, targetBytes.getOrDefault(t, bytes))));
        return Optional.of(new View(state.commitId(), r.name(), r.status().wireName(), r.reason(),
                a.map(VolumeAllocation::policy).orElse(""), a.map(v -> lower(v.layout())).orElse(""),
                a.map(v -> lower(v.protection())).orElse(""), scope == null ? "" : scope,
                a.map(VolumeAllocation::size).orElse(0L), a.map(VolumeAllocation::placedCapacity).orElse(0L), owner,
                groups, shares));
    }

    private static String lower(Object o) {
        return String.valueOf(o).toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
