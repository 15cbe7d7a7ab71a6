package io.nvmesh.core.reconcile;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Size;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Flattens a manifest into {@code path → value} pairs as YAML writes them ({@code metadata.labels.team},
 * {@code spec.capacity}, {@code spec.clients[1]}) and compares two of them field by field. Works on the records'
 * components, so a new manifest field shows up in diffs without code here.
 */
final class ManifestFields {

    private ManifestFields() {
    }

    static List<ManifestChange.FieldChange> compare(Manifest before, Manifest after) {
        SortedMap<String, String> a = flatten(before);
        SortedMap<String, String> b = flatten(after);
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<ManifestChange.FieldChange> out = new ArrayList<>();
        for (String k : keys) {
            String x = a.get(k);
            String y = b.get(k);
            if (x == null ? y != null : !x.equals(y)) {
                out.add(new ManifestChange.FieldChange(k, x, y));
            }
        }
        return out;
    }

    static SortedMap<String, String> flatten(Manifest m) {
        SortedMap<String, String> out = new TreeMap<>();
        for (RecordComponent c : m.getClass().getRecordComponents()) {
            Object v = value(c, m);
            String path = c.getName().equals("metadata") ? "metadata" : "spec." + c.getName();
            add(out, path, v);
        }
        return out;
    }

    private static void add(SortedMap<String, String> out, String path, Object v) {
        if (v == null) {
            return;
        }
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, x) -> add(out, path + "." + k, x));
        } else if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                add(out, path + "[" + i + "]", list.get(i));
            }
        } else if (v instanceof Capacity || v instanceof Size || v instanceof Enum<?>
                || v instanceof String || v instanceof Number || v instanceof Boolean) {
            out.put(path, v.toString());
        } else if (v instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                add(out, path + "." + c.getName(), value(c, r));
            }
        } else {
            out.put(path, v.toString());
        }
    }

    private static Object value(RecordComponent c, Object owner) {
        try {
            return c.getAccessor().invoke(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + owner.getClass(), e);
        }
    }
}
