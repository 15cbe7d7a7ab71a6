package io.nvmesh.core.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One caller's credential as an instance stores it: never the token, only its SHA-256. A token is looked up by its
 * hash, so finding one takes the same time whatever the token, and a stolen credentials file gives no token away.
 *
 * @param name    who: an instance id for {@link Role#INSTANCE}, a node or person name otherwise; 1-63 of
 *                {@code [a-z0-9._-]}
 * @param role    what it may do
 * @param nodes   for an agent, the node ids it speaks for: exact ids, or {@code prefix*} (a simulator playing a whole
 *                fleet); must be empty for the other roles
 * @param sha256  lower-case hex SHA-256 of the token's UTF-8 bytes
 * @param expires when it stops being accepted; empty: never
 */
public record Credential(String name, Role role, List<String> nodes, String sha256, Optional<Instant> expires) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern NODE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}|[a-z0-9._-]{0,62}\\*");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    /** Short tokens are guessable; 16 characters is the floor, generated ones have 43. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    public Credential {
        checkName(name);
        Objects.requireNonNull(role, "role");
        nodes = List.copyOf(nodes);
        if (role == Role.AGENT && nodes.isEmpty()) {
            throw new IllegalArgumentException("agent credential " + name + " must name the node ids it speaks for");
        }
        if (role != Role.AGENT && !nodes.isEmpty()) {
            throw new IllegalArgumentException("only agent credentials name nodes, but " + role.word() + " " + name
                    + " does");
        }
        for (String n : nodes) {
            if (n == null || !NODE.matcher(n).matches()) {
                throw new IllegalArgumentException("node \"" + n + "\" of credential " + name + " must be a node id"
                        + " (1-63 of a-z 0-9 . _ -) or a prefix ending in *");
            }
        }
        if (sha256 == null || !HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 of credential " + name + " must be 64 lower-case hex digits");
        }
        Objects.requireNonNull(expires, "expires");
    }

    /** A credential for a token given in clear (inline configuration, tests, {@code nvmesh token create}). */
    public static Credential ofToken(String name, Role role, List<String> nodes, String token) {
        checkToken(token);
        return new Credential(name, role, nodes, hash(token), Optional.empty());
    }

    /** A new random token: 32 bytes from {@link SecureRandom}, URL-safe, with a prefix that secret scanners find. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "nvmesh_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a token. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Checks a token given in clear; the message says what is wrong without showing it. */
    public static void checkToken(String token) {
        if (token == null || token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("tokens must be at least " + MIN_TOKEN_LENGTH + " characters long");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("tokens must be printable ASCII without spaces");
            }
        }
    }

    /** Checks a credential name; the message says what is wrong with it. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("credential name \"" + name
                    + "\" must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** True when it is past its expiry at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expires.isPresent() && !now.isBefore(expires.get());
    }

    /** True when this credential may speak for {@code nodeId}. */
    public boolean speaksFor(String nodeId) {
        return role == Role.AGENT && matchesAny(nodes, nodeId);
    }

    public static boolean matchesAny(List<String> patterns, String nodeId) {
        if (nodeId == null) {
            return false;
        }
        for (String p : patterns) {
            if (p.endsWith("*") ? nodeId.startsWith(p.substring(0, p.length() - 1)) : p.equals(nodeId)) {
                return true;
            }
        }
        return false;
    }

    /** True when a node pattern lets its holder speak for many nodes (warned about: for simulators). */
    public boolean isWildcard() {
        return nodes.stream().anyMatch(n -> n.endsWith("*"));
    }

    @Override
    public String toString() {
        return role.word() + " " + name + (nodes.isEmpty() ? "" : " " + nodes);
    }
}
