package io.nvmesh.api;

import java.util.List;

/**
 * {@code GET /v1/volumes/{name}}: one recorded volume with its allocation, segment by segment.
 *
 * @param requested the capacity the desired manifest asks for, as written ({@code 512GiB}, {@code max}); empty
 *                  when the volume is no longer desired. A volume not placed yet shows its desired policy's
 *                  name, layout and protection, and a {@code sizeBytes} of 0.
 */
public record VolumeJson(String instance, String stateCommit, String name, String status, String reason,
                         boolean deletionProtection, String policy, String layout, String protection, long sizeBytes,
                         long placedBytes, String requested, String owner, List<SegmentJson> segments) {

    /** @param target the target holding the drive now; empty if the drive is missing */
    public record SegmentJson(int chunk, int group, int index, String role, String serial, String target, long offset,
                              long length) {
    }
}
