package io.nvmesh.service.sim;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.ManagedNode;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** One simulated machine: its labels, drives and counters in memory, changed by fault injection. */
final class SimNode implements ManagedNode {

    final String id;
    final NodeKind kind;
    private final Map<String, String> labels;
    private final SplittableRandom random;
    // Guarded by this.
    private final List<Drive> drives;
    /** {@link #drives} as an immutable list, made again on every change: every report reads it. */
    private List<Drive> snapshot;
    private AgentMessage.Command lastCommand;
    private final AckGate acks;

    SimNode(String id, NodeKind kind, Map<String, String> labels, List<Drive> drives, long seed, AckGate acks) {
        this.acks = acks;
        this.id = id;
        this.kind = kind;
        this.labels = Map.copyOf(labels);
        this.drives = new ArrayList<>(drives);
        this.snapshot = List.copyOf(drives);
        this.random = new SplittableRandom(seed);
    }

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public synchronized List<Drive> drives() {
        return snapshot;
    }

    @Override
    public TargetHealth health() {
        return TargetHealth.HEALTHY;
    }

    /**
     * Plausible counters, drawn from this node's own seeded stream: a PCIe 4 data-centre drive does up to ~1M random
     * 4 KiB reads per second; a busy shared target averages far below that, with a p50 of ~100 µs and a long tail.
     */
    @Override
    public synchronized Performance performance() {
        int online = kind == NodeKind.CLIENT ? 1
                : (int) drives.stream().filter(d -> d.health().online()).count();
        long read = online * (long) (kind == NodeKind.CLIENT ? 5_000 + random.nextInt(60_000)
                : 20_000 + random.nextInt(180_000));
        long write = read * (20 + random.nextInt(50)) / 100;
        long p50 = 70 + random.nextInt(130);
        long p99 = p50 * (3 + random.nextInt(8));
        return new Performance(read, write, read * 16_384, write * 32_768, p50, p99);
    }

    @Override
    public synchronized AgentMessage.Ack apply(AgentMessage.Command command) {
        // As a real agent would: a layout naming a drive this machine does not hold cannot be served (e.g. the drive
        // was just moved and the recorded inventory has not caught up). Refused whole; the previous layout stays.
        for (var segment : command.segments()) {
            if (!has(segment.serial())) {
                return new AgentMessage.Ack(command.seq(), false, "drive " + segment.serial() + " is not on " + id);
            }
        }
        lastCommand = command;
        return new AgentMessage.Ack(command.seq(), true, "");
    }

    /** Applied at once; the ack leaves when the fleet's gate lets it (a delay, or held by a test). */
    @Override
    public java.util.concurrent.CompletionStage<AgentMessage.Ack> applyLater(AgentMessage.Command command) {
        return acks.pass(apply(command));
    }

    synchronized AgentMessage.Command lastCommand() {
        return lastCommand;
    }

    synchronized boolean has(String serial) {
        return drives.stream().anyMatch(d -> d.serial().equals(serial));
    }

    synchronized void setHealth(String serial, DriveHealth health) {
        drives.replaceAll(d -> d.serial().equals(serial) ? d.withHealth(health) : d);
        snapshot = List.copyOf(drives);
    }

    synchronized Drive remove(String serial) {
        for (int i = 0; i < drives.size(); i++) {
            if (drives.get(i).serial().equals(serial)) {
                Drive removed = drives.remove(i);
                snapshot = List.copyOf(drives);
                return removed;
            }
        }
        throw new IllegalArgumentException("no drive " + serial + " on " + id);
    }

    synchronized void add(Drive drive) {
        drives.add(drive);
        snapshot = List.copyOf(drives);
    }
}
