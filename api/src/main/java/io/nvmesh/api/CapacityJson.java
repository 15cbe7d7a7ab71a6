package io.nvmesh.api;

import java.util.Map;

/**
 * {@code GET /v1/capacity}: totals from the answering instance's counters; also the payload of {@code capacity}
 * events (without per-target detail).
 *
 * @param consistent false when the read fell between two halves of a replicated change
 * @param targets    per target; empty unless asked for
 * @param servers    kind, then health, then count
 */
public record CapacityJson(String instance, boolean consistent, UsageJson cluster, Map<String, UsageJson> domains,
                           Map<String, UsageJson> driveClasses, Map<String, UsageJson> targets,
                           Map<String, Map<String, Long>> servers, Map<String, Long> drives,
                           Map<String, Long> volumes) {

    /** Bytes of a set of drives: {@code total = free + data + redundant + withheld + offline}. */
    public record UsageJson(long total, long free, long allocated, long data, long redundant, long withheld,
                            long offline) {
    }
}
