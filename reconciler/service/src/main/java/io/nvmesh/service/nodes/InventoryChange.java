package io.nvmesh.service.nodes;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.Objects;

/**
 * One change of reported inventory, as this instance observed it: relative to what it last heard from the node, not
 * to the recorded state (the recorder compares with Git).
 */
public sealed interface InventoryChange {

    /** The node this change is about (for a move: the target the drive arrived at). */
    String nodeId();

    /** A target this instance had not heard from (first hello after start or after taking it over). */
    record TargetSeen(Target target) implements InventoryChange {
        public TargetSeen {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String nodeId() {
            return target.id();
        }
    }

    /** A client this instance had not heard from. */
    record ClientSeen(Client client) implements InventoryChange {
        public ClientSeen {
            Objects.requireNonNull(client, "client");
        }

        @Override
        public String nodeId() {
            return client.id();
        }
    }

    /** A target's health changed; {@code UNHEALTHY} also when its agent went away. */
    record TargetHealthChanged(String nodeId, TargetHealth from, TargetHealth to) implements InventoryChange {
    }

    /** A drive appeared on a known target. */
    record DriveAdded(String nodeId, Drive drive) implements InventoryChange {
    }

    /** A drive is no longer reported by a target it was on. */
    record DriveMissing(String nodeId, String serial) implements InventoryChange {
    }

    /** A drive's health changed (e.g. {@code OK → FAILED}). */
    record DriveHealthChanged(String nodeId, String serial, DriveHealth from, DriveHealth to)
            implements InventoryChange {
    }

    /** The same serial left one target and showed up on another. */
    record DriveMoved(String nodeId, String serial, String fromTarget, Drive drive) implements InventoryChange {
    }
}
