package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import io.nvmesh.schema.validation.LoadedManifest;
import io.nvmesh.schema.validation.ManifestSource;
import io.nvmesh.schema.validation.ManifestValidator;
import io.nvmesh.schema.validation.ValidationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Desired manifests validated from bytes (Git blobs and local files), with each object's file. */
final class DesiredManifests {

    private static volatile ManifestValidator validator;

    /** Only the problems are kept: the report's manifests hold their YAML trees (for locations), which are big. */
    private final List<Problem> problems;
    /** {@code Kind name} → manifest, e.g. {@code Volume db-01}. */
    final SortedMap<String, Manifest> objects = new TreeMap<>();
    /** Looked up only, never walked: hashed (100,000 inserts into a sorted map cost a tenth of a second). */
    final Map<String, String> fileOf = new java.util.HashMap<>();

    private DesiredManifests(ValidationReport report) {
        this.problems = report.problems();
        for (LoadedManifest m : report.manifests()) {
            String key = key(m.manifest());
            objects.putIfAbsent(key, m.manifest());
            fileOf.putIfAbsent(key, m.location().file());
        }
    }

    static DesiredManifests load(DesiredFiles files) {
        List<ManifestSource> sources = new ArrayList<>(files.files().size());
        files.files().forEach((path, bytes) -> sources.add(new ManifestSource(files.shown(path), bytes)));
        return new DesiredManifests(validator().validateSources(sources));
    }

    /**
     * The manifests of the files that can hold a {@code VolumePolicy}, for a reader that needs only the policies
     * (fsck checks recorded shapes against them): a desired tree of 100,000 volumes is validated in seconds, its few
     * policy files in milliseconds. A file holds a policy only if its bytes spell {@code VolumePolicy} (manifests are
     * UTF-8), unless an escape in a double-quoted scalar spells it, so files with a backslash are taken too. Other
     * objects of the files taken are loaded as well; references between files are not all resolvable, so the problems
     * of this value say nothing about the tree's validity.
     */
    static DesiredManifests policies(DesiredFiles files) {
        List<String> taken = new ArrayList<>();
        files.files().forEach((path, bytes) -> {
            if (contains(bytes, POLICY_KIND) || contains(bytes, BACKSLASH)) {
                taken.add(path);
            }
        });
        return load(files.only(taken));
    }

    private static final byte[] POLICY_KIND = "VolumePolicy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] BACKSLASH = {'\\'};

    private static boolean contains(byte[] bytes, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= bytes.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (bytes[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static ManifestValidator validator() {
        ManifestValidator v = validator;
        if (v == null) {
            synchronized (DesiredManifests.class) {
                if (validator == null) {
                    validator = ManifestValidator.create();
                }
                v = validator;
            }
        }
        return v;
    }

    static String key(Manifest m) {
        return m.kind().yamlName() + " " + m.name();
    }

    boolean valid() {
        return problems.isEmpty();
    }

    List<Problem> problems() {
        return problems;
    }

    DesiredState state() {
        List<VolumePolicy> policies = new ArrayList<>();
        List<DriveClass> driveClasses = new ArrayList<>();
        List<TargetClass> targetClasses = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<DriveIntent> intents = new ArrayList<>();
        for (Manifest m : objects.values()) {
            if (m instanceof VolumePolicy p) {
                policies.add(p);
            } else if (m instanceof DriveClass d) {
                driveClasses.add(d);
            } else if (m instanceof TargetClass t) {
                targetClasses.add(t);
            } else if (m instanceof Volume v) {
                volumes.add(v);
            } else if (m instanceof DriveIntent i) {
                intents.add(i);
            }
        }
        return new DesiredState(policies, driveClasses, targetClasses, volumes, intents);
    }

    /** {@code invalid at abc1234: file:line:column: message (and 2 more)}. */
    static String invalidOutcome(String commit, List<Problem> problems) {
        String first = problems.isEmpty() ? "invalid" : problems.get(0).render();
        return "invalid at " + CommitIds.shortId(commit) + ": " + first
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }
}
