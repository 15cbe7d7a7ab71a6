package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The machine an agent speaks for: read at every hello and report, so its answers are always the current state. A
 * real agent reads NVMe devices; the simulated fleet answers from memory. Methods are called on the agents' shared
 * threads and must be quick.
 */
public interface ManagedNode {

    Map<String, String> labels();

    /** A target's drives now; empty for a client. */
    List<Drive> drives();

    TargetHealth health();

    Performance performance();

    /** Applies a command from the owner and says whether it worked. */
    default AgentMessage.Ack apply(AgentMessage.Command command) {
        return new AgentMessage.Ack(command.seq(), true, "");
    }

    /**
     * Applies a command; the agent sends the ack when the stage completes. Setting up a layout may take a while (a
     * namespace to create, a segment to rebuild), and the owner counts a layout as served only once it is acked.
     */
    default CompletionStage<AgentMessage.Ack> applyLater(AgentMessage.Command command) {
        return CompletableFuture.completedFuture(apply(command));
    }
}
