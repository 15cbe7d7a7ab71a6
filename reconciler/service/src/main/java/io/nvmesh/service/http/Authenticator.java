package io.nvmesh.service.http;

import io.nvmesh.service.config.AuthConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a bearer token may call a route: 401 when no token was given or it is not one we know (the caller
 * must authenticate), 403 when the token is known but its role does not reach the route (authenticating again will
 * not help).
 */
final class Authenticator {

    enum Role { ADMIN, READ, PEER, AGENT }

    private record Known(byte[] digest, Role role) {
    }

    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"nvmesh\"");
    private static final Map<String, String> INVALID = Map.of("WWW-Authenticate",
            "Bearer realm=\"nvmesh\", error=\"invalid_token\"");

    private final List<Known> known = new ArrayList<>();

    Authenticator(AuthConfig auth) {
        auth.adminTokens().forEach(t -> known.add(new Known(sha256(t), Role.ADMIN)));
        auth.readTokens().forEach(t -> known.add(new Known(sha256(t), Role.READ)));
        if (!auth.peerSecret().isEmpty()) {
            known.add(new Known(sha256(auth.peerSecret()), Role.PEER));
        }
        if (!auth.agentSecret().isEmpty()) {
            known.add(new Known(sha256(auth.agentSecret()), Role.AGENT));
        }
    }

    /** Returns normally when allowed; throws the 401 or 403 problem otherwise. */
    void check(Access access, String authorization) {
        if (access == Access.PUBLIC) {
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "this endpoint needs an `Authorization: Bearer <token>` header", CHALLENGE);
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "only bearer tokens are accepted (`Authorization: Bearer <token>`)", CHALLENGE);
        }
        Role role = roleOf(parts[1]);
        if (role == null) {
            throw new ApiException(401, "unauthorized", "Unauthorized", "the bearer token is not valid", INVALID);
        }
        boolean allowed = switch (access) {
            case READ -> role == Role.READ || role == Role.ADMIN;
            case WRITE -> role == Role.ADMIN;
            case PEER -> role == Role.PEER;
            case AGENT -> role == Role.AGENT;
            case PUBLIC -> true;
        };
        if (!allowed) {
            throw new ApiException(403, "forbidden", "Forbidden", "a " + role.name().toLowerCase()
                    + " token may not " + describe(access), Map.of());
        }
    }

    /** Compares digests of equal length without stopping early, so timing tells nothing about the tokens. */
    private Role roleOf(String token) {
        byte[] presented = sha256(token);
        Role found = null;
        for (Known k : known) {
            if (MessageDigest.isEqual(k.digest, presented)) {
                found = k.role;
            }
        }
        return found;
    }

    private static String describe(Access access) {
        return switch (access) {
            case READ -> "read this (a read or admin token is needed)";
            case WRITE -> "change this (an admin token is needed)";
            case PEER -> "call peer endpoints (the peer secret is needed)";
            case AGENT -> "call agent endpoints (the agent secret is needed)";
            case PUBLIC -> "do this";
        };
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
