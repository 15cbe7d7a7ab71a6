package io.nvmesh.service.host;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.ManagedNode;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * This host as one managed node (its target or its client side): answers hello and reports from the inventory, and
 * turns each command into a plan that the executor performs on the host's single worker thread, so changes to the
 * data path never overlap. A command is the only thing that changes the data path: a lost connection changes
 * nothing here (the agent reconnects and the next command is planned against what the host has, which is what it
 * had). In a dry run the plan is handed to {@code dryRun} instead and the command is refused, so the owner records
 * nothing as served.
 */
final class HostNode implements ManagedNode {

    /** Where a dry run's plans go instead of the executor. */
    interface PlanSink {
        void planned(NodeKind kind, AgentMessage.Command command, List<HostOp> ops, Map<String, String> refused);
    }

    private static final System.Logger LOG = System.getLogger(HostNode.class.getName());

    private final NodeKind kind;
    private final Map<String, String> labels;
    private final HostInventory inventory;
    private final TargetBackend target;
    private final ClientBackend client;
    private final HostExecutor executor;
    private final Executor worker;
    private final PlanSink dryRun;
    /** A client's last command when applying it failed (a target not exporting yet): retried at each poll. */
    private volatile AgentMessage.Command retry;

    HostNode(NodeKind kind, Map<String, String> labels, HostInventory inventory, TargetBackend target,
             ClientBackend client, HostExecutor executor, Executor worker,
             PlanSink dryRun) {
        this.kind = kind;
        this.labels = Map.copyOf(labels);
        this.inventory = inventory;
        this.target = target;
        this.client = client;
        this.executor = executor;
        this.worker = worker;
        this.dryRun = dryRun;
    }

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public List<Drive> drives() {
        return kind == NodeKind.TARGET ? inventory.reported() : List.of();
    }

    @Override
    public TargetHealth health() {
        return TargetHealth.HEALTHY;
    }

    /** No counters yet: the Linux backend does not read I/O statistics (docs/agent.md). */
    @Override
    public Performance performance() {
        return Performance.IDLE;
    }

    @Override
    public CompletionStage<AgentMessage.Ack> applyLater(AgentMessage.Command command) {
        return CompletableFuture.supplyAsync(() -> apply(command), worker);
    }

    /**
     * Applies a client's last command again if it failed: a volume rebuilding on a new target is attached before
     * that target exports the segment, so the first connect may be refused. The owner sends no new command for the
     * same orders, so the host converges on its own; the ack already said what failed.
     */
    void retryFailed() {
        AgentMessage.Command c = retry;
        if (c != null && dryRun == null) {
            worker.execute(() -> {
                if (retry == c && apply(c).ok()) {
                    LOG.log(System.Logger.Level.INFO, () -> "client command " + c.seq() + " applied on retry");
                }
            });
        }
    }

    @Override
    public AgentMessage.Ack apply(AgentMessage.Command command) {
        try {
            return kind == NodeKind.TARGET ? applyTarget(command) : applyClient(command);
        } catch (IllegalArgumentException | IllegalStateException | HostExecutor.OpFailed e) {
            LOG.log(System.Logger.Level.WARNING, () -> kind.keySpace() + " command " + command.seq() + " refused: "
                    + e.getMessage());
            return AgentMessage.Ack.refused(command.seq(), e.getMessage());
        }
    }

    /** The plan for a command without performing it, and the volumes it refuses (a client's) with the reasons. */
    ClientBackend.Plan plan(AgentMessage.Command command) {
        return kind == NodeKind.TARGET ? new ClientBackend.Plan(planTarget(command), Map.of(), Map.of(),
                java.util.Set.of()) : client.plan(command.attachments());
    }

    private List<HostOp> planTarget(AgentMessage.Command command) {
        if (!command.attachments().isEmpty()) {
            throw new IllegalArgumentException("a target takes segments, not attachments");
        }
        return target.plan(command.segments(), inventory.current());
    }

    private AgentMessage.Ack applyTarget(AgentMessage.Command command) {
        List<HostOp> ops = planTarget(command);
        if (dryRun != null) {
            dryRun.planned(kind, command, ops, Map.of());
            return new AgentMessage.Ack(command.seq(), false, "dry run: nothing applied");
        }
        executor.perform(ops);
        return new AgentMessage.Ack(command.seq(), true, target.served(command.segments()));
    }

    private AgentMessage.Ack applyClient(AgentMessage.Command command) {
        if (!command.segments().isEmpty()) {
            throw new IllegalArgumentException("a client takes attachments, not segments");
        }
        ClientBackend.Plan plan = client.plan(command.attachments());
        if (dryRun != null) {
            dryRun.planned(kind, command, plan.ops(), plan.refused());
            return new AgentMessage.Ack(command.seq(), false, "dry run: nothing applied");
        }
        retry = command;
        executor.perform(plan.ops());
        client.applied(plan);
        if (retry == command) {
            retry = null;
        }
        int attached = command.attachments().size() - plan.refused().size();
        String message = "attached " + attached + " volume" + (attached == 1 ? "" : "s");
        if (!plan.refused().isEmpty()) {
            return AgentMessage.Ack.refused(command.seq(), message + "; " + String.join("; ",
                    plan.refused().values()));
        }
        return new AgentMessage.Ack(command.seq(), true, message);
    }
}
