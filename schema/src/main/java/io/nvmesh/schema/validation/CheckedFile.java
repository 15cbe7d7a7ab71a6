package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.SourceLocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import tools.jackson.databind.JsonNode;

/**
 * One file of a {@link FileFormat} read the way manifests are: UTF-8 text, one YAML document composed (never
 * constructed) with line:column marks, aliases and foreign tags refused, duplicate keys refused, then checked against
 * the format's JSON Schema. {@link #problems()} is all of that; the format's reader walks {@link #root()} for the
 * values and adds the problems of meaning a schema cannot say (files that must exist, ids listed twice) with
 * {@link Field#problem}, so that every problem has the same shape and file:line:column.
 */
public final class CheckedFile {

    /** Compiled once, on first use, for every format. */
    private static final class Schemas {
        static final SchemaCheck CHECK = new SchemaCheck(Arrays.stream(FileFormat.values())
                .collect(Collectors.toMap(FileFormat::id, FileFormat::json, (a, b) -> a, LinkedHashMap::new)), true);
    }

    private final String file;
    private final Node root;
    private final List<Problem> problems;
    private final Set<FieldPath> flagged;

    private CheckedFile(String file, Node root, List<Problem> problems, Set<FieldPath> flagged) {
        this.file = file;
        this.root = root;
        this.problems = problems.stream().sorted(Problem.ORDER).toList();
        this.flagged = Set.copyOf(flagged);
    }

    /** Reads and checks {@code bytes}; {@code file} names it in problems, as the user gave it. */
    public static CheckedFile read(FileFormat format, String file, byte[] bytes) {
        SourceText.Decoded decoded = SourceText.decode(file, bytes, format.rules());
        if (decoded.problem() != null) {
            return new CheckedFile(file, null, List.of(decoded.problem()), Set.of());
        }
        YamlDocuments.Composed composed = YamlDocuments.compose(file, decoded.text(), format.rules());
        if (composed.problem() != null) {
            return new CheckedFile(file, null, List.of(composed.problem()), Set.of());
        }
        List<Node> documents = composed.documents();
        if (documents.isEmpty() || documents.size() == 1 && isEmpty(documents.get(0))) {
            if (format.mayBeEmpty()) {
                return new CheckedFile(file, null, List.of(), Set.of());
            }
            return new CheckedFile(file, null, List.of(new Problem(file, 1, 1, "", "", "the file is empty; "
                    + required(format))), Set.of());
        }
        if (documents.size() > 1) {
            Node second = documents.get(1);
            return new CheckedFile(file, null, List.of(new Problem(file, second.getStartMark().getLine() + 1,
                    second.getStartMark().getColumn() + 1, "", "", Character.toUpperCase(format.noun().charAt(0))
                    + format.noun().substring(1) + " file holds one YAML document; remove the extra '---'")),
                    Set.of());
        }
        Node root = documents.get(0);
        List<Problem> problems = new ArrayList<>();
        JsonNode tree = TreeConverter.convert(root, file, "", problems);
        if (tree == null) {
            return new CheckedFile(file, null, problems, Set.of());
        }
        FieldLocations locations = new FieldLocations(file, decoded.text(), 0, root);
        Set<FieldPath> flagged = new HashSet<>();
        for (Finding f : Schemas.CHECK.check(format.id(), tree)) {
            SourceLocation at = locations.nearest(f.at(), f.key());
            problems.add(new Problem(at.file(), at.line(), at.column(), "", f.shown().dotted(), f.message()));
            flagged.add(f.at());
        }
        return new CheckedFile(file, root, problems, flagged);
    }

    /** "at least `id:` is required", from the schema's required fields. */
    private static String required(FileFormat format) {
        List<String> keys = new ArrayList<>();
        Schemas.CHECK.required(format.id()).forEach(k -> keys.add("`" + k + ":`"));
        if (keys.isEmpty()) {
            return "expected " + format.noun();
        }
        String last = keys.remove(keys.size() - 1);
        return "at least " + (keys.isEmpty() ? last + " is" : String.join(", ", keys) + " and " + last + " are")
                + " required";
    }

    private static boolean isEmpty(Node node) {
        return node instanceof ScalarNode s && s.getValue().isEmpty()
                && s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
    }

    public String file() {
        return file;
    }

