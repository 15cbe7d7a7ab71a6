package io.nvmesh.service.host;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The names both ends of a fabric path compute alike, from what the protocol carries. Each target exports a volume's
 * segments in a subsystem of its own, {@code <volume nqn>:<target id>}: one subsystem per (volume, target) keeps the
 * controllers of different targets out of one kernel subsystem (whose controller ids would collide) and out of each
 * other's native multipath. In it, segment {@code k} is namespace {@code k + 1} with a UUID derived from the
 * subsystem and the key, so a client finds it at {@code /dev/disk/by-id/nvme-uuid.<uuid>} and a segment rebuilt on
 * another target is another device.
 */
final class Names {

    /**
     * As the reconciler names volumes (NodeCommands.NQN_PREFIX): HostAgentClusterTest has clients connect to the
     * subsystems targets made from it, by the NQN the reconciler sent.
     */
    static final String NQN_PREFIX = "nqn.2024-01.io.nvmesh:volume:";

    /** Volume names as manifests allow them: they go into paths and device names, so nothing else passes. */
    private static final Pattern VOLUME = io.nvmesh.schema.Metadata.NAME;
    private static final Pattern NQN = Pattern.compile("nqn\\.[0-9]{4}-[0-9]{2}\\.[A-Za-z0-9.:_-]{1,200}");

    private Names() {
    }

    static void checkVolume(String volume) {
        if (volume == null || !VOLUME.matcher(volume).matches()) {
            throw new IllegalArgumentException("not a volume name");
        }
    }

    static void checkNqn(String nqn) {
        if (nqn == null || !NQN.matcher(nqn).matches()) {
            throw new IllegalArgumentException("not an NVMe qualified name");
        }
    }

    /** The subsystem a target exports a volume's segments in. */
    static String subsystem(String volumeNqn, String target) {
        return volumeNqn + ":" + target;
    }

    static String volumeNqn(String volume) {
        return NQN_PREFIX + volume;
    }

    static int nsid(int segment) {
        return segment + 1;
    }

    static UUID namespaceUuid(String subsystemNqn, int segment) {
        return UUID.nameUUIDFromBytes((subsystemNqn + "/" + segment).getBytes(StandardCharsets.UTF_8));
    }

    /** The target's device-mapper device over a segment's bytes ({@code .} never occurs in a volume name). */
    static String segmentDevice(String volume, int segment) {
        return "nvmesh-" + volume + ".s" + segment;
    }

    /** The client's md device of a group or of a chunk's stripes. */
    static String mdDevice(String volume, int chunk, int group) {
        return group < 0 ? "nvmesh-" + volume + ".c" + chunk : "nvmesh-" + volume + ".c" + chunk + "g" + group;
    }

    /** The client's device-mapper device concatenating a volume's chunks. */
    static String volumeDevice(String volume) {
        return "nvmesh-" + volume;
    }
}
