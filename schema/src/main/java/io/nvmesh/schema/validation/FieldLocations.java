package io.nvmesh.schema.validation;

import io.nvmesh.schema.SourceLocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where each field of one document was written. Locations are looked up in the composed YAML tree on demand
 * rather than copied into a map per value, because almost every lookup happens only for a problem. Once its file has
 * been checked, the tree is let go ({@link #release}) and composed again from the file's text at the first lookup:
 * a tree with its marks weighs several times the text, and keeping 10,000 of them alive made young collections
 * copy them over and over (a third of a second of a 10,000-file validate). A tree composed again is not kept either:
 * 99,600 duplicate names, each composing and keeping its file's tree, ran a 1 GiB heap out. Many lookups at once go
 * through {@link #nearestAll}, which composes each file once for all of them.
 */
final class FieldLocations {

    private final String file;
    private final String text;
    private final int document;
    private volatile Node root;

    /** {@code root} is document number {@code document} (from 0) of {@code text}, as {@link YamlDocuments} composes it. */
    FieldLocations(String file, String text, int document, Node root) {
        this.file = file;
        this.text = text;
        this.document = document;
        this.root = root;
    }

    /** Lets the composed tree go; the next lookup composes the text again (the same text gives the same tree). */
    void release() {
        root = null;
    }

    private Node root() {
        Node r = root;
        return r != null ? r : YamlDocuments.compose(file, text).documents().get(document);
    }

    /** One lookup for {@link #nearestAll}: the nearest location of {@code path} in {@code where}'s document. */
    record Lookup(FieldLocations where, String path) {
    }

    /**
     * {@link #nearest(String)} for each lookup, in order. Documents of one file are found in one composition of its
     * text, made when the first lookup in it needs it and let go after the last: memory is one file's tree, time one
     * composition per file, however many lookups (e.g. a problem per object of a large set).
     */
    static List<SourceLocation> nearestAll(List<Lookup> lookups) {
        Map<String, List<Integer>> byText = new IdentityHashMap<>();
        for (int i = 0; i < lookups.size(); i++) {
            byText.computeIfAbsent(lookups.get(i).where().text, t -> new ArrayList<>()).add(i);
        }
        SourceLocation[] out = new SourceLocation[lookups.size()];
        for (List<Integer> group : byText.values()) {
            List<Node> documents = null;
            for (int i : group) {
                FieldLocations f = lookups.get(i).where();
                Node r = f.root;
                if (r == null) {
                    if (documents == null) {
                        documents = YamlDocuments.compose(f.file, f.text).documents();
                    }
                    r = documents.get(f.document);
                }
                out[i] = f.nearest(r, FieldPath.parse(lookups.get(i).path()), false);
            }
        }
        return Arrays.asList(out);
    }

    /** The location of the value at {@code path} ({@code spec.capacity}, {@code spec.driveClasses[1]}), if present. */
    public Optional<SourceLocation> value(String path) {
        return Optional.ofNullable(find(FieldPath.parse(path), false));
    }

    /** The location of the key of the field at {@code path}, if present (for unknown or duplicated fields). */
    public Optional<SourceLocation> key(String path) {
        return Optional.ofNullable(find(FieldPath.parse(path), true));
    }

    /** The value at {@code path}, else its nearest written ancestor, else the document itself. */
    public SourceLocation nearest(String path) {
        return nearest(FieldPath.parse(path), false);
    }

    SourceLocation nearest(FieldPath path, boolean key) {
        return nearest(root(), path, key);
    }

    private SourceLocation nearest(Node root, FieldPath path, boolean key) {
        for (FieldPath p = path; ; p = p.parent()) {
            SourceLocation at = find(root, p, key && p == path);
            if (at != null) {
                return at;
            }
            if (p.isRoot()) {
                return at(root.getStartMark());
            }
        }
    }

    SourceLocation document() {
        return at(root().getStartMark());
    }

    private SourceLocation find(FieldPath path, boolean wantKey) {
        return find(root(), path, wantKey);
    }

    private SourceLocation find(Node root, FieldPath path, boolean wantKey) {
        Node node = root;
        Node keyNode = null;
        for (Object segment : path.segments()) {
            keyNode = null;
            if (segment instanceof String name && node instanceof MappingNode map) {
                Node next = null;
                for (NodeTuple t : map.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
                        next = t.getValueNode();
                        keyNode = k;
                        break;
                    }
                }
                node = next;
            } else if (segment instanceof Integer i && node instanceof SequenceNode seq && i < seq.getValue().size()) {
                node = seq.getValue().get(i);
            } else {
                node = null;
            }
            if (node == null) {
                return null;
            }
        }
        return at(wantKey && keyNode != null ? keyNode.getStartMark() : node.getStartMark());
    }

    private SourceLocation at(Mark mark) {
        return new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }
}
