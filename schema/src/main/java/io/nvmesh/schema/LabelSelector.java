package io.nvmesh.schema;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A Kubernetes-style label selector: every {@code matchLabels} pair and every expression must hold. */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = matchLabels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(matchLabels));
        matchExpressions = List.copyOf(matchExpressions == null ? List.of() : matchExpressions);
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Operators of {@code matchExpressions}, as Kubernetes spells them. */
    public enum Operator { In, NotIn, Exists, DoesNotExist }

    /** One expression: {@code key In [a, b]}, {@code key Exists} ... */
    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(operator, "operator");
            values = List.copyOf(values == null ? List.of() : values);
            boolean needsValues = operator == Operator.In || operator == Operator.NotIn;
            if (needsValues && values.isEmpty()) {
                throw new IllegalArgumentException("operator " + operator + " needs at least one value");
            }
            if (!needsValues && !values.isEmpty()) {
                throw new IllegalArgumentException("operator " + operator + " takes no values");
            }
        }

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case In -> v != null && values.contains(v);
                case NotIn -> v == null || !values.contains(v);
                case Exists -> v != null;
                case DoesNotExist -> v == null;
            };
        }
    }
}
