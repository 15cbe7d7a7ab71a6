package io.nvmesh.api;

import java.util.List;
import java.util.Map;

/** {@code GET /v1/inventory}: the recorded inventory of the whole fleet, from the state ref. */
public record InventoryJson(String instance, String stateCommit, List<TargetJson> targets, List<DriveJson> drives,
                            List<ClientJson> clients) {

    /**
     * @param health        the target's own health, what placement reads
     * @param overallHealth the worse of its own health and its drives', what people read; empty from a server that
     *                      predates it
     * @param overallReason its drives that are not ok ({@code 1 drive failed}); empty when all are
     * @param drives        how many drives it has
     * @param managed       recorded from a node agent (its layouts count once acked), not from an inventory file
     * @param servedExtents extents its agent last acked serving (recorded on the state ref); 0 before any
     */
    public record TargetJson(String id, String health, String overallHealth, String overallReason,
                             Map<String, String> labels, int drives, long capacity, boolean managed,
                             int servedExtents) {
    }

    public record DriveJson(String serial, String target, long capacity, String health, Map<String, String> labels) {
    }

    public record ClientJson(String id, Map<String, String> labels) {
    }
}
