package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.List;
import java.util.Map;

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
}
