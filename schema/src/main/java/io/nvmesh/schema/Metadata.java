package io.nvmesh.schema;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Kubernetes-style object metadata. Names are DNS-1123 labels (lower case, digits, '-', at most 63 characters),
 * so they are safe as Git file names, event topics and URL path segments.
 */
public record Metadata(String name, Map<String, String> labels, Map<String, String> annotations) {

    public static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /**
     * A label key, as the schemas' {@code labelKey}: an optional DNS prefix and '/', then 1-63 of {@code A-Z a-z 0-9
     * - _ .} starting and ending with a letter or digit. Manifests, inventory files and agents follow it.
     */
    public static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    /** A label value (Kubernetes' rule): empty, or at most 63 of {@code A-Z a-z 0-9 - _ .}, alphanumeric at both ends. */
    public static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");

    public Metadata {
        Objects.requireNonNull(name, "metadata.name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(String.format(
                    "metadata.name: \"%s\" is not a valid name (lower case letters, digits and '-', at most 63)", name));
        }
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    public static Metadata named(String name) {
        return new Metadata(name, Map.of(), Map.of());
    }
}
