package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A cluster on a real bare repository in a temp folder of its own (deleted on {@link #close}), driven one
 * {@link HistoryStep} at a time: a person committing to the desired branch, agents reporting inventory and acking
 * layouts through {@link StateWriter}, and four reconcilers with different ownership on two {@link StateStore}
 * instances of the same repository, each behind an {@link InterleavingStore} so that other steps can land inside its
 * pass. It keeps a log of what each step did, and every refusal a writer met (or exception a pass threw), for the
 * property's failure message. Single-threaded: interleavings are chosen, not left to the scheduler, so every failure
 * replays.
 */
final class HistoryWorld implements AutoCloseable {

    static final long GIB = 1L << 30;

    /** Every target, as an ack's mask. */
    static final int ALL = (1 << 6) - 1;

    /** Policies the generated volumes use: Fleet's mirror and stripe, and one of each other layout family. */
    static final List<String> POLICY_NAMES = List.of("mirror", "stripe", "raid10", "ec", "concat");

    static final String POLICIES = Fleet.POLICIES + """
            ---
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: raid10
            spec:
              layout: raid10
              stripeWidth: 2
              mirrors: 1
              protection: minimal
              domainScope: rack
            ---
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: ec
            spec:
              layout: erasure-coding
              dataBlocks: 2
              parityBlocks: 1
              protection: full
            ---
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: concat
            spec:
              layout: concatenated
            """;

    /**
     * The fleet: {@code targets} targets {@code t0..} over {@code racks} racks, two drives of {@code driveGib} each;
     * bit i of {@code managed}: target i has a node agent (its segments count as served only once it acks them).
     */
    record Shape(int targets, int racks, int driveGib, int managed) {

        List<Target> fleet() {
            List<Target> out = new ArrayList<>();
            for (int t = 0; t < targets; t++) {
                out.add(new Target("t" + t, Map.of("rack", "r" + t % racks), TargetHealth.HEALTHY, List.of(
                        Drive.of(serial(t, 0), driveGib * GIB), Drive.of(serial(t, 1), driveGib * GIB)),
                        (managed & (1 << t)) != 0));
            }
            return out;
        }

        @Override
        public String toString() {
            StringBuilder m = new StringBuilder();
            for (int t = 0; t < targets; t++) {
                m.append((managed & (1 << t)) != 0 ? 'M' : '-');
            }
            return targets + " targets over " + racks + " racks, 2 drives of " + driveGib + "GiB each, managed "
                    + m;
        }
    }

    /** A reconciler, the store it writes through, and which volumes it owns. */
    private record Seat(String name, InterleavingStore store, Reconciler reconciler) {
    }

    private final Path dir;
    private final StateStore store;
    private final StateStore other;
    private final StateWriter agents;
    private final StateWriter acks;
    private final List<Seat> seats = new ArrayList<>();
    private final List<Target> fleet = new ArrayList<>();
    /** Where each drive sits now (a moved drive sits in its new target, even while that target is removed). */
    private final Map<String, String> home = new TreeMap<>();
    private final Map<Integer, HistoryStep.Apply> desired = new TreeMap<>();
    private final Set<String> intents = new TreeSet<>();
    private final Set<String> failed = new TreeSet<>();
    private final List<String> log = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private long seq;
    private int depth;
    private int steps;

    private HistoryWorld(Path dir, List<Target> fleet) {
        this.dir = dir;
        Path git = dir.resolve("state.git");
        this.store = StateStore.openOrCreate(git);
        this.other = StateStore.openOrCreate(git);
        this.agents = new StateWriter(store, "main", Fleet.TEST);
        this.acks = new StateWriter(other, "main", Fleet.TEST);
        seat("R0 (all, store A)", store, v -> true);
        seat("R1 (even, store B)", other, v -> id(v) % 2 == 0);
        seat("R2 (odd, store A)", store, v -> id(v) % 2 == 1);
        seat("R3 (v0-v2, store B)", other, v -> id(v) < 3);
        this.fleet.addAll(fleet);
        fleet.forEach(t -> t.drives().forEach(d -> home.put(d.serial(), t.id())));
    }

    /**
     * A new world in a temp folder of its own: the fleet recorded, the policies and the {@code start} volumes
     * committed, placed and (where the fleet has room) served.
     */
    static HistoryWorld open(Shape shape, List<HistoryStep.Apply> start) {
        return open(shape.toString(), shape.fleet(), start);
    }

    /** The same, for a fleet of the caller's making. */
    static HistoryWorld open(String what, List<Target> fleet, List<HistoryStep.Apply> start) {
        Path dir;
        try {
            dir = Files.createTempDirectory("nvmesh-history-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HistoryWorld w = new HistoryWorld(dir, fleet);
        try {
            w.log.add("0. " + what);
            w.inventory("agents report the fleet", i -> new Inventory(w.fleet, List.of()));
            Fleet.commitDesired(w.store, Fleet.files("policies.yaml", POLICIES));
            if (!start.isEmpty()) {
                start.forEach(a -> w.log.add("start: " + a + " -> " + w.apply(a)));
                for (int i = 0; i < 2; i++) {
                    HistoryStep settle = new HistoryStep.Settle(0);
                    w.log.add("start: " + settle + " -> " + w.outcome(settle));
                }
            }
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private void seat(String name, StateStore on, Predicate<String> owns) {
        InterleavingStore s = new InterleavingStore(on);
        seats.add(new Seat(name, s, new Reconciler(s, "main", owns, Fleet.TEST)));
    }

    private static int id(String volume) {
        return Integer.parseInt(volume.substring(1));
    }

    static String serial(int target, int drive) {
        return "S" + target + "d" + drive;
    }

    /** The store the checks read (the person's and the agents'). */
    StateStore store() {
        return store;
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }

    /** The recorded state at the tip. */
    RecordedState state() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    /** Whether some drive was moved to another target. */
    boolean movedDrives() {
        return fleet.stream().anyMatch(t -> t.drives().stream().anyMatch(d -> !t.id().equals(home.get(d.serial()))));
    }

    /** Drives of the fleet that the recorded inventory does not list now (their target was removed). */
    Set<String> unlisted() {
        Set<String> out = new TreeSet<>(home.keySet());
        state().inventory().targets().forEach(t -> t.drives().forEach(d -> out.remove(d.serial())));
        return out;
    }

    /** What happened, one line per step (and per interloper), for a failure message. */
    String log() {
        return String.join("\n", log);
    }

    void run(HistoryStep step) {
        String indent = "  ".repeat(depth);
        int at = log.size();
        log.add(indent + (depth == 0 ? ++steps + ". " : "meanwhile: ") + step);
        log.set(at, log.get(at) + " -> " + outcome(step));
    }

    private String outcome(HistoryStep step) {
        if (step instanceof HistoryStep.Apply a) {
            return apply(a);
        } else if (step instanceof HistoryStep.Remove r) {
            return remove(r.volume());
        } else if (step instanceof HistoryStep.Grow g) {
            return grow(g);
        } else if (step instanceof HistoryStep.Intent i) {
            return intent(i);
        } else if (step instanceof HistoryStep.FailDrive f) {
            return failDrive(f.drive());
        } else if (step instanceof HistoryStep.TargetDown d) {
            return targetDown(d);
        } else if (step instanceof HistoryStep.TargetUp u) {
            return targetUp(u.target());
        } else if (step instanceof HistoryStep.MoveDrive m) {
            return moveDrive(m);
        } else if (step instanceof HistoryStep.AgentConnects c) {
            return agentConnects(c.target());
        } else if (step instanceof HistoryStep.Ack a) {
            return ack(a);
        } else if (step instanceof HistoryStep.Settle t) {
            return ack(new HistoryStep.Ack(ALL, 0)) + "; " + pass(new HistoryStep.Pass(t.reconciler(), null));
        }
        return pass((HistoryStep.Pass) step);
    }

    /**
     * After the generated steps: three quiet rounds in which every reachable target acks the tip and the reconciler
     * that owns everything passes, so space the history left held gets its chance to be released (or not).
     */
    void windDown() {
        for (int i = 0; i < 3; i++) {
            log.add("wind-down: " + new HistoryStep.Settle(0) + " -> " + outcome(new HistoryStep.Settle(0)));
        }
    }

    // ---- the desired branch ---------------------------------------------------------------------------------------

    private String apply(HistoryStep.Apply a) {
        int v = a.volume();
        desired.put(v, a);
        Fleet.commitDesired(store, Fleet.files("v" + v + ".yaml", Fleet.volume("v" + v, a.policy(),
                a.gib() == 0 ? "max" : a.gib() + "GiB", a.protect())));
        return "desired " + tip("refs/heads/main");
    }

    private String remove(int v) {
        if (desired.remove(v) == null) {
            return "not desired";
        }
        Fleet.deleteDesired(store, "v" + v + ".yaml");
        return "desired " + tip("refs/heads/main");
    }

    private String grow(HistoryStep.Grow g) {
        HistoryStep.Apply was = desired.get(g.volume());
        if (was == null || was.gib() == 0) {
            return "nothing to grow";
        }
        return apply(new HistoryStep.Apply(g.volume(), was.policy(), was.gib() + g.gib(), was.protect()));
    }

    private String intent(HistoryStep.Intent i) {
        String serial = drive(i.drive());
        String path = "drive-" + serial.toLowerCase(Locale.ROOT) + ".yaml";
        if (i.kind() == HistoryStep.DriveIntentKind.CLEAR) {
            if (!intents.remove(path)) {
                return "no intent";
            }
            Fleet.deleteDesired(store, path);
            return serial + ", desired " + tip("refs/heads/main");
        }
        intents.add(path);
        Fleet.commitDesired(store, Fleet.files(path, "apiVersion: nvmesh.io/v1\nkind: Drive\nmetadata:\n  name: drive-"
                + serial.toLowerCase(Locale.ROOT) + "\nspec:\n  serial: " + serial + "\n  "
                + i.kind().name().toLowerCase(Locale.ROOT) + ": true\n"));
        return serial + ", desired " + tip("refs/heads/main");
    }

    // ---- inventory, through the state writer as an agent batch ------------------------------------------------------

    private String failDrive(int drive) {
        String serial = drive(drive);
        failed.add(serial);
        return serial + ": " + inventory("agent: drive " + serial + " failed", i -> new Inventory(i.targets().stream()
                .map(t -> t.withDrives(t.drives().stream().map(d -> d.serial().equals(serial)
                        ? d.withHealth(DriveHealth.FAILED) : d).toList())).toList(), i.clients()));
    }

    private String targetDown(HistoryStep.TargetDown d) {
        String id = fleet.get(d.target() % fleet.size()).id();
        return id + ": " + inventory((d.removed() ? "target " + id + " removed" : "target " + id + " unhealthy"),
                i -> new Inventory(i.targets().stream().filter(t -> !(d.removed() && t.id().equals(id)))
                        .map(t -> !d.removed() && t.id().equals(id) ? t.withHealth(TargetHealth.UNHEALTHY) : t)
                        .toList(), i.clients()));
    }

    private String targetUp(int target) {
        Target back = fleet.get(target % fleet.size());
        return back.id() + ": " + inventory("target " + back.id() + " back", i -> {
            List<Target> out = new ArrayList<>(i.targets().stream().filter(t -> !t.id().equals(back.id())).toList());
            out.add(i.targets().stream().filter(t -> t.id().equals(back.id())).findFirst()
                    .map(t -> t.withHealth(TargetHealth.HEALTHY)).orElse(back.withDrives(drivesAt(back.id()))));
            return new Inventory(out, i.clients());
        });
    }

    /** A target recorded from a file gets a node agent: from now on its segments count as served only once acked. */
    private String agentConnects(int target) {
        String id = fleet.get(target % fleet.size()).id();
        fleet.replaceAll(t -> t.id().equals(id) ? t.asManaged() : t);
        return id + ": " + inventory("agent of " + id + " connected", i -> new Inventory(i.targets().stream()
                .map(t -> t.id().equals(id) ? t.asManaged() : t).toList(), i.clients()));
    }

    /** A drive is taken out of its target and put into another (the planner follows it by serial). */
    private String moveDrive(HistoryStep.MoveDrive m) {
        String serial = drive(m.drive());
        String to = fleet.get(m.target() % fleet.size()).id();
        if (to.equals(home.get(serial))) {
            return serial + " is in " + to + " already";
        }
        home.put(serial, to);
        return serial + " to " + to + ": " + inventory("agent: drive " + serial + " now in " + to, i -> {
            List<Target> out = new ArrayList<>();
            for (Target t : i.targets()) {
                List<Drive> drives = new ArrayList<>(t.drives().stream().filter(d -> !d.serial().equals(serial))
                        .toList());
                if (t.id().equals(to)) {
                    drives.add(driveNamed(serial));
                }
                out.add(t.withDrives(drives));
            }
            return new Inventory(out, i.clients());
        });
    }

    /** The drives that sit in target {@code id} now, failed ones still failed. */
    private List<Drive> drivesAt(String id) {
        return home.entrySet().stream().filter(e -> e.getValue().equals(id)).map(e -> driveNamed(e.getKey()))
                .toList();
    }

    private Drive driveNamed(String serial) {
        Drive d = fleet.stream().flatMap(t -> t.drives().stream()).filter(x -> x.serial().equals(serial))
                .findFirst().orElseThrow();
        return failed.contains(serial) ? d.withHealth(DriveHealth.FAILED) : d;
    }

    private String inventory(String message, UnaryOperator<Inventory> change) {
        StateWriter.Result r = agents.write(s -> {
            Inventory next = change.apply(s.inventory());
            return next.equals(s.inventory()) ? StateWriter.Proposal.keep()
                    : StateWriter.Proposal.write(s.withInventory(next), message, null);
        });
        return written(r);
    }

    // ---- agents acking layouts --------------------------------------------------------------------------------------

    /**
     * The reachable managed targets among {@code a.targets()} serve what the state {@code a.stale()} commits back
     * commands them (every segment of a volume not being deleted, on their online drives), and their owner records
     * it as {@code ServedRecorder} does: only a layout that changed or comes from a newer state generation.
     */
    private String ack(HistoryStep.Ack a) {
        List<String> chain = store.firstParents(StateStore.STATE_REF, store.resolve(StateStore.STATE_REF), "");
        String fromCommit = chain.get(Math.max(0, chain.size() - 1 - a.stale()));
        RecordedState from = StateFiles.decodeStrict(store.read(StateStore.STATE_REF, fromCommit));
        RecordedState now = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        List<ServedLayout> layouts = new ArrayList<>();
        for (int i = 0; i < fleet.size(); i++) {
            if ((a.targets() & (1 << i)) == 0) {
                continue;
            }
            String id = fleet.get(i).id();
            Optional<Target> t = now.inventory().targets().stream().filter(x -> x.id().equals(id)).findFirst();
            if (t.isEmpty() || !t.get().managed() || t.get().health() != TargetHealth.HEALTHY) {
                continue;
            }
            Set<String> serials = new TreeSet<>();
            t.get().drives().stream().filter(d -> d.health().online()).forEach(d -> serials.add(d.serial()));
            List<ServedExtent> layout = new ArrayList<>();
            for (VolumeRecord r : from.volumes().values()) {
                if (r.status() != VolumeStatus.DELETING && r.allocation().isPresent()) {
                    ServedExtent.of(r.allocation().get()).stream().filter(e -> serials.contains(e.serial()))
                            .forEach(layout::add);
                }
            }
            layouts.add(new ServedLayout(id, "history", ++seq, from.commitId(), layout, from.generation()));
        }
        if (layouts.isEmpty()) {
            return "no reachable managed target";
        }
        StateWriter.Result r = acks.writeFiles(StateFiles.SERVED, snapshot -> {
            Changes.Builder b = Changes.builder();
            int written = 0;
            for (ServedLayout l : layouts) {
                String path = StateFiles.servedPath(l.target());
                Optional<ServedLayout> before = snapshot.file(path).map(StateFiles::decodeServed);
                if (before.isEmpty() || !before.get().servesSame(l)
                        || before.get().stateGeneration() < l.stateGeneration()) {
                    b.put(path, StateFiles.encodeServed(l));
                    written++;
                }
            }
            return written == 0 ? Decision.noChange() : Decision.commit(b.build(), written + " layout(s) acked");
        });
        return layouts.stream().map(ServedLayout::target).toList() + " from generation " + from.generation() + ": "
                + written(r);
    }

    // ---- reconcilers ------------------------------------------------------------------------------------------------

    private String pass(HistoryStep.Pass p) {
        Seat seat = seats.get(p.reconciler() % seats.size());
        if (p.race() != null) {
            seat.store().arm(p.race().when(), () -> {
                depth++;
                try {
                    p.race().interlopers().forEach(this::run);
                } finally {
                    depth--;
                }
            });
        }
        try {
            ReconcileReport r = seat.reconciler().reconcileOnce();
            return seat.name() + ": " + r.outcome().name().toLowerCase(Locale.ROOT) + " " + r.message()
                    + (r.retries() > 0 ? " (" + r.retries() + " retries)" : "") + at();
        } catch (GitOpsRefusal e) {
            refusals.add(p + ": " + e.getMessage());
            return seat.name() + ": REFUSED " + e.getMessage();
        } catch (RuntimeException e) {
            refusals.add(p + ": threw " + e);
            return seat.name() + ": THREW " + e;
        } finally {
            seat.store().disarm();
        }
    }

    private String written(StateWriter.Result r) {
        switch (r.kind()) {
            case RECORDED:
                return "recorded" + at();
            case UNCHANGED:
                return "unchanged";
            default:
                refusals.add(r.kind() + ": " + r.reason());
                return r.kind() + " " + r.reason();
        }
    }

    private String at() {
        long generation = store.read(StateStore.STATE_REF).file(StateFiles.STATE).map(StateFiles::decodeGeneration)
                .orElse(0L);
        return ", state " + tip(StateStore.STATE_REF) + " generation " + generation;
    }

    private String tip(String ref) {
        return CommitIds.shortId(store.resolve(ref));
    }

    /** The index under which a step names this drive now (see {@link #drive}). */
    int driveIndex(String serial) {
        for (int i = 0; i < fleet.size() * 2; i++) {
            if (drive(i).equals(serial)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no drive " + serial);
    }

    /**
     * Drive {@code #index} counts the drives that hold space of some volume at the state's tip (so that a failure or
     * an evacuation has something to move), or every drive of the fleet while none does.
     */
    private String drive(int index) {
        Set<String> used = new TreeSet<>();
        RecordedState s = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        s.heldExtents().forEach(e -> used.add(e.serial()));
        List<String> pick = new ArrayList<>(used);
        if (pick.isEmpty()) {
            fleet.forEach(t -> t.drives().forEach(d -> pick.add(d.serial())));
        }
        return pick.get(Math.floorMod(index, pick.size()));
    }

    @Override
    public void close() {
        store.close();
        other.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
