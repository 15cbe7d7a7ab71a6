package io.nvmesh.api;

import java.util.List;

/**
 * The payload of a {@code health} event on {@code target/<id>}, and of its reset snapshot: the target as the instance
 * holding its agent sees it.
 *
 * @param health {@code healthy} or {@code unhealthy}
 * @param owner  id of the instance the target's agent is connected to
 */
public record TargetHealthJson(String target, String health, boolean connected, String owner,
                               List<DriveJson> drives) {

    /** @param health {@code ok}, {@code cordoned}, {@code failed} ... */
    public record DriveJson(String serial, String health) {
    }
}
