package io.nvmesh.service.feed;

import io.nvmesh.api.DesiredCommitJson;
import io.nvmesh.api.StateCommitJson;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Subscription;
import io.nvmesh.api.PassResult;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Tells every instance of each state commit at once. After this instance commits (a reconcile pass, an inventory
 * batch, served layouts) it publishes a {@code state} event ({@code {"stateCommit"}}) on {@code cluster}; every
 * instance with a reconcile loop subscribes to {@code cluster} and, for such an event from another instance naming a
 * commit it has not observed, has its loop observe the state ref's tip now ({@link ReconcileLoop#refreshCommands})
 * instead of at its next poll. That keeps the instances' views, and so their ownership of nodes (the recorded
 * targets and clients are ownership keys) and their counters, within milliseconds of each other; the poll stays as
 * the backstop for a lost event. Refreshes asked for while one is queued collapse into one.
 *
 * <p>It also tells consumers when this instance refuses a desired commit (its manifests are invalid, or its signature
 * is missing or not trusted): a {@code desired} event on {@code cluster}, {@code {"desiredCommit","outcome":"invalid",
 * "reason"}}, once per refused commit and reason, and {@code outcome: "accepted"} at the first pass that reconciles a
 * desired commit again after a refusal. Nothing of a refused commit is applied; the event only makes the refusal
 * visible (as {@code status} and the pass metrics do) without polling.
 */
final class StateEvents implements AutoCloseable {

    static final String TOPIC = "cluster";
    static final String TYPE = "state";
    static final String DESIRED = "desired";

    private static final System.Logger LOG = System.getLogger(StateEvents.class.getName());

    private final String self;
    private final EventHub events;
    private final ReconcileLoop loop;
    /** Null only while subscribing (the hub may call {@link #drain} from inside subscribe). */
    private volatile Subscription subscription;
    /** The last refusal announced ({@code commit + "\n" + reason}), empty when the last pass accepted its commit. */
    private String refused = "";

    StateEvents(String self, EventHub events, ReconcileLoop loop) {
        this.self = self;
        this.events = events;
        this.loop = loop;
        loop.addCommitListener(this::committed);
        loop.addPassListener(this::passed);
        this.subscription = events.subscribe(Set.of(TOPIC), Map.of(), Duration.ofDays(1), this::drain);
    }

    private void committed(String stateCommit) {
        try {
            events.publish(TOPIC, TYPE, new StateCommitJson(stateCommit));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": cannot announce state commit " + stateCommit + ": "
                    + e);
        }
    }

    /** Synchronized: a pass may be run by the loop's thread or by a caller of {@code runOnce}. */
    private synchronized void passed(PassResult pass) {
        String announced = refused;
        DesiredCommitJson payload;
        if (pass.outcome().equals("invalid")) {
            String key = pass.desiredCommit() + "\n" + pass.message();
            if (key.equals(announced)) {
                return;
            }
            refused = key;
            payload = new DesiredCommitJson(pass.desiredCommit(), "invalid", pass.message());
        } else if (!announced.isEmpty() && (pass.outcome().equals("recorded") || pass.outcome().equals("unchanged"))) {
            refused = "";
            payload = new DesiredCommitJson(pass.desiredCommit(), "accepted", "");
        } else {
            return;
        }
        try {
            events.publish(TOPIC, DESIRED, payload);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": cannot announce desired commit "
                    + pass.desiredCommit() + ": " + e);
        }
    }

    /** Called by the hub outside its lock; must not block: takes what is queued and at most asks for a refresh. */
    private void drain() {
        Subscription s = subscription;
        if (s == null) {
            return;
        }
        boolean refresh = PeerNews.drain(s, self, TYPE, p -> p.get("stateCommit") instanceof String c
                && !c.isEmpty() && !c.equals(loop.observedCommit()));
        if (refresh) {
            loop.refreshCommands();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
