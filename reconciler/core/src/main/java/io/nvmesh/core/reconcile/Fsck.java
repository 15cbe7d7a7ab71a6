package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.LiveCopies;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.StateChecker;
import io.nvmesh.core.allocation.StripeSharing;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.Violation;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code nvmesh fsck}: proves the recorded state consistent. Every file decodes; no two extents on a drive overlap;
 * every extent lies within its drive and names a known drive; every group has the shape and separation its policy
 * asks for (the policy as of the desired commit the state was reconciled from); every reference resolves. Volumes
 * with a segment on a failed or missing drive, volumes that lost a group's data ({@link LiveCopies}) and stripes of a
 * chunk that share a drive ({@link StripeSharing}) are warnings: the state is consistent, but a person should know.
 */
public final class Fsck {

    private Fsck() {
    }

    public static FsckReport check(StateStore store, String branch) {
        List<FsckReport.Finding> out = new ArrayList<>();
        Snapshot snapshot;
        try {
            snapshot = store.read(StateStore.STATE_REF);
        } catch (StateStoreException e) {
            return unavailable(store, e.getMessage());
        }
        String anchor = store.resolve(StateWriter.ANCHOR_REF);
        if (!snapshot.exists()) {
            if (!anchor.isEmpty() || !store.previousTips(StateStore.STATE_REF).isEmpty()) {
                return unavailable(store, "refs/nvmesh/state is missing, but a state existed here"
                        + (anchor.isEmpty() ? "" : " (its root is " + anchor + ")"));
            }
            return new FsckReport("", 0, 0, out);
        }
        if (!anchor.isEmpty()) {
            String root = store.firstParents(StateStore.STATE_REF, snapshot.commitId(), "").get(0);
            if (!root.equals(anchor)) {
                FsckReport lost = unavailable(store, "refs/nvmesh/state points at " + snapshot.commitId()
                        + ", whose history starts at " + root + ", not at the state's root " + anchor
                        + " (the state was replaced)");
                return new FsckReport(snapshot.commitId(), 0, 0, lost.findings());
            }
        }
        StateFiles.Decoded decoded;
        try {
            decoded = StateFiles.decode(snapshot);
        } catch (StateStoreException e) {
            // The ref is fine; an object it needs is not. Every earlier commit that still reads may predate much of
            // what is recorded (the damaged file is shared by every commit since it was written), so restoring one
            // would forget allocations targets still serve: repairing the object is the answer, not a rewind.
            out.add(new FsckReport.Finding(true, "state", "an object of commit " + snapshot.commitId()
                    + " cannot be read: " + e.getMessage() + "; writers stop until it is repaired"));
            out.add(new FsckReport.Finding(true, "state", "repair the object, do not rewind the state: copy it from "
                    + "another clone or a reconciler's mirror (git --git-dir OTHER cat-file -p ID | git hash-object "
                    + "-w --stdin), or from a backup; restoring an earlier state commit would forget every allocation "
                    + "recorded since it, and drive space in use would be handed out again"));
            return new FsckReport(snapshot.commitId(), 0, 0, out);
        }
        for (String p : decoded.problems()) {
            int colon = p.indexOf(": ");
            out.add(new FsckReport.Finding(true, colon < 0 ? "state" : StateFiles.objectOf(p.substring(0, colon)),
                    colon < 0 ? p : p.substring(colon + 2)));
        }
        RecordedState state = decoded.state();
        DesiredManifests policies = null;
        String from = state.reconciled().desiredCommit();
        if (!from.isEmpty()) {
            try {
                policies = DesiredManifests.policies(DesiredFiles.of(new DesiredBranch(store, branch).readAt(from)));
            } catch (StateStoreException e) {
                out.add(new FsckReport.Finding(true, "reconcile marker", "desired commit " + from
                        + " it was reconciled from cannot be read: " + e.getMessage()));
            }
        }
        check(state, policies, from, out);
        int drives = state.inventory().targets().stream().mapToInt(t -> t.drives().size()).sum();
        return new FsckReport(snapshot.commitId(), state.volumes().size(), drives, out);
    }

    /** A report for a state ref that cannot be used: the cause, the last good commit found, how to restore it. */
    private static FsckReport unavailable(StateStore store, String cause) {
        List<FsckReport.Finding> out = new ArrayList<>();
        out.add(new FsckReport.Finding(true, "state", cause + "; every writer stops until it is restored"));
        lastGood(store, out);
        return new FsckReport("", 0, 0, out);
    }

