package io.nvmesh.schema.validation;

import java.util.ArrayList;
import java.util.List;

/** A field's address inside one document: keys (String) and list indexes (Integer); shown as {@code spec.a[0].b}. */
record FieldPath(List<Object> segments) {

    static final FieldPath ROOT = new FieldPath(List.of());

    FieldPath {
        segments = List.copyOf(segments);
    }

    FieldPath key(String key) {
        List<Object> s = new ArrayList<>(segments);
        s.add(key);
        return new FieldPath(s);
    }

    FieldPath index(int index) {
        List<Object> s = new ArrayList<>(segments);
        s.add(index);
        return new FieldPath(s);
    }

    FieldPath parent() {
        return segments.isEmpty() ? this : new FieldPath(segments.subList(0, segments.size() - 1));
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    /** Parses the dotted form ({@code spec.driveClasses[1]}); keys with dots cannot be named this way. */
    static FieldPath parse(String dotted) {
        List<Object> s = new ArrayList<>();
        for (String part : dotted.split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (!key.isEmpty()) {
                s.add(key);
            }
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                if (close < 0) {
                    throw new IllegalArgumentException("not a field path: " + dotted);
                }
                s.add(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        return new FieldPath(s);
    }

    /** {@code spec.driveClasses[0]}; empty for the document itself. */
    String dotted() {
        StringBuilder sb = new StringBuilder();
        for (Object o : segments) {
            if (o instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(o);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return dotted();
    }
}
