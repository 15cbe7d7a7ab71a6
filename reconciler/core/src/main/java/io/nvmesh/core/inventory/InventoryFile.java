package io.nvmesh.core.inventory;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.validation.CheckedFile;
import io.nvmesh.schema.validation.FileFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads an inventory file (see docs/gitops.md):
 *
 * <pre>
 * apiVersion: nvmesh.io/v1
 * kind: Inventory
 * targets:
 *   - id: tgt-r11-01
 *     labels: {zone: eu-west-1a, rack: r11}
 *     health: healthy                  # healthy | unhealthy (default healthy)
 *     drives:
 *       - serial: S6EWNA0T100001
 *         capacity: 7.68TB             # a size: 7.68TB, 3576GiB ...
 *         health: ok                   # ok | cordoned | failed | missing (default ok)
 *         labels: {model: PM1743, media: tlc, interface: pcie5}
 * clients:
 *   - id: app-01
 *     labels: {team: payments}
 * </pre>
 *
 * The file is read and checked against its JSON Schema ({@link FileFormat#INVENTORY}, {@code nvmesh schema
 * Inventory}) as manifests are; what a schema cannot say (ids and serials listed twice, sizes, label rules) is checked
 * here. Every problem is collected with its line and column; an inventory is returned only when there is none.
 */
public final class InventoryFile {

    /** The inventory read, if there was no problem, and every problem found. */
    public record Result(Optional<Inventory> inventory, List<Problem> problems) {
        public Result {
            problems = problems.stream().sorted(Problem.ORDER).toList();
        }
    }

    public static final String KIND = "Inventory";

    private final List<Problem> problems = new ArrayList<>();

    private InventoryFile() {
    }

    public static Result parse(String file, byte[] bytes) {
        return new InventoryFile().read(CheckedFile.read(FileFormat.INVENTORY, file, bytes));
    }

    private Result read(CheckedFile checked) {
        problems.addAll(checked.problems());
        if (!checked.readable()) {
            return done(null);
        }
        CheckedFile.Field root = checked.root();
        List<Target> targets = new ArrayList<>();
        Map<String, String> serials = new HashMap<>();
        Map<String, String> ids = new HashMap<>();
        for (CheckedFile.Field item : root.get("targets").items()) {
            Target t = target(item, serials);
            if (t != null) {
                String prev = ids.putIfAbsent(t.id(), item.path());
                if (prev != null) {
                    problems.add(item.get("id").problem("target " + t.id() + " is listed twice (also " + prev + ")"));
                } else {
                    targets.add(t);
                }
            }
        }
        List<Client> clients = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (CheckedFile.Field item : root.get("clients").items()) {
            String id = id(item.get("id"));
            Map<String, String> labels = labels(item.get("labels"));
            if (id != null && seen.putIfAbsent(id, item.path()) != null) {
                problems.add(item.get("id").problem("client " + id + " is listed twice"));
            } else if (id != null) {
                clients.add(new Client(id, labels));
            }
        }
        return done(problems.isEmpty() ? new Inventory(targets, clients) : null);
    }

    private Target target(CheckedFile.Field node, Map<String, String> serials) {
        String id = id(node.get("id"));
        Map<String, String> labels = labels(node.get("labels"));
        TargetHealth health = enumValue(node.get("health"), TargetHealth.class, TargetHealth.HEALTHY);
        List<Drive> drives = new ArrayList<>();
        for (CheckedFile.Field d : node.get("drives").items()) {
            CheckedFile.Field serialField = d.get("serial");
            String serial = nonEmpty(serialField);
            if (serial != null && !StateFiles.ID.matcher(serial).matches()) {
                problems.add(serialField.problem("\"" + serial
                        + "\" is not a valid serial (letters, digits, '.', '_' and '-', at most 128)"));
                serial = null;
            }
            if (serial != null) {
                String prev = serials.putIfAbsent(serial, d.path());
                if (prev != null) {
                    problems.add(serialField.problem("drive " + serial + " is listed twice (also " + prev + ")"));
                    serial = null;
                }
            }
            Long capacity = null;
            String c = nonEmpty(d.get("capacity"));
            if (c != null) {
                try {
                    capacity = Size.parse(c).bytes();
                } catch (IllegalArgumentException e) {
                    problems.add(d.get("capacity").problem(e.getMessage()));
                }
            }
            DriveHealth dh = enumValue(d.get("health"), DriveHealth.class, DriveHealth.OK);
            Map<String, String> dl = labels(d.get("labels"));
            if (serial != null && capacity != null && dh != null) {
                drives.add(new Drive(serial, capacity, dh, dl));
            }
        }
        return id == null || health == null ? null : new Target(id, labels, health, drives);
    }

    private String id(CheckedFile.Field field) {
        String id = nonEmpty(field);
        if (id != null && !StateFiles.ID.matcher(id).matches()) {
            problems.add(field.problem("\"" + id
                    + "\" is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)"));
            return null;
        }
        return id;
    }

    /** The value, or null: absent, refused by the schema (already a problem) or blank (a problem here). */
    private String nonEmpty(CheckedFile.Field field) {
        String s = field.text().orElse(null);
        if (s != null && s.isBlank()) {
            problems.add(field.problem("expected a non-empty value"));
            return null;
        }
        return s;
    }

    private <E extends Enum<E>> E enumValue(CheckedFile.Field field, Class<E> type, E dflt) {
        if (!field.given()) {
            return dflt;
        }
        String s = nonEmpty(field);
        if (s == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        problems.add(field.problem("\"" + s + "\" is not one of " + String.join(", ", allowed)));
        return null;
    }

    private Map<String, String> labels(CheckedFile.Field labels) {
        Map<String, String> out = new TreeMap<>();
        for (CheckedFile.Field f : labels.fields()) {
            String k = f.key();
            String s = f.text().orElse(null);
            // The rules manifests and agents follow: what an inventory records is shown in terminals and pages.
            if (!Metadata.LABEL_KEY.matcher(k).matches()) {
                problems.add(labels.problem("\"" + k + "\" is not a label key (an optional DNS prefix and '/', then "
                        + "1-63 of A-Z a-z 0-9 - _ . starting and ending with a letter or digit)"));
            } else if (s != null && !Metadata.LABEL_VALUE.matcher(s).matches()) {
                problems.add(f.problem("\"" + s + "\" is not a label value (at most 63 of A-Z a-z 0-9 - _ . "
                        + "starting and ending with a letter or digit)"));
            } else if (s != null) {
                out.put(k, s);
            }
        }
        return out;
    }

    private Result done(Inventory inventory) {
        return new Result(Optional.ofNullable(inventory), problems);
    }
}
