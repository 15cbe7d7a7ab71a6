package io.nvmesh.core.allocation;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the node agents report: targets (sorted by id) with their drives, and clients. A serial appears at most
 * once: a drive physically moved to another target is listed under its new target only.
 */
public record Inventory(List<Target> targets, List<Client> clients) {

    public Inventory {
        targets = targets == null ? List.of() : targets.stream().sorted(Comparator.comparing(Target::id)).toList();
        clients = clients == null ? List.of() : clients.stream().sorted(Comparator.comparing(Client::id)).toList();
        Map<String, String> seen = new HashMap<>();
        String previous = null;
        for (Target t : targets) {
            if (t.id().equals(previous)) {
                throw new IllegalArgumentException("target " + t.id() + " is listed twice");
            }
            previous = t.id();
            for (Drive d : t.drives()) {
                String other = seen.putIfAbsent(d.serial(), t.id());
                if (other != null) {
                    throw new IllegalArgumentException(
                            "drive " + d.serial() + " is listed on both " + other + " and " + t.id());
                }
            }
        }
    }

    public static Inventory of(List<Target> targets) {
        return new Inventory(targets, List.of());
    }

    /** The target that holds the drive with this serial now. */
    public Optional<Target> targetOf(String serial) {
        for (Target t : targets) {
            for (Drive d : t.drives()) {
                if (d.serial().equals(serial)) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }

    public Optional<Drive> drive(String serial) {
        return targetOf(serial).flatMap(t -> t.drives().stream().filter(d -> d.serial().equals(serial)).findFirst());
    }
}
