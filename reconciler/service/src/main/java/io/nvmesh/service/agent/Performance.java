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
        MessageRules.checkCounter("readIops", readIops);
        MessageRules.checkCounter("writeIops", writeIops);
        MessageRules.checkCounter("readBytesPerSecond", readBytesPerSecond);
        MessageRules.checkCounter("writeBytesPerSecond", writeBytesPerSecond);
        MessageRules.checkCounter("latencyP50Micros", latencyP50Micros);
        MessageRules.checkCounter("latencyP99Micros", latencyP99Micros);
        if (latencyP99Micros < latencyP50Micros) {
            throw new IllegalArgumentException("latencyP99Micros: below latencyP50Micros");
        }
    }
}
