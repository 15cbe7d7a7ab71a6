package io.nvmesh.service.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.schema.Volume;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.cluster.OwnershipTable;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives ownership the keys of what the loop observed: every desired or recorded volume (a recorded one no longer
 * desired, e.g. blocked, still has an owner), and every recorded target and client. A key space is set again only
 * when it changed. Confined to the loop thread.
 */
final class OwnershipKeys {

    private final OwnershipTable ownership;
    private Set<String> volumeKeys = Set.of();
    private Set<String> targetKeys = Set.of();
    private Set<String> clientKeys = Set.of();

    OwnershipKeys(OwnershipTable ownership) {
        this.ownership = ownership;
    }

    void follow(RecordedState observed, List<Volume> desired) {
        Set<String> volumes = new HashSet<>();
        desired.forEach(v -> volumes.add("volume/" + v.name()));
        observed.volumes().keySet().forEach(v -> volumes.add("volume/" + v));
        if (!volumes.equals(volumeKeys)) {
            volumeKeys = Set.copyOf(volumes);
            ownership.setSpace("volume", volumes);
        }
        Set<String> targets = new HashSet<>();
        observed.inventory().targets().forEach(t -> targets.add(NodeKind.TARGET.key(t.id())));
        if (!targets.equals(targetKeys)) {
            targetKeys = Set.copyOf(targets);
            ownership.setSpace(NodeKind.TARGET.keySpace(), targets);
        }
        Set<String> clients = new HashSet<>();
        observed.inventory().clients().forEach(c -> clients.add(NodeKind.CLIENT.key(c.id())));
        if (!clients.equals(clientKeys)) {
            clientKeys = Set.copyOf(clients);
            ownership.setSpace(NodeKind.CLIENT.keySpace(), clients);
        }
    }
}
