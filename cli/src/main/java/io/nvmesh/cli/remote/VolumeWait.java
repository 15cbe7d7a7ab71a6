package io.nvmesh.cli.remote;

import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.ReconcileResultsJson;
import io.nvmesh.api.VolumeJson;
import io.nvmesh.core.record.VolumeRecord;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Follows the volumes of one desired commit until each reached its verdict: {@code apply --wait}. It polls
 * {@code GET /v1/volumes/{name}} every {@link #POLL} and also listens to {@code volume/<name>} events, which only make
 * it look sooner: a missed event, or an instance that publishes none, still converges by polling.
 *
 * <p>A recorded status is believed only once the volume's owner reports a reconcile pass of this commit
 * ({@code GET /v1/reconcile/results} on the owner, read before the volume), so a record left from before the commit
 * is never taken for its outcome. Then: online is success; pending with a reason, blocked and failed (its data is
 * lost until a person accepts the loss) are failures with that reason, except a pending reason that says the volume is
 * waiting its turn ({@link VolumeRecord#WAITING}); initializing and rebuilding (a target has not acked serving a
 * segment yet) and degraded (the reconcilers rebuild it, or it waits for a missing drive) keep waiting. A removed volume
 * succeeds when it is no longer recorded; while its targets still serve it it is {@code deleting}, which keeps waiting.
 */
public final class VolumeWait {

    /** How often every followed volume is read, events or not. */
    public static final Duration POLL = Duration.ofSeconds(2);

    /** Where a volume stands. */
    public enum Verdict { WAITING, ONLINE, DELETED, FAILED }

    /**
     * One volume as last read.
     *
     * @param status the recorded status, or {@code not recorded yet}
     * @param seen   whether its owner has reconciled the commit
     */
    public record State(String name, boolean removal, String status, String reason, boolean seen, Verdict verdict) {

        /**
         * {@code pending: no room on 3 racks}, {@code online}, {@code online (extending): 8 new segment(s) ...},
         * {@code degraded (its owner has not reconciled this commit yet)}.
         */
        public String describe() {
            String s = verdict == Verdict.DELETED ? "deleted" : StatusWords.describe(status, reason);
            if (!seen && verdict == Verdict.WAITING && !status.equals(NOT_RECORDED)) {
                s += " (its owner has not reconciled this commit yet)";
            }
            return s;
        }

        public boolean settled() {
            return verdict != Verdict.WAITING;
        }
    }

    /** What the command shows while it waits. Called on the waiting thread. */
    public interface Progress {
        /** A volume's state changed (also called once for each volume's first reading). */
        void changed(State state);

        /** After every round, with every volume's state. */
        void round(List<State> all);

        /** A line about the wait itself (triggering, events). */
        void note(String line);
    }

    static final String NOT_RECORDED = "not recorded yet";

    private final ServerClient client;
    private final String commit;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final Progress progress;
    private final Semaphore wake = new Semaphore(0);
    private final Map<String, URI> members = new HashMap<>();

    /**
     * @param commit  the desired commit whose outcome is awaited
     * @param changed volumes that must end online
     * @param removed volumes that must end deleted
     */
    public VolumeWait(ServerClient client, String commit, List<String> changed, List<String> removed,
                      Progress progress) {
        this.client = Objects.requireNonNull(client);
        this.commit = Objects.requireNonNull(commit);
        this.progress = Objects.requireNonNull(progress);
        changed.forEach(v -> states.put(v, new State(v, false, NOT_RECORDED, "", false, Verdict.WAITING)));
        removed.forEach(v -> states.put(v, new State(v, true, "recorded", "", false, Verdict.WAITING)));
    }

    /** Waits until every volume settled or {@code timeout} passed; returns the last states. */
    public List<State> run(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        readMembers();
        trigger();
        List<String> topics = states.keySet().stream().map(v -> "volume/" + v).toList();
        try (EventFollower events = EventFollower.start(List.of(client.address()), topics, null,
                new EventFollower.Listener() {
                    @Override
                    public void item(EventFollower.Item item) {
                        wake.release();
                    }
                })) {
            events.done().whenComplete((v, failure) -> {
                if (failure != null) {
                    Throwable cause = failure.getCause() != null && !(failure instanceof ServerException)
                            ? failure.getCause() : failure;
                    progress.note("events unavailable (" + cause.getMessage() + "); polling every "
                            + POLL.toSeconds() + " s");
                }
            });
            while (true) {
                round();
                List<State> all = List.copyOf(states.values());
                progress.round(all);
                if (all.stream().allMatch(State::settled)) {
                    return all;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return all;
                }
                // An event wakes the loop early; several events in a burst make one round.
                if (wake.tryAcquire(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                    wake.drainPermits();
                }
            }
        }
    }

    /** Asks every live instance for a pass now (the Git hook) instead of waiting for its poll. */
    private void trigger() {
        int refused = 0;
        for (URI url : members.values()) {
            try {
                new ServerClient(client.address().at(url)).post("/v1/hooks/git");
            } catch (ServerException e) {
                if (e.getMessage().startsWith("the server refused the token")) {
                    refused++;
                }
            }
        }
        if (refused > 0) {
            progress.note("the token may not trigger a reconcile pass (an admin token can); waiting for the "
                    + "reconcilers' poll");
        }
    }

    private void readMembers() {
        ClusterJson cluster = client.get("/v1/cluster", ClusterJson.class);
        members.clear();
        for (ClusterJson.MemberJson m : cluster.members()) {
            if (m.alive()) {
                members.put(m.id(), m.self() ? client.address().server() : URI.create(m.url()));
            }
        }
    }

    /** One reading of every unsettled volume; each owner's results are read once per round. */
    private void round() {
        try {
            readMembers();
        } catch (ServerException e) {
            progress.note(e.getMessage());
            return;
        }
        Map<String, Boolean> reconciled = new HashMap<>();
        for (State s : new ArrayList<>(states.values())) {
            if (s.settled()) {
                continue;
            }
            State now;
            try {
                now = read(s, reconciled);
            } catch (ServerException e) {
                progress.note(e.getMessage() + "; trying again in " + POLL.toSeconds() + " s");
                return;
            }
            if (!now.equals(s)) {
                states.put(s.name(), now);
                progress.changed(now);
            }
        }
    }

    private boolean hasReconciled(String owner) {
        URI url = members.get(owner);
        if (url == null) {
            return false;
        }
        try {
            ReconcileResultsJson results = new ServerClient(client.address().at(url)).get("/v1/reconcile/results",
                    ReconcileResultsJson.class);
            return results.results().stream().anyMatch(r -> commit.equals(r.desiredCommit())
                    && List.of("recorded", "unchanged").contains(r.outcome()));
        } catch (ServerException e) {
            return false;
        }
    }

    /**
     * Reads a volume. Its status counts only when its owner's results, read before the volume, show a pass of this
     * commit: when the owner's results were not read yet this round, they are read and the volume read again.
     */
    private State read(State before, Map<String, Boolean> reconciled) {
        String name = before.name();
        VolumeJson v = volume(name);
        if (v == null) {
            return before.removal() ? new State(name, true, "deleted", "", true, Verdict.DELETED)
                    : new State(name, false, NOT_RECORDED, "", false, Verdict.WAITING);
        }
        String owner = v.owner();
        if (!reconciled.containsKey(owner)) {
            reconciled.put(owner, hasReconciled(owner));
            if (reconciled.get(owner)) {
                return read(before, reconciled);
            }
        }
        boolean seen = reconciled.get(owner);
        String status = v.status();
        String reason = v.reason();
        return new State(name, before.removal(), status, reason, seen, verdict(status, reason, seen,
                before.removal()));
    }

    /**
     * The verdict on a recorded volume: none until its owner reconciled the commit ({@code seen}); then blocked, failed
     * (its data is lost) and pending with a reason that is not a wait for its turn are failures, online is success
     * unless the volume is being removed, and everything else keeps waiting.
     */
    static Verdict verdict(String status, String reason, boolean seen, boolean removal) {
        if (!seen) {
            return Verdict.WAITING;
        }
        if (status.equals("blocked") || status.equals("failed") || (status.equals("pending") && !reason.isEmpty()
                && !reason.startsWith(VolumeRecord.WAITING))) {
            return Verdict.FAILED;
        }
        return status.equals("online") && !removal ? Verdict.ONLINE : Verdict.WAITING;
    }

    /** The volume as recorded, or null when it is not. */
    private VolumeJson volume(String name) {
        try {
            return client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8), VolumeJson.class);
        } catch (ServerException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }
}
