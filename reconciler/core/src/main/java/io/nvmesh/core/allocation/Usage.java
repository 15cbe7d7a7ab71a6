package io.nvmesh.core.allocation;

/**
 * Bytes of some set of drives. {@code total = free + data + redundant + withheld + offline}.
 *
 * @param total usable capacity (whole MiB) of the drives
 * @param free space that new extents may take
 * @param data bytes of data on online drives: a mirror's data segment whole; each segment of an erasure-coded k+m
 *        group length×k/(k+m) ({@link Group#dataShare})
 * @param redundant the rest of the allocated bytes on online drives: mirror copies whole, each erasure-coded segment
 *        length×m/(k+m)
 * @param withheld free space of cordoned drives and of drives on unhealthy targets
 * @param offline the whole capacity of failed and missing drives, out of usable space
 */
public record Usage(long total, long free, long data, long redundant, long withheld, long offline) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    public Usage {
        if (total != free + data + redundant + withheld + offline) {
            throw new IllegalArgumentException("usage does not add up: " + total + " != " + free + " + " + data
                    + " + " + redundant + " + " + withheld + " + " + offline);
        }
    }

    public long allocated() {
        return data + redundant;
    }

    Usage plus(Usage o) {
        return new Usage(total + o.total, free + o.free, data + o.data, redundant + o.redundant,
                withheld + o.withheld, offline + o.offline);
    }

    Usage minus(Usage o) {
        return new Usage(total - o.total, free - o.free, data - o.data, redundant - o.redundant,
                withheld - o.withheld, offline - o.offline);
    }
}
