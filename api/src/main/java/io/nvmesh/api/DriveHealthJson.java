package io.nvmesh.api;

/**
 * The payload of a {@code health} event on {@code drive/<serial>}, and of its reset snapshot.
 *
 * @param target the target reporting the drive
 * @param health as in {@link TargetHealthJson.DriveJson}, or {@code missing} when the target no longer reports it
 */
public record DriveHealthJson(String serial, String target, String health) {
}
