package io.nvmesh.service.agent;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Constants of the agent protocol: where it is served, its versions and its close codes. */
public final class AgentProtocol {

    /** The WebSocket endpoint on every instance. */
    public static final String PATH = "/v1/agent";

    /** The versions this build speaks, oldest first. */
    public static final List<Integer> VERSIONS = List.of(1);

    /** The agent is going away on purpose (node shutdown, stopped by an operator). */
    public static final int CLOSE_NORMAL = 1000;
    /** The instance is stopping. Reconnect anywhere. */
    public static final int CLOSE_GOING_AWAY = 1001;
    /** Another instance owns the node; the reason is {@code moved <owner> <url>}. Reconnect there at once. */
    public static final int CLOSE_MOVED = 4300;
    /** The peer broke the protocol (bad JSON, unknown type, no hello first). The reason says what. */
    public static final int CLOSE_PROTOCOL_ERROR = 4400;
    /** The agent's credential is no longer valid (revoked or expired); it may retry once it has a valid one. */
    public static final int CLOSE_UNAUTHORIZED = 4401;
    /** The agent's credential may not speak for the node id of its hello. Reconnecting will not help. */
    public static final int CLOSE_FORBIDDEN = 4403;
    /** No hello arrived in time. */
    public static final int CLOSE_HELLO_TIMEOUT = 4408;
    /** A newer connection of the same node took over; do not reconnect from this one. */
    public static final int CLOSE_REPLACED = 4409;
    /** No protocol version in common. Reconnecting will not help; upgrade the agent or the instance. */
    public static final int CLOSE_UNSUPPORTED_VERSION = 4426;

    /** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
    static final int MAX_REASON_BYTES = 123;

    private static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private AgentProtocol() {
    }

    /** Whether {@code id} is a node id: 1-63 lower-case letters, digits, {@code .}, {@code _}, {@code -}. */
    public static boolean isNodeId(String id) {
        return id != null && NODE_ID.matcher(id).matches();
    }

    /** Checks a node id: 1-63 lower-case letters, digits, {@code .}, {@code _}, {@code -}. */
    public static String checkNodeId(String id) {
        if (!isNodeId(id)) {
            throw new IllegalArgumentException("node id \"" + id
                    + "\" must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return id;
    }

    /** The close reason of {@link #CLOSE_MOVED}. */
    public static String movedReason(String owner, URI url) {
        return truncate("moved " + owner + " " + url);
    }

    /** The owner's URL from a {@link #CLOSE_MOVED} reason, if it is one. */
    public static Optional<URI> movedTo(String reason) {
        if (reason == null || !reason.startsWith("moved ")) {
            return Optional.empty();
        }
        String[] parts = reason.split(" ");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(URI.create(parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The WebSocket URL of the agent endpoint of an instance at {@code base} (http → ws, https → wss). */
    public static URI endpointOf(URI base) {
        String s = base.toString().replaceAll("/+$", "");
        if (s.startsWith("https://")) {
            s = "wss://" + s.substring("https://".length());
        } else if (s.startsWith("http://")) {
            s = "ws://" + s.substring("http://".length());
        }
        return URI.create(s + PATH);
    }

    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        String cut = reason;
        while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES - 3) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "...";
    }

    /** A close reason that fits the frame. */
    public static String reason(String text) {
        return truncate(text);
    }
}
