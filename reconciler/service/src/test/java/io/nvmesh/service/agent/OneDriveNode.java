package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.List;
import java.util.Map;

/** A healthy, idle target in zone-a with one 3.84 TB drive: for tests of an agent's connection, not of its node. */
public final class OneDriveNode implements ManagedNode {

    @Override
    public Map<String, String> labels() {
        return Map.of("zone", "zone-a");
    }

    @Override
    public List<Drive> drives() {
        return List.of(Drive.of("S6EUNS0W000001", 3_840_755_982_336L));
    }

    @Override
    public TargetHealth health() {
        return TargetHealth.HEALTHY;
    }

    @Override
    public Performance performance() {
        return Performance.IDLE;
    }
}
