package io.nvmesh.service.feed;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The publishers of one instance, wired to what they follow: the {@link StateFeed} (with a reconcile loop), the
 * {@link NodeEvents}, the {@link TotalsEvents}, the {@link CommandEvents}, the {@link ServedEvents} and the
 * {@link StateEvents}, and the event hub's snapshot hook.
 */
public final class Feeds implements AutoCloseable {

    private final Optional<StateFeed> state;
    private final NodeEvents nodes;
    private final TotalsEvents totals;
    private final Optional<CommandEvents> commands;
    private final Optional<ServedEvents> served;
    private final Optional<StateEvents> commits;

    private Feeds(Optional<StateFeed> state, NodeEvents nodes, TotalsEvents totals,
                  Optional<CommandEvents> commands, Optional<ServedEvents> served, Optional<StateEvents> commits) {
        this.served = served;
        this.commits = commits;
        this.state = state;
        this.commands = commands;
        this.nodes = nodes;
        this.totals = totals;
    }

    /**
     * Starts feeding. Without a reconcile loop there is no recorded state to follow: the counters then only mirror
     * their peers, and no {@code volume/} events are raised here.
     *
     * @param capacity the payload of {@code capacity} events
     * @param cluster  the payload of {@code cluster} events
     */
    public static Feeds start(Membership membership, OwnershipTable ownership, AgentHub agents, Counters counters,
                              EventHub events, Optional<ReconcileLoop> reconcile, Supplier<CapacityJson> capacity,
                              Supplier<ClusterJson> cluster) {
        String self = membership.selfId();
        Optional<StateFeed> state = reconcile.map(loop -> {
            StateFeed feed = new StateFeed(self, counters, events, ownership::current);
            loop.addStateListener(feed::observed);
            return feed;
        });
        NodeEvents nodes = new NodeEvents(self, events, agents, state.orElse(null));
        TotalsEvents totals = new TotalsEvents(self, events, counters, capacity, cluster);
        ownership.addListener(own -> totals.clusterChanged());
        membership.addListener((previous, current) -> totals.clusterChanged());
        Optional<CommandEvents> commands = reconcile.map(loop -> new CommandEvents(self, events, agents, loop));
        Optional<ServedEvents> served = reconcile.map(loop -> new ServedEvents(self, events, loop));
        Optional<StateEvents> commits = reconcile.map(loop -> new StateEvents(self, events, loop));
        Feeds feeds = new Feeds(state, nodes, totals, commands, served, commits);
        events.snapshotFrom(feeds::snapshot);
        return feeds;
    }

    /** The snapshot hook: the current payload of a topic where this instance knows it; null for wildcards. */
    Object snapshot(String topic) {
        if (topic.endsWith("/*")) {
            return null;
        }
        if (topic.equals("capacity") || topic.equals("cluster")) {
            return totals.current(topic);
        }
        if (topic.startsWith("volume/")) {
            return state.map(s -> s.volumeSnapshot(topic.substring("volume/".length()))).orElse(null);
        }
        return nodes.snapshot(topic);
    }

    /** The state feed, present with a reconcile loop. */
    public Optional<StateFeed> state() {
        return state;
    }

    /** Node commands through events, present with a reconcile loop. */
    public Optional<CommandEvents> commands() {
        return commands;
    }

    @Override
    public void close() {
        commands.ifPresent(CommandEvents::close);
        served.ifPresent(ServedEvents::close);
        commits.ifPresent(StateEvents::close);
        totals.close();
        nodes.close();
        state.ifPresent(StateFeed::close);
    }
}
