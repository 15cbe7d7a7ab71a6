package io.nvmesh.service.agent;

import java.util.Objects;

/**
 * One extent a target must serve: bytes {@code [offset, offset + length)} of drive {@code serial} hold segment
 * {@code segment} of {@code volume}.
 */
public record SegmentLayout(String volume, int segment, String serial, long offset, long length) {

    public SegmentLayout {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(serial, "serial");
        if (segment < 0 || offset < 0 || length <= 0) {
            throw new IllegalArgumentException("segment " + volume + "#" + segment
                    + ": index and offset must not be negative, length must be positive");
        }
    }
}
