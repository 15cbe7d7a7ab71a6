package io.nvmesh.service.agent;

/** What a managed node is; its ownership key is {@code <kind>/<id>}. */
public enum NodeKind {
    TARGET("target"),
    CLIENT("client");

    private final String keySpace;

    NodeKind(String keySpace) {
        this.keySpace = keySpace;
    }

    /** The ownership key space of this kind, e.g. {@code target}. */
    public String keySpace() {
        return keySpace;
    }

    /** The ownership key of a node of this kind, e.g. {@code target/t-001}. */
    public String key(String nodeId) {
        return keySpace + "/" + nodeId;
    }
}
