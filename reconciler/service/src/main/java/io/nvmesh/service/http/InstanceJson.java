package io.nvmesh.service.http;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;

/**
 * {@code GET /v1/instance}: this process's own figures, for {@code nvmesh status} and the failover scenario runner.
 *
 * @param heapAfterGcBytes heap in use right after the last collection of each heap pool (the live set, steadier than
 *                         {@code heapUsedBytes}); 0 before the first collection
 * @param cpuMillis        CPU time of the whole process so far (user + system), -1 where the JVM cannot tell
 */
record InstanceJson(String id, long epoch, long uptimeMillis, String javaVersion, int availableProcessors,
                    long heapUsedBytes, long heapCommittedBytes, long heapMaxBytes, long heapAfterGcBytes,
                    int threads, long cpuMillis) {

    static InstanceJson of(String id, long epoch) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (u != null) {
                afterGc += u.getUsed();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            cpu = nanos < 0 ? -1 : nanos / 1_000_000;
        }
        return new InstanceJson(id, epoch, ManagementFactory.getRuntimeMXBean().getUptime(),
                Runtime.version().toString(), Runtime.getRuntime().availableProcessors(), heap.getUsed(),
                heap.getCommitted(), heap.getMax(), afterGc, threads.getThreadCount(), cpu);
    }
}
