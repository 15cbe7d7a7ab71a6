package io.nvmesh.core.allocation;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The manifests the planner reads from the desired branch, each list sorted by name. */
public record DesiredState(List<VolumePolicy> policies, List<DriveClass> driveClasses, List<TargetClass> targetClasses,
        List<Volume> volumes, List<DriveIntent> driveIntents) {

    public DesiredState {
        policies = sorted(policies, "policy");
        driveClasses = sorted(driveClasses, "drive class");
        targetClasses = sorted(targetClasses, "target class");
        volumes = sorted(volumes, "volume");
        driveIntents = sorted(driveIntents, "drive");
    }

    public static DesiredState of(List<VolumePolicy> policies, List<Volume> volumes) {
        return new DesiredState(policies, List.of(), List.of(), volumes, List.of());
    }

    public DesiredState withVolumes(List<Volume> vs) {
        return new DesiredState(policies, driveClasses, targetClasses, vs, driveIntents);
    }

    public DesiredState withDriveIntents(List<DriveIntent> intents) {
        return new DesiredState(policies, driveClasses, targetClasses, volumes, intents);
    }

    /** Whether names strictly ascend (so they are also distinct): one comparison per manifest. */
    private static boolean ascending(List<? extends Manifest> in) {
        for (int i = 1; i < in.size(); i++) {
            if (in.get(i - 1).name().compareTo(in.get(i).name()) >= 0) {
                return false;
            }
        }
        return true;
    }

    public Optional<VolumePolicy> policy(String name) {
        return policies.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static <M extends Manifest> List<M> sorted(List<M> in, String what) {
        if (in != null && ascending(in)) {
            return in.stream().toList(); // already sorted, names distinct: what the sort and check below give
        }
        List<M> out = in == null ? List.of() : in.stream().sorted(Comparator.comparing(Manifest::name)).toList();
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).name().equals(out.get(i - 1).name())) {
                throw new IllegalArgumentException(what + " " + out.get(i).name() + " is defined twice");
            }
        }
        return out;
    }
}