    /** Names the newest earlier tip (reflog, or anchor) that reads cleanly, and how to put it back. */
    private static void lastGood(StateStore store, List<FsckReport.Finding> out) {
        List<String> candidates = new ArrayList<>(store.previousTips(StateStore.STATE_REF));
        StateRefs.anchor(store).ifPresent(candidates::add);
        for (String c : candidates) {
            try {
                StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF, c));
                if (d.problems().isEmpty()) {
                    out.add(new FsckReport.Finding(true, "state", "last good commit: " + c + " (generation "
                            + d.state().generation() + ", " + d.state().volumes().size() + " volumes); restore it "
                            + "with: nvmesh state restore " + c + "  (or in the repository: git update-ref "
                            + StateStore.STATE_REF + " " + c + ")"));
                    return;
                }
            } catch (StateStoreException | IllegalArgumentException e) {
                // not this one
            }
        }
        out.add(new FsckReport.Finding(true, "state", "no good earlier state commit found here (reflog and anchor); "
                + "look in another clone or a backup (git log " + StateStore.STATE_REF + "), then: nvmesh state "
                + "restore COMMIT"));
    }

    static void check(RecordedState state, DesiredManifests policies, String from, List<FsckReport.Finding> out) {
        Set<String> known = new HashSet<>();
        for (Target t : state.inventory().targets()) {
            for (Drive d : t.drives()) {
                known.add(d.serial());
            }
        }
        for (Violation v : StateChecker.check(state.inventory(), state.allocations())) {
            String object = v.volume() == null ? "drive " + v.serial() : "volume " + v.volume();
            out.add(new FsckReport.Finding(v.error(), object, v.kind().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + ": " + v.message()));
        }
        LiveCopies copies = LiveCopies.of(state.inventory());
        for (VolumeRecord r : state.volumes().values()) {
            if (r.allocation().isEmpty()) {
                continue;
            }
            VolumeAllocation a = r.allocation().get();
            String object = "volume " + r.name();
            List<LiveCopies.LostGroup> lost = copies.lost(a);
            if (!lost.isEmpty()) {
                // A warning, not an error: the state says so truthfully once the volume is recorded failed, and a
                // person decides (accept the loss, or restore the drive); a pass records the status when it lags.
                out.add(new FsckReport.Finding(false, object, LiveCopies.reason(r.name(), lost)
                        + (r.status() == VolumeStatus.FAILED ? "" : " (recorded " + r.status().wireName()
                        + "; the next reconcile pass records it failed)")));
            }
            for (Chunk c : a.chunks()) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        if (!known.contains(s.extent().serial())) {
                            out.add(new FsckReport.Finding(true, object, "chunk " + c.index() + " group " + g.index()
                                    + " segment " + s.index() + " is on drive " + s.extent().serial()
                                    + ", which the inventory does not list"));
                        }
                    }
                }
            }
            if (policies == null) {
                out.add(new FsckReport.Finding(true, object, "policy " + a.policy() + " cannot be resolved: the state "
                        + "records no desired commit it was reconciled from"));
                continue;
            }
            Manifest m = policies.objects.get("VolumePolicy " + a.policy());
            if (!(m instanceof VolumePolicy) && r.status() == VolumeStatus.DELETING) {
                continue; // removed from desired, perhaps with its policy; its shape was checked while it was desired
            }
            if (!(m instanceof VolumePolicy p)) {
                out.add(new FsckReport.Finding(true, object, "policy " + a.policy() + " does not exist at desired commit "
                        + CommitIds.shortId(from)));
                continue;
            }
            checkShape(object, a, p, out);
            checkStripes(object, a, p, out);
        }
    }

    /**
     * Stripes of a chunk that share a drive do not work in parallel. A warning, never an error: the data is whole, the
     * planner does not move recorded chunks for it (it places new ones apart), and writers must not stop over it.
     */
    private static void checkStripes(String object, VolumeAllocation a, VolumePolicy p, List<FsckReport.Finding> out) {
        List<StripeSharing.SharedDrive> shared = StripeSharing.shared(a);
        if (shared.isEmpty()) {
            return;
        }
        String where = StripeSharing.describe(shared, 5);
        if (p.allowSharedDrives()) {
            out.add(new FsckReport.Finding(false, object, "stripes share drives, as policy " + p.name()
                    + " allows (allowSharedDrives: true), so they do not work in parallel: " + where));
        } else {
            out.add(new FsckReport.Finding(false, object, "stripes share drives, so stripe width "
                    + p.groupsPerChunk() + " does not work in parallel there: " + where + " (placed before stripes "
                    + "were kept apart, or rebuilt where no other drive was free; recorded chunks are not moved "
                    + "for it)"));
        }
    }

    /** Groups per chunk, segments per group and their roles, as the policy's layout defines them. */
    private static void checkShape(String object, VolumeAllocation a, VolumePolicy p, List<FsckReport.Finding> out) {
        if (a.layout() != p.layout()) {
            out.add(new FsckReport.Finding(true, object, "placed as " + a.layout() + " but policy " + p.name()
                    + " asks for " + p.layout()));
            return;
        }
        for (Chunk c : a.chunks()) {
            if (c.groups().size() != p.groupsPerChunk()) {
                out.add(new FsckReport.Finding(true, object, "chunk " + c.index() + " has " + c.groups().size()
                        + " groups; policy " + p.name() + " stripes over " + p.groupsPerChunk()));
            }
            for (Group g : c.groups()) {
                if (g.segments().size() != p.groupSize()) {
                    out.add(new FsckReport.Finding(true, object, "chunk " + c.index() + " group " + g.index() + " has "
                            + g.segments().size() + " segments; policy " + p.name() + " asks for " + p.groupSize()));
                    continue;
                }
                int data = p.layout().erasureCoded() ? p.dataBlocks() : 1;
                for (Segment s : g.segments()) {
                    Role want = s.index() < data ? Role.DATA : p.layout().erasureCoded() ? Role.PARITY : Role.MIRROR;
                    if (s.role() != want) {
                        out.add(new FsckReport.Finding(true, object, "chunk " + c.index() + " group " + g.index()
                                + " segment " + s.index() + " is " + s.role() + "; policy " + p.name() + " puts "
                                + want + " there"));
                    }
                }
            }
        }
    }
}
