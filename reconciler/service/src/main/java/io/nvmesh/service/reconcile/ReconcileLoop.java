package io.nvmesh.service.reconcile;

import io.nvmesh.api.PassResult;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.reconcile.ReconcileReport;
import io.nvmesh.core.reconcile.Reconciler;
import io.nvmesh.core.reconcile.StateWriter;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;
import io.nvmesh.core.state.UpdateResult;
import io.nvmesh.schema.Volume;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.InventoryChanges;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Watches the desired branch and reconciles the volumes this instance owns, on one thread of its own. A pass runs
 * every poll interval, at once on {@link #trigger} (the Git hook), after an ownership change and after an inventory
 * batch was recorded. Ownership only spreads the work: every commit is a compare-and-swap on the state ref, so two
 * instances that briefly both think they own a volume cost a retry, never a double allocation.
 *
 * <p>The loop schedules passes and refreshes, observes the state and tells its listeners; {@link OwnershipKeys} gives
 * ownership the keys of what it observed, {@link NodePush} sends the connected agents their commands, {@link
 * ServedRecorder} records what they acked, {@link RepositoryMaintenance} packs the repository.
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReconcileLoop.class.getName());

    /** How often the state's tip is read whole past the caches, to notice an object damaged on disk. */
    static final Duration VERIFY_EVERY = Duration.ofMinutes(2);

    /** Results kept for {@code GET /v1/reconcile/results}. */
    public static final int KEPT_RESULTS = 50;

    private final String self;
    private final StateStore store;
    private final Reconciler reconciler;
    private final OwnershipTable ownership;
    private final AgentHub agents;
    private final Author author;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final Deque<PassResult> results = new ArrayDeque<>();
    private final List<Consumer<PassResult>> passListeners = new CopyOnWriteArrayList<>();
    /** Confined to the loop thread: the keys last given to ownership. */
    private final OwnershipKeys keys;
    /** Confined to the loop thread, but for the commit the last push followed from: what was sent to the agents. */
    private final NodePush push;
    /** Confined to the loop thread: the recorded state last observed and the desired state it was observed with. */
    private RecordedState observed = RecordedState.empty();
    private volatile String observedCommit = "";
    /** The last state {@link #recorded} decoded, shared by request threads. */
    private volatile RecordedState lastRead = RecordedState.empty();
    private DesiredState observedDesired = DesiredState.of(List.of(), List.of());
    private final List<StateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final InventorySettle settle = new InventorySettle(InventorySettle.DEFAULT, System::nanoTime);
    private final List<Consumer<List<CommandChange>>> commandListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicLong refreshes = new AtomicLong();
    /** Confined to the loop thread: the desired volumes of the last pass or refresh. */
    private List<Volume> lastDesired = List.of();
    private final ServedRecorder served;
    private final List<java.util.function.BiConsumer<String, Set<String>>> servedListeners =
            new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> commitListeners = new CopyOnWriteArrayList<>();
    private final RepositoryMaintenance maintenance;
    private volatile boolean closed;

    private ReconcileLoop(String self, StateStore store, String branch, OwnershipTable ownership, AgentHub agents,
                          Clock clock, Duration packInterval, boolean sharedRepository) {
        this.self = self;
        this.store = store;
        this.ownership = ownership;
        this.agents = agents;
        this.author = new Author("nvmesh reconciler " + self, self + "@reconciler.nvmesh");
        this.reconciler = new Reconciler(store, branch, this::owns, author);
        this.reconciler.holdMaxVolumes(settle::hold);
        this.clock = clock;
        this.thread = daemonThread("nvmesh-reconcile-" + self);
        this.served = new ServedRecorder(self, reconciler.writer(), ownership, thread, (commit, volumes) -> {
            trigger();
            servedListeners.forEach(l -> l.accept(commit, volumes));
            committed(commit);
        });
        this.keys = new OwnershipKeys(ownership);
        this.push = new NodePush(agents, served, clock::millis);
        this.maintenance = new RepositoryMaintenance(self, store, packInterval, sharedRepository
                ? () -> ownership.current().ring().preferredOwner(RepositoryMaintenance.MAINTENANCE_KEY)
                : () -> self, System::nanoTime);
    }

    /** One daemon thread of our own for timed and queued work. */
    private static ScheduledExecutorService daemonThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the configured repository ({@code git.remote}: a path is a local bare repository, created if missing; a
     * URL is mirrored under {@code dataDir/git-mirror}) and starts polling.
     */
    public static ReconcileLoop start(InstanceConfig config, OwnershipTable ownership, AgentHub agents) {
        StoreOptions options = config.gitSsh().map(StoreOptions.forWriter(config.id())::withSsh)
                .orElse(StoreOptions.forWriter(config.id()));
        String remote = config.gitRemote();
        boolean url = remote.contains("://") || remote.contains("@");
        StateStore store = url ? StateStore.remote(remote, config.dataDir().resolve("git-mirror"), options)
                : StateStore.openOrCreate(Path.of(remote), options);
        ReconcileLoop loop = new ReconcileLoop(config.id(), store, config.gitBranch(), ownership, agents,
                Clock.systemUTC(), config.packInterval(), !url);
        if (config.trustedKeys().isPresent() || config.allowedSigners().isPresent()) {
            io.nvmesh.core.signature.TrustedKeys keys = config.trustedKeys()
                    .map(io.nvmesh.core.signature.TrustedKeys::read).orElse(io.nvmesh.core.signature.TrustedKeys.none())
                    .and(config.allowedSigners().map(io.nvmesh.core.signature.TrustedKeys::readAllowedSigners)
                            .orElse(io.nvmesh.core.signature.TrustedKeys.none()));
            loop.reconciler.requireSignatures(io.nvmesh.core.signature.SignaturePolicy.required(keys));
        }
        agents.addInventoryListener(loop::inventoryChanged);
        agents.addAckListener((kind, node, command, ok, message) -> {
            if (kind == NodeKind.TARGET && ok) {
                loop.served.acked(node, command);
            }
        });
        ownership.addListener(own -> loop.trigger());
        long poll = config.gitPollInterval().toMillis();
        loop.thread.scheduleWithFixedDelay(loop::pass, 0, poll, TimeUnit.MILLISECONDS);
        loop.thread.scheduleWithFixedDelay(loop::verifyState, VERIFY_EVERY.toMillis(), VERIFY_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return loop;
    }

    /** Asks for a pass as soon as the loop is free; several asks before it starts make one pass. */
    public void trigger() {
        if (closed || !passQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(this::pass);
        } catch (RejectedExecutionException e) {
            passQueued.set(false);
        }
    }

    /** Hears every scheduled pack of the repository this instance ran, on the pack thread; must be quick. */
    public void addPackListener(Consumer<PackRun> listener) {
        maintenance.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Hears every pass's result (repeats included) on the loop thread, after it is kept; must be quick. */
    public void addPassListener(Consumer<PassResult> listener) {
        passListeners.add(listener);
    }

    /**
     * Hears, on the loop thread, the nodes whose command changed with a state commit this instance made (a reconcile
     * pass or an inventory batch), each with its whole new command; must be quick. The node's owner is told through
     * events and calls {@link #commandsAnnounced} there.
     */
    public void addCommandListener(Consumer<List<CommandChange>> listener) {
        commandListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Another instance committed {@code stateCommit}, which changes the command of a node whose agent may be connected
     * here: bring the agents connected here up to the state ref's tip now rather than at the next poll. Level-
     * triggered: the refresh reads the tip and pushes what follows from it, so an announcement that arrives late or
     * out of order can cause at most a push of the newest state, never of the state it names. Nothing is done for
     * the commit the last push already followed from.
     */
    public void commandsAnnounced(String stateCommit) {
        if (!stateCommit.equals(push.pushedCommit())) {
            refreshCommands();
        }
    }

    /**
     * Pushes the agents connected here what follows from the state ref's tip and the desired branch's tip, on the
     * loop thread, without a reconcile pass (a node that just connected gets its command from the recorded state).
     * Several asks before it runs make one refresh.
     */
    public void refreshCommands() {
        if (closed || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(this::refresh);
        } catch (RejectedExecutionException e) {
            refreshQueued.set(false);
        }
    }

    /** Refreshes of the node commands done so far (announcements and hellos; passes not counted). */
    public long commandRefreshes() {
        return refreshes.get();
    }

    /**
     * Hears, on the loop thread, each commit of served layouts made here (targets owned here acked a layout): the state
     * commit and the volumes with a segment in a layout that changed. The owners of those volumes work out their
     * status at their next pass; telling them sooner is the listener's job. Must be quick.
     */
    public void addServedListener(java.util.function.BiConsumer<String, Set<String>> listener) {
        servedListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Hears, on the loop thread, every state commit this instance made (a reconcile pass, an inventory batch, served
     * layouts), so that other instances can be told at once rather than at their next poll. Must be quick.
     */
    public void addCommitListener(Consumer<String> listener) {
        commitListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void committed(String stateCommit) {
        for (Consumer<String> l : commitListeners) {
            try {
                l.accept(stateCommit);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, self + ": a commit listener failed", e);
            }
        }
    }

    /**
     * Why this instance may not write recorded state now ({@code ""}: it may): the state ref is missing although a
     * state existed, unreadable, replaced, or an object it needs is damaged. Any thread.
     */
    public String stateUnavailable() {
        return reconciler.writer().unavailable();
    }

    /** Hears every change of {@link #stateUnavailable()}, on the thread that noticed it; must be quick. */
    public void addStateHealthListener(Consumer<String> listener) {
        reconciler.writer().addHealthListener(listener);
    }

    /** The state commit this loop last observed ({@code ""} before the first). Any thread. */
    public String observedCommit() {
        return observedCommit;
    }

    /** The latest pass results, newest first. */
    public List<PassResult> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    /**
     * The recorded state at the state ref's tip. Blocks on Git: call it from a work executor. Decoded once per state
     * commit: the REST reads, the dashboard and {@code status} ask for it on every request, and at 10,000 volumes
     * decoding costs far more than resolving the ref (a {@code RecordedState} is immutable, so it is shared).
     */
    public RecordedState recorded() {
        Snapshot tip = store.read(StateStore.STATE_REF);
        RecordedState last = lastRead;
        if (!tip.commitId().isEmpty() && tip.commitId().equals(last.commitId())) {
            return last;
        }
        RecordedState state = StateFiles.decode(tip).state();
        lastRead = state;
        return state;
    }

    /**
     * The desired state at the desired branch's tip, empty while the branch is missing or its manifests are invalid.
     * Blocks on Git: call it from a work executor. Validated once per desired commit (shared with the passes).
     */
    public Optional<DesiredState> desired() {
        return reconciler.desiredState();
    }

    /**
     * Hears every recorded state this instance observes (its own commits at once, others' at the next pass), in
     * commit order, on the loop thread; must be quick or hand off.
     */
    public void addStateListener(StateListener listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
        try {
            // A listener added after the first pass still hears the state observed so far.
            thread.execute(() -> {
                if (!observed.commitId().isEmpty()) {
                    listener.observed(observed, observedDesired);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** A recorded state observed by the loop. */
    @FunctionalInterface
    public interface StateListener {

        /**
         * @param state   the recorded state at a state commit, newer than the previous one told
         * @param desired the last valid desired state (empty before there is one)
         */
        void observed(RecordedState state, DesiredState desired);
    }

    /** The instance that places a volume, as this instance sees the cluster now. */
    public String ownerOf(String volume) {
        return ownership.current().ownerOrPreferred("volume/" + volume);
    }

    /** Whether this instance places the volume now. */
    boolean owns(String volume) {
        return self.equals(ownership.current().ownerOrPreferred("volume/" + volume));
    }

    private void inventoryChanged(InventoryChanges batch) {
        try {
            thread.execute(() -> recordInventory(batch));
        } catch (RejectedExecutionException e) {
            // closing; the nodes' next owner records them again
        }
    }

    /** One compare-and-swap commit per batch, re-applied to the newer state on a lost race. */
    private void recordInventory(InventoryChanges batch) {
        try {
            StateWriter.Result r = reconciler.writer().write(recorded -> StateWriter.Proposal.write(
                    recorded.withInventory(InventoryDelta.apply(recorded.inventory(), batch.changes())),
                    "inventory from " + self + " batch " + batch.sequence() + ": " + batch.changes().size()
                            + " change(s)", null));
            if (r.recorded()) {
                RecordedState before = observed;
                observe(r.state(), lastDesired);
                announce(before, lastDesired);
                committed(r.commitId());
                trigger();
            } else if (r.kind() != StateWriter.Result.Kind.UNCHANGED) {
                LOG.log(System.Logger.Level.WARNING, () -> self + ": inventory batch " + batch.sequence()
                        + " not recorded: " + r.reason());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": inventory batch " + batch.sequence()
                    + " not recorded: " + e.getMessage());
        }
    }

    /** Reads the tip whole; a damaged object stops this instance's writes (the writer says why) until repaired. */
    private void verifyState() {
        if (closed) {
            return;
        }
        try {
            reconciler.writer().verify();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": " + e.getMessage());
        }
    }

    private void pass() {
        passQueued.set(false);
        if (closed) {
            return;
        }
        long start = System.nanoTime();
        try {
            Optional<DesiredState> valid = reconciler.desiredState();
            valid.ifPresent(d -> observedDesired = d);
            List<Volume> desired = valid.map(DesiredState::volumes).orElse(List.of());
            List<Volume> previousDesired = lastDesired;
            lastDesired = desired;
            observeTip(desired);
            int owned = (int) desired.stream().filter(v -> owns(v.name())).count();
            RecordedState before = observed;
            ReconcileReport report = reconciler.reconcileOnce();
            if (report.recorded() != null) {
                observe(report.recorded(), desired);
            } else {
                observe(report.stateCommit(), desired);
            }
            if (report.outcome() == ReconcileReport.Kind.RECORDED) {
                announce(before, previousDesired);
                committed(report.stateCommit());
            }
            int commands = push.push(observed, desired);
            keep(new PassResult(clock.instant().toString(), outcome(report.outcome()), report.desiredCommit(),
                    report.stateCommit(), owned, report.actions().size(), report.blocked(), report.retries(),
                    millisSince(start), commands, report.message()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": reconcile pass failed: " + e.getMessage());
            keep(new PassResult(clock.instant().toString(), "failed", "", "", 0, 0, List.of(), 0, millisSince(start), 0,
                    String.valueOf(e.getMessage())));
        }
        maintenance.afterPass();
    }

    /**
     * Observes the state ref's tip. A tip that cannot be read (a ref file holding garbage, a ref to a missing object, a
     * damaged object) fails here, before the writer has read anything; so the writer reads it too, and judges it:
     * otherwise {@code /readyz}, {@code nvmesh_state_writable} and the {@code state-unavailable} event would go on
     * saying the state is writable while every pass fails.
     */
    private void observeTip(List<Volume> desired) {
        try {
            observe(store.read(StateStore.STATE_REF).commitId(), desired);
        } catch (RuntimeException e) {
            reconciler.writer().read(); // throws, having marked the state unavailable, if the tip is unreadable
            throw e;
        }
    }

    /**
     * Reads the state commit if it is not the one last observed, tells the listeners, and gives ownership its keys:
     * every desired or recorded volume (a recorded one no longer desired, e.g. blocked, still has an owner), and every
     * recorded target and client, so that nodes too are shared with bounded loads (no instance above {@code (1 + ε)}
     * times the average of a key space). Every instance observes the same state commits (each commit is announced to
     * all, see {@code feed.StateEvents}), so all reach the same owners; a node not recorded yet goes to its preferred
     * instance, and an agent that arrives while instances disagree is redirected a few times, then backs off.
     */
    private void observe(String stateCommit, List<Volume> desired) {
        if (!stateCommit.isEmpty() && !stateCommit.equals(observed.commitId())) {
            observe(StateFiles.decode(store.read(StateStore.STATE_REF, stateCommit)).state(), desired);
        } else {
            observe(observed, desired);
        }
    }

    /** As {@link #observe(String, List)}, with the state already decoded (a commit this instance just made). */
    private void observe(RecordedState state, List<Volume> desired) {
        if (!state.commitId().isEmpty() && !state.commitId().equals(observed.commitId())) {
            observed = state;
            settle.observe(observed.inventory());
            observedCommit = state.commitId();
            for (StateListener l : stateListeners) {
                try {
                    l.observed(observed, observedDesired);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, self + ": a state listener failed", e);
                }
            }
        }
        keys.follow(observed, desired);
    }

    /** The loop's refresh: observe the tips, push; no reconcile pass. */
    private void refresh() {
        refreshQueued.set(false);
        if (closed) {
            return;
        }
        try {
            Optional<DesiredState> valid = reconciler.desiredState();
            valid.ifPresent(d -> observedDesired = d);
            List<Volume> desired = valid.map(DesiredState::volumes).orElse(List.of());
            lastDesired = desired;
            observeTip(desired);
            push.push(observed, desired);
            refreshes.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": refreshing node commands failed: " + e.getMessage());
        }
    }

    /**
     * Tells the command listeners which nodes' commands differ between {@code before} and the state just observed
     * (this instance's commit). The baseline is the commands last computed when they were computed from {@code
     * before} (so a change of the desired clients alone counts too), else {@code before} with the previous desired
     * volumes.
     */
    private void announce(RecordedState before, List<Volume> previousDesired) {
        if (commandListeners.isEmpty() || before.commitId().equals(observed.commitId())) {
            return;
        }
        NodeCommands was = push.computedFor(before.commitId()).orElseGet(() -> NodeCommands.of(before,
                previousDesired));
        List<CommandChange> changed = CommandChange.between(was, push.commandsOf(observed, lastDesired),
                observed.commitId());
        if (changed.isEmpty()) {
            return;
        }
        for (Consumer<List<CommandChange>> l : commandListeners) {
            try {
                l.accept(changed);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, self + ": a command listener failed", e);
            }
        }
    }

    private void keep(PassResult result) {
        synchronized (results) {
            PassResult last = results.peekFirst();
            // An idle loop would push every real change out of the window: a repeat of "nothing changed" replaces
            // the previous one.
            if (last != null && result.outcome().equals("unchanged") && last.outcome().equals("unchanged")
                    && last.desiredCommit().equals(result.desiredCommit())
                    && last.stateCommit().equals(result.stateCommit()) && result.commandsSent() == 0) {
                results.removeFirst();
            }
            results.addFirst(result);
            while (results.size() > KEPT_RESULTS) {
                results.removeLast();
            }
        }
        passListeners.forEach(l -> l.accept(result));
    }

    private static String outcome(ReconcileReport.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    /** Stops the loop; a pass in flight finishes its commit or loses its race, both safe. */
    @Override
    public void close() {
        closed = true;
        maintenance.close();
        // Not shutdownNow: an interrupt inside JGit closes its pack file channels under it.
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
