package io.nvmesh.service.safety;

import io.nvmesh.core.reconcile.DesiredApply;
import io.nvmesh.core.reconcile.GitOpsRefusal;
import io.nvmesh.core.reconcile.InventoryImport;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.reconcile.Reconciler;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.schema.Volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Desired manifests as a person writes them, applied as {@code nvmesh apply} applies them. */
final class Desired {

    static final Author PERSON = new Author("test", "test@example.org");

    /** The mirror and stripe policies, in one file. */
    static final String POLICIES = Policies.MIRROR_AND_STRIPE;

    /** How often one apply is tried before the test gives up: another apply moving the branch first is a retry. */
    private static final int APPLY_ATTEMPTS = 200;

    private Desired() {
    }

    /** One volume, unprotected so that it may be deleted; every third a stripe, the rest mirrors. */
    static String volume(String name, int i, String capacity) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: "
                + (i % 3 == 0 ? "stripe" : "mirror") + "\n  capacity: " + capacity
                + "\n  deletionProtection: false\n";
    }

    /** {@code targets} targets over {@code racks} racks, each with {@code drives} drives of {@code capacity}. */
    static String inventory(int targets, int racks, int drives, String capacity) {
        return Policies.inventory(targets, racks, drives, capacity);
    }

    static void importInventory(StateStore store, String yaml) {
        InventoryImport.record(store, "inventory.yaml", yaml.getBytes(StandardCharsets.UTF_8), PERSON);
    }

    /**
     * {@code nvmesh apply PATH} run in {@code workDir} after writing {@code text} to {@code path} there (a null text
     * deletes the local file; with {@code prune} the branch then loses it too). A person whose apply lost the race
     * to another apply runs it again: so does this, up to {@value #APPLY_ATTEMPTS} times with a short random pause.
     *
     * @param apply the path given to {@code nvmesh apply} (a file, or with {@code prune} a folder)
     * @return how many attempts it took
     */
    static int apply(StateStore store, Path workDir, String path, String text, String apply, boolean prune,
            SplittableRandom random) {
        try {
            Path file = workDir.resolve(path);
            Files.createDirectories(file.getParent());
            if (text == null) {
                Files.deleteIfExists(file);
            } else {
                Files.writeString(file, text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                LocalManifests local = LocalManifests.read(List.of(apply), workDir);
                DesiredApply.apply(store, "main", local, prune, Optional.empty(), "", PERSON);
                return attempt;
            } catch (GitOpsRefusal e) {
                boolean lostRace = e.getMessage().contains("while applying")
                        || e.getMessage().contains("locked by another writer");
                if (!lostRace || attempt >= APPLY_ATTEMPTS) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(20)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code nvmesh apply FILE} of one new volume file. */
    static int applyFile(StateStore store, Path workDir, String path, String text, SplittableRandom random) {
        return apply(store, workDir, path, text, path, false, random);
    }

    /** The volumes of the desired branch's tip, as a reconciler reads them (none while its manifests are invalid). */
    static TreeSet<String> volumesAtTip(StateStore store) {
        TreeSet<String> out = new TreeSet<>();
        new Reconciler(store, "main").desiredVolumes().stream().map(Volume::name).forEach(out::add);
        return out;
    }
}
