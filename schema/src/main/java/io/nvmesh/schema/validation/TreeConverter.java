package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a composed YAML tree into a Jackson tree for the JSON Schema check. Plain scalars are typed by the YAML 1.2
 * core schema ({@code yes}, {@code no}, {@code on} and {@code off} stay strings, unlike YAML 1.1); quoted scalars
 * are always strings. Duplicate and non-scalar keys are added to {@code problems}, pointing at the offending key.
 */
final class TreeConverter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

    private final String file;
    /** The object's {@code Kind name} for problems; asked only when there is one (most documents have none). */
    private final Supplier<String> object;
    private final List<Problem> problems;
    private boolean failed;

    private TreeConverter(String file, Supplier<String> object, List<Problem> problems) {
        this.file = file;
        this.object = object;
        this.problems = problems;
    }

    /** The converted tree, or null when a duplicate or complex key makes the document ambiguous. */
    static JsonNode convert(Node root, String file, String object, List<Problem> problems) {
        return convert(root, file, () -> object, problems);
    }

    /** As above, {@code object} asked only for a problem. */
    static JsonNode convert(Node root, String file, Supplier<String> object, List<Problem> problems) {
        TreeConverter c = new TreeConverter(file, object, problems);
        JsonNode tree = c.value(root, null);
        return c.failed ? null : tree;
    }

    /**
     * Where a node is, as a chain to its parent: made only for mappings and lists, and turned into a {@link FieldPath}
     * only for a problem (a path list per node was a tenth of the validation's garbage at 100,000 manifests).
     */
    private record Trail(Trail parent, Object segment) {
        static Trail of(Trail parent, Object segment) {
            return new Trail(parent, segment);
        }

        static FieldPath path(Trail t) {
            java.util.ArrayDeque<Object> segments = new java.util.ArrayDeque<>();
            for (Trail at = t; at != null; at = at.parent()) {
                segments.addFirst(at.segment());
            }
            FieldPath path = FieldPath.ROOT;
            for (Object s : segments) {
                path = s instanceof Integer i ? path.index(i) : path.key((String) s);
            }
            return path;
        }
    }

    private JsonNode value(Node node, Trail path) {
        if (node instanceof MappingNode map) {
            ObjectNode object = NODES.objectNode();
            List<NodeTuple> tuples = map.getValue();
            for (int i = 0; i < tuples.size(); i++) {
                NodeTuple t = tuples.get(i);
                if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
                    report(t.getKeyNode(), path, "keys must be plain strings, not a " + describe(t.getKeyNode()));
                    continue;
                }
                String key = keyNode.getValue();
                if (tuples.size() <= SMALL_MAPPING ? keyBefore(tuples, i, key) : object.has(key)) {
                    report(keyNode, path, "duplicate key \"" + key + "\" (first written on line "
                            + (firstKey(tuples, key).getStartMark().getLine() + 1) + ")");
                    continue;
                }
                Node value = t.getValueNode();
                object.set(key, value(value, value instanceof ScalarNode ? null : Trail.of(path, key)));
            }
            return object;
        }
        if (node instanceof SequenceNode seq) {
            ArrayNode array = NODES.arrayNode();
            List<Node> items = seq.getValue();
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                array.add(value(item, item instanceof ScalarNode ? null : Trail.of(path, i)));
            }
            return array;
        }
        return scalar((ScalarNode) node);
    }

    /** Mappings up to this many keys find duplicates by comparing keys, not by a look-up in the node built. */
    private static final int SMALL_MAPPING = 8;

    /**
     * Whether a scalar key before {@code at} spells {@code key}: the same answer as asking the node built so far, since
     * each earlier scalar key was either added or a duplicate of one added (a manifest's mappings hold a few keys, and
     * comparing them costs less than hashing into the node).
     */
    private static boolean keyBefore(List<NodeTuple> tuples, int at, String key) {
        for (int j = 0; j < at; j++) {
            if (tuples.get(j).getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** The first scalar key node spelling {@code key}: the one a duplicate repeats. */
    private static Node firstKey(List<NodeTuple> tuples, String key) {
        for (NodeTuple t : tuples) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return k;
            }
        }
        throw new IllegalStateException("no key " + key);
    }

    private void report(Node at, Trail path, String message) {
        problems.add(new Problem(file, at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1, object.get(),
                Trail.path(path).dotted(), message));
        failed = true;
    }

    private static JsonNode scalar(ScalarNode node) {
        String text = node.getValue();
        if (node.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
            return NODES.stringNode(text);
        }
        switch (text) {
            case "", "~", "null", "Null", "NULL":
                return NODES.nullNode();
            case "true", "True", "TRUE":
                return NODES.booleanNode(true);
            case "false", "False", "FALSE":
                return NODES.booleanNode(false);
            default:
                break;
        }
        char c = text.charAt(0);
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
            if (INT.matcher(text).matches()) {
                BigInteger big = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
                return big.bitLength() < 32 ? NODES.numberNode(big.intValue())
                        : big.bitLength() < 64 ? NODES.numberNode(big.longValue()) : NODES.numberNode(big);
            }
            if (FLOAT.matcher(text).matches()) {
                return NODES.numberNode(new BigDecimal(text));
            }
        }
        return NODES.stringNode(text);
    }

    static String describe(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }
}
