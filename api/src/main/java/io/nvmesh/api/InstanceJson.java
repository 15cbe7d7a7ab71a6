package io.nvmesh.api;

/**
 * {@code GET /v1/instance}: the answering process's own figures, for {@code nvmesh status} and the failover scenario
 * runner.
 *
 * @param heapAfterGcBytes heap in use right after the last collection of each heap pool (the live set, steadier than
 *                         {@code heapUsedBytes}); 0 before the first collection
 * @param cpuMillis        CPU time of the whole process so far (user + system), -1 where the JVM cannot tell
 */
public record InstanceJson(String id, long epoch, long uptimeMillis, String javaVersion, int availableProcessors,
                           long heapUsedBytes, long heapCommittedBytes, long heapMaxBytes, long heapAfterGcBytes,
                           int threads, long cpuMillis) {
}
