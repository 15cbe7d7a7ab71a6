package io.nvmesh.service.host;

import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One host's agent process: the inventory polled every interval, and a {@link NodeAgent} per role (target, client)
 * on a shared {@link AgentRuntime}, each speaking for a {@link HostNode}. The connection, hello, redirects, reports,
 * commands and acks are the protocol's own agent's; this class only plugs the host in. Closing it stops the agents
 * with a goodbye and leaves the data path exactly as it is.
 */
final class HostAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());

    private final HostInventory inventory;
    private final HostExecutor executor;
    private final Map<NodeKind, HostNode> nodes;
    private final Map<NodeKind, NodeAgent> agents = new LinkedHashMap<>();
    private final ScheduledExecutorService poller;
    private final ExecutorService worker;

    private HostAgent(HostInventory inventory, HostExecutor executor, Map<NodeKind, HostNode> nodes,
                      ScheduledExecutorService poller, ExecutorService worker) {
        this.inventory = inventory;
        this.executor = executor;
        this.nodes = nodes;
        this.poller = poller;
        this.worker = worker;
    }

    /**
     * The host's nodes, its inventory read once, nothing dialled yet.
     *
     * @param dryRun null to apply commands; else what receives each command's plan instead (the command is refused)
     */
    static HostAgent prepare(HostAgentConfig config, CommandRunner runner, Configfs configfs,
                             HostNode.PlanSink dryRun) {
        HostRoots roots = config.roots();
        SysfsInventory sysfs = new SysfsInventory(roots.sys(), config.blockDevices());
        HostInventory inventory = new HostInventory(sysfs, runner, roots.dev(), config.smartLog());
        inventory.refresh();
        HostExecutor executor = new HostExecutor(configfs, runner, config.deviceWait());
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> daemon(r, "nvmesh-host-worker"));
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
                "nvmesh-host-poll"));
        Map<NodeKind, HostNode> nodes = new LinkedHashMap<>();
        if (config.target()) {
            TargetBackend target = new TargetBackend(config.nodeId(), configfs, runner, roots.dev(), config.port());
            nodes.put(NodeKind.TARGET, new HostNode(NodeKind.TARGET, config.labels(), inventory, target, null,
                    executor, worker, dryRun));
        }
        if (config.client()) {
            ClientBackend client = new ClientBackend(roots.dev(), roots.etc().resolve("nvme/hostnqn"),
                    config.targets(), config.defaultPort(), sysfs);
            nodes.put(NodeKind.CLIENT, new HostNode(NodeKind.CLIENT, config.labels(), inventory, null, client,
                    executor, worker, dryRun));
        }
        return new HostAgent(inventory, executor, nodes, poller, worker);
    }

    /** Dials the reconcilers with every role's agent and starts polling the host. */
    HostAgent connect(HostAgentConfig config, String token, AgentRuntime runtime) {
        long seed = config.nodeId().hashCode();
        nodes.forEach((kind, node) -> {
            NodeAgent agent = NodeAgent.create(runtime, AgentSettings.of(config.nodeId(), kind, config.connect(),
                    token, seed), node);
            agents.put(kind, agent);
            agent.start();
        });
        long every = config.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reads the host again now; reports at once when a drive came, went or changed health. */
    void poll() {
        HostNode client = nodes.get(NodeKind.CLIENT);
        if (client != null) {
            client.retryFailed();
        }
        try {
            if (inventory.refresh()) {
                NodeAgent target = agents.get(NodeKind.TARGET);
                if (target != null) {
                    target.reportNow();
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reading the host's drives failed", e);
        }
    }

    HostNode node(NodeKind kind) {
        return nodes.get(kind);
    }

    List<HostDrive> drives() {
        return inventory.current();
    }

    /** Every op performed on this host since it started. */
    List<HostOp> history() {
        return executor.history();
    }

    Map<NodeKind, AgentStatus> statuses() {
        Map<NodeKind, AgentStatus> out = new LinkedHashMap<>();
        agents.forEach((k, a) -> out.put(k, a.status()));
        return out;
    }

    List<NodeKind> roles() {
        return new ArrayList<>(nodes.keySet());
    }

    @Override
    public void close() {
        poller.shutdownNow();
        agents.values().forEach(NodeAgent::stop);
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS); // a command being applied finishes; none starts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
