package io.nvmesh.api;

import java.util.List;

/**
 * {@code GET /v1/volumes}: every recorded volume, from the state ref.
 *
 * @param desiredCommit the desired commit last reconciled
 */
public record VolumeListJson(String instance, String stateCommit, String desiredCommit, int count,
                             List<SummaryJson> items) {

    /** @param owner the instance that places the volume, as the answering instance sees it */
    public record SummaryJson(String name, String status, String reason, boolean deletionProtection, String policy,
                              String layout, long sizeBytes, int segments, String owner) {
    }
}