    /** The problems of the text, the YAML and the schema, in file order; the reader's own come on top. */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * Whether there is a document to walk (there may still be problems in it). Not readable and no problem: an empty
     * file of a format that {@linkplain FileFormat#mayBeEmpty may be empty}.
     */
    public boolean readable() {
        return root != null;
    }

    /** The document; absent (every field absent) when not {@link #readable()}. */
    public Field root() {
        return new Field(FieldPath.ROOT, root, null, null);
    }

    /**
     * One place in the document, present or not. Values are read as written ({@code 0001} stays {@code 0001}), and
     * not at all where the schema already found a problem, so that a reader never reports a value twice.
     */
    public final class Field {
        private final FieldPath path;
        private final Node node;
        private final Node keyNode;
        private final Field parent;

        private Field(FieldPath path, Node node, Node keyNode, Field parent) {
            this.path = path;
            this.node = node;
            this.keyNode = keyNode;
            this.parent = parent;
        }

        /** {@code cluster.heartbeatInterval}, {@code peers[1].id}; empty for the document. */
        public String path() {
            return path.dotted();
        }

        /** The key this field is written under, or empty (list items, the document). */
        public String key() {
            Object last = path.isRoot() ? "" : path.segments().get(path.segments().size() - 1);
            return last instanceof String s ? s : "";
        }

        /** Whether the field is written (even as {@code key:} with nothing after it). */
        public boolean present() {
            return node != null;
        }

        /** Written and not null ({@code ~}, {@code null} or nothing). */
        public boolean given() {
            return node != null && !isNull(node);
        }

        /** The scalar as written; empty when absent, null, not a scalar, or already refused by the schema. */
        public Optional<String> text() {
            if (!(node instanceof ScalarNode s) || isNull(node) || flagged.contains(path)) {
                return Optional.empty();
            }
            return Optional.of(s.getValue());
        }

        /**
         * The scalar exactly as written, the null words included ({@code null}, {@code ~}, nothing), for values where
         * those are names like any other; empty when absent, not a scalar, or already refused by the schema.
         */
        public Optional<String> written() {
            if (!(node instanceof ScalarNode s) || flagged.contains(path)) {
                return Optional.empty();
            }
            return Optional.of(s.getValue());
        }

        /** The field {@code key} of this mapping (absent when this is not a mapping or has no such key). */
        public Field get(String key) {
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                        return new Field(path.key(key), t.getValueNode(), k, this);
                    }
                }
            }
            return new Field(path.key(key), null, null, this);
        }

        /** The fields of this mapping in the order written; empty when it is not one. */
        public List<Field> fields() {
            List<Field> out = new ArrayList<>();
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k) {
                        out.add(new Field(path.key(k.getValue()), t.getValueNode(), k, this));
                    }
                }
            }
            return out;
        }

        /** The items of this list; empty when it is not one. */
        public List<Field> items() {
            List<Field> out = new ArrayList<>();
            if (node instanceof SequenceNode s) {
                for (int i = 0; i < s.getValue().size(); i++) {
                    out.add(new Field(path.index(i), s.getValue().get(i), null, this));
                }
            }
            return out;
        }

        /** The text of every scalar of this mapping, by key, in the order written. */
        public Map<String, String> texts() {
            Map<String, String> out = new LinkedHashMap<>();
            fields().forEach(f -> f.text().ifPresent(t -> out.put(f.key(), t)));
            return out;
        }

        /** Where the value is written; where the nearest written field above it is, when it is absent. */
        public SourceLocation location() {
            if (node != null) {
                return new SourceLocation(file, node.getStartMark().getLine() + 1,
                        node.getStartMark().getColumn() + 1);
            }
            return parent != null ? parent.location() : new SourceLocation(file, 1, 1);
        }

        /** Where the key is written (the value's place for list items and absent fields). */
        public SourceLocation keyLocation() {
            return keyNode == null ? location() : new SourceLocation(file, keyNode.getStartMark().getLine() + 1,
                    keyNode.getStartMark().getColumn() + 1);
        }

        /** A problem at the value, under this field's path. */
        public Problem problem(String message) {
            return at(location(), message);
        }

        /** A problem at the key (a field that must not be there, or must not be there twice). */
        public Problem keyProblem(String message) {
            return at(keyLocation(), message);
        }

        private Problem at(SourceLocation l, String message) {
            return new Problem(l.file(), l.line(), l.column(), "", path.dotted(), message);
        }

        @Override
        public String toString() {
            return path.dotted() + (node instanceof ScalarNode s ? "=" + s.getValue() : "");
        }
    }

    private static boolean isNull(Node node) {
        if (!(node instanceof ScalarNode s) || s.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
            return false;
        }
        return switch (s.getValue()) {
            case "", "~", "null", "Null", "NULL" -> true;
            default -> false;
        };
    }
}
