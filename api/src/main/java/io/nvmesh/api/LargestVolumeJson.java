package io.nvmesh.api;

/**
 * {@code GET /v1/capacity/largest?policy=NAME}: what fits now.
 *
 * @param stateCommit  the recorded state searched
 * @param largestBytes the largest volume (bytes of data) the policy can place now, as {@code capacity: max} would
 *                     (at most 256 chunks); 0 when nothing fits
 */
public record LargestVolumeJson(String instance, String stateCommit, String policy, String layout,
                                long largestBytes) {
}
