package io.nvmesh.service.agent;

/**
 * A node's I/O counters over its last report interval.
 *
 * @param readIops            read operations per second
 * @param writeIops           write operations per second
 * @param readBytesPerSecond  read bandwidth
 * @param writeBytesPerSecond write bandwidth
 * @param latencyP50Micros    median I/O latency
 * @param latencyP99Micros    99th percentile I/O latency, never below the median
 */
public record Performance(long readIops, long writeIops, long readBytesPerSecond, long writeBytesPerSecond,
                          long latencyP50Micros, long latencyP99Micros) {

    public static final Performance IDLE = new Performance(0, 0, 0, 0, 0, 0);

    public Performance {
        if (readIops < 0 || writeIops < 0 || readBytesPerSecond < 0 || writeBytesPerSecond < 0
                || latencyP50Micros < 0 || latencyP99Micros < 0) {
            throw new IllegalArgumentException("performance counters must not be negative");
        }
        if (latencyP99Micros < latencyP50Micros) {
            throw new IllegalArgumentException("p99 latency " + latencyP99Micros + " is below p50 " + latencyP50Micros);
        }
    }
}
