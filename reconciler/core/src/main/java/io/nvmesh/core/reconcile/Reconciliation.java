package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.CapacityLedger;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.Planner;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.Release;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The pure body of one reconcile pass, shared by {@code diff} (preview) and the reconciler (record): recorded state
 * and desired manifests in, the plan and the recorded state after it out. No I/O; equal inputs, equal output.
 *
 * <p>A pass takes four steps: read what each recorded volume brings ({@link RecordedVolumes}), decide what to ask for
 * each desired volume it owns ({@link WantedVolumes}), plan ({@link Planner}), and write every owned volume's record
 * after the plan ({@link VolumeStatuses}).
 *
 * <p>Three rules sit around the planner. A recorded volume with {@code deletionProtection} that vanished from desired
 * is kept (it stays in the planner's desired view) and marked {@link VolumeStatus#BLOCKED}. Volumes the caller does
 * not own are fixed space to the planner: it places nothing there and is not shown them, so it neither deletes,
 * extends nor moves them; their records are left as they are. A volume removed from desired whose segments some
 * managed target still serves is {@link VolumeStatus#DELETING}: fixed space like a foreign volume, so its extents stay
 * taken, until a later pass finds every holder released it and lets the planner delete it. A preview
 * ({@link Input#preview()}) judges no statuses and shows the removal as the delete it ends in.
 */
final class Reconciliation {

    /**
     * What a pass reads. Start from {@link #of} and change what differs from the defaults: nothing from the previous
     * commit, every volume owned, statuses judged, {@code capacity: max} volumes free to be placed.
     *
     * @param previousPolicies policies of the desired commit the state was last reconciled from, asked for only when
     *        a blocked volume's policy is no longer desired (so its segments can still be repaired)
     * @param owns the volumes this pass decides about; asked once per volume per pass
     * @param statuses whether to work out each volume's status (a full state check); a preview that only shows the
     *        plan skips it, and its {@code after} state then carries the statuses recorded before
     * @param maxHold why unplaced {@code capacity: max} volumes must wait this pass; empty: they need not
     */
    record Input(RecordedState recorded, DesiredState desired, String desiredCommit,
            Function<String, VolumePolicy> previousPolicies, Predicate<String> owns, boolean statuses,
            String maxHold) {

        static Input of(RecordedState recorded, DesiredState desired, String desiredCommit) {
            return new Input(recorded, desired, desiredCommit, name -> null, OWNS_ALL, true, "");
        }

        Input previousPolicies(Function<String, VolumePolicy> policies) {
            return new Input(recorded, desired, desiredCommit, policies, owns, statuses, maxHold);
        }

        Input owns(Predicate<String> volumes) {
            return new Input(recorded, desired, desiredCommit, previousPolicies, volumes, statuses, maxHold);
        }

        Input maxHold(String why) {
            return new Input(recorded, desired, desiredCommit, previousPolicies, owns, statuses, why);
        }

        /** The plan only: no statuses, the state {@code after} is the one recorded. */
        Input preview() {
            return new Input(recorded, desired, desiredCommit, previousPolicies, owns, false, maxHold);
        }
    }

    /** The outcome: the plan (owned actions only), the state to record, and the volumes whose deletion is blocked. */
    record Result(Plan plan, RecordedState after, List<String> blocked) {
        Result {
            blocked = List.copyOf(blocked);
        }
    }

    /** Every volume owned: the default, whose answer cannot change during a pass. */
    static final Predicate<String> OWNS_ALL = name -> true;

    private Reconciliation() {
    }

    static Result run(Input in) {
        RecordedState recorded = in.recorded();
        Predicate<String> owns = answeredOnce(in.owns());
        Map<String, Volume> wanted = new TreeMap<>();
        in.desired().volumes().forEach(v -> wanted.put(v.name(), v));

        RecordedVolumes volumes = RecordedVolumes.read(recorded, wanted, owns,
                in.statuses() ? Release.in(recorded) : null);
        WantedVolumes asked = WantedVolumes.decide(recorded, wanted, owns, in.statuses(), in.maxHold());
        List<Volume> planned = new ArrayList<>(volumes.kept());
        planned.addAll(asked.planned());
        List<VolumePolicy> policies = policies(in, volumes);
        Plan plan = plan(recorded, volumes, new DesiredState(policies, in.desired().driveClasses(),
                in.desired().targetClasses(), planned, in.desired().driveIntents()));
        if (!in.statuses()) {
            return new Result(plan, recorded, volumes.blocked());
        }

        Map<String, String> waits = new TreeMap<>(volumes.waits());
        waits.putAll(asked.waits());
        Reconciled marker = new Reconciled(in.desiredCommit(), in.desiredCommit(), "ok at "
                + CommitIds.shortId(in.desiredCommit()));
        RecordedState after = recorded.withVolumes(VolumeStatuses.after(recorded, owns, volumes, asked, wanted, waits,
                plan, planned, policies)).withReconciled(marker);
        return new Result(plan, after, volumes.blocked());
    }

    /**
     * One answer per volume for the whole pass. A service's ownership is live: a member that dies or comes back moves
     * volumes while a pass runs, and a volume owned at one step and foreign at the next lost its record.
     */
    private static Predicate<String> answeredOnce(Predicate<String> owns) {
        if (owns == OWNS_ALL) {
            return owns; // a constant answer: nothing to remember for 100,000 names
        }
        Map<String, Boolean> asked = new HashMap<>();
        return name -> asked.computeIfAbsent(name, owns::test);
    }

    /** The desired policies, and those of kept volumes no longer desired (from the commit last reconciled). */
    private static List<VolumePolicy> policies(Input in, RecordedVolumes volumes) {
        List<VolumePolicy> out = new ArrayList<>(in.desired().policies());
        for (String name : volumes.keptPolicies()) {
            if (in.desired().policy(name).isEmpty()) {
                VolumePolicy p = in.previousPolicies().apply(name);
                if (p != null && out.stream().noneMatch(q -> q.name().equals(p.name()))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * The planner's plan for the owned volumes, around fixed space (holds and pinned volumes). Its usage before and
     * after counts pinned volumes as allocated, as they are: the planner, not shown them, would count their space free.
     */
    private static Plan plan(RecordedState recorded, RecordedVolumes volumes, DesiredState planned) {
        Plan plan = Planner.plan(recorded.inventory(), new Allocations(volumes.changeable(), volumes.fixed()),
                planned);
        if (volumes.pinned().isEmpty()) {
            return plan;
        }
        List<VolumeAllocation> all = new ArrayList<>(volumes.changeable());
        all.addAll(volumes.pinned());
        CapacityLedger ledger = CapacityLedger.recompute(recorded.inventory(), new Allocations(all), planned);
        var before = ledger.cluster();
        ledger.apply(plan);
        return new Plan(plan.actions(), before, ledger.cluster());
    }

    /**
     * Why a {@code capacity: max} volume is not placed yet: it takes whatever space is left, so it waits until every
     * fixed-size volume of the desired commit owned by another reconciler has been tried (placed or pending with a
     * reason). Within one pass the planner already places {@code max} volumes last; this carries that order across
     * owners, whose passes are not ordered.
     */
    static String waitingForFixed(List<String> names) {
        int shown = Math.min(names.size(), 3);
        String list = String.join(", ", names.subList(0, shown)) + (names.size() > shown
                ? " and " + (names.size() - shown) + " more" : "");
        return VolumeRecord.WAITING + names.size() + " fixed-size volume" + (names.size() == 1 ? "" : "s")
                + " of other reconcilers to be placed first (" + list + "): capacity: max takes the space they leave";
    }

    /** The recorded state of {@code snapshot}; refuses damaged state, since no writer may build on what it cannot read. */
    static RecordedState decode(io.nvmesh.core.state.Snapshot snapshot) {
        io.nvmesh.core.record.StateFiles.Decoded d = io.nvmesh.core.record.StateFiles.decode(snapshot);
        if (!d.problems().isEmpty()) {
            throw new GitOpsRefusal("recorded state at " + CommitIds.shortId(snapshot.commitId())
                    + " is damaged; nothing was changed (nvmesh fsck lists every problem)", d.problems());
        }
        return d.state();
    }

    /** The first 16 hex digits of SHA-256 over the policy as loaded: equal policies, equal fingerprints. */
    static String fingerprint(VolumePolicy p) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(p.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
