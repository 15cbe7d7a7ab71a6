package io.nvmesh.schema.validation;

import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.Kind;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.SourceLocation;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The checks that need every document at once: one name per kind, one Drive intent per serial, and every name a
 * manifest refers to defined somewhere in the set that was validated.
 */
final class ReferenceCheck {

    private ReferenceCheck() {
    }

    /** A problem found, located once all are found (locating composes the file again: once per file for all). */
    private record Pending(LoadedManifest m, String path, String message) {
    }

    static List<Problem> check(List<LoadedManifest> manifests) {
        List<Pending> problems = new ArrayList<>();
        Map<Kind, Map<String, LoadedManifest>> byName = new EnumMap<>(Kind.class);
        Map<String, LoadedManifest> bySerial = new HashMap<>();
        for (LoadedManifest m : manifests) {
            // Hashed: 100,000 volumes went into a sorted map only to be looked up; hints sort the few they need.
            LoadedManifest first = byName.computeIfAbsent(m.manifest().kind(), k -> new HashMap<>())
                    .putIfAbsent(m.manifest().name(), m);
            if (first != null) {
                problems.add(problem(m, "metadata.name", "\"" + m.manifest().name() + "\" is already defined at "
                        + first.location() + "; names are unique per kind"));
            }
            if (m.manifest() instanceof DriveIntent drive) {
                LoadedManifest claimed = bySerial.putIfAbsent(drive.serial(), m);
                if (claimed != null && first == null) {
                    problems.add(problem(m, "spec.serial", "serial \"" + drive.serial() + "\" already has an intent: "
                            + claimed.object() + " at " + claimed.location()));
                }
            }
        }
        for (LoadedManifest m : manifests) {
            if (m.manifest() instanceof Volume volume) {
                refer(problems, byName, m, "spec.policy", Kind.VOLUME_POLICY, volume.policy());
            } else if (m.manifest() instanceof VolumePolicy policy) {
                for (int i = 0; i < policy.driveClasses().size(); i++) {
                    refer(problems, byName, m, "spec.driveClasses[" + i + "]", Kind.DRIVE_CLASS,
                            policy.driveClasses().get(i));
                }
                for (int i = 0; i < policy.targetClasses().size(); i++) {
                    refer(problems, byName, m, "spec.targetClasses[" + i + "]", Kind.TARGET_CLASS,
                            policy.targetClasses().get(i));
                }
            }
        }
        List<SourceLocation> at = FieldLocations.nearestAll(problems.stream()
                .map(p -> new FieldLocations.Lookup(p.m().fields(), p.path())).toList());
        List<Problem> out = new ArrayList<>(problems.size());
        for (int i = 0; i < problems.size(); i++) {
            Pending p = problems.get(i);
            SourceLocation l = at.get(i);
            out.add(new Problem(l.file(), l.line(), l.column(), p.m().object(), p.path(), p.message()));
        }
        return out;
    }

    private static void refer(List<Pending> problems, Map<Kind, Map<String, LoadedManifest>> byName,
            LoadedManifest from, String path, Kind kind, String name) {
        Map<String, LoadedManifest> known = byName.getOrDefault(kind, Map.of());
        if (!known.containsKey(name)) {
            problems.add(problem(from, path, kind.yamlName() + " \"" + name + "\" is not defined"
                    + Suggestions.hint(name, new TreeSet<>(known.keySet()))));
        }
    }

    private static Pending problem(LoadedManifest m, String path, String message) {
        return new Pending(m, path, message);
    }
}
