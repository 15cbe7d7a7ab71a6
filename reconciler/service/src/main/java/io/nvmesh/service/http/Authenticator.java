package io.nvmesh.service.http;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.metrics.RefusalCounts;

import java.util.Map;
import java.util.Optional;

/**
 * Turns a bearer token into the {@link Caller} behind it and decides whether that caller may call a route: 401 when
 * no token was given or it is not one we know (the caller must authenticate), 403 when the caller is known but its role
 * does not reach the route (authenticating again will not help). Tokens are looked up by their SHA-256, so the time
 * taken tells nothing about the tokens we know.
 */
final class Authenticator {

    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"nvmesh\"");
    private static final Map<String, String> INVALID = Map.of("WWW-Authenticate",
            "Bearer realm=\"nvmesh\", error=\"invalid_token\"");

    private final CredentialSource credentials;
    private final RefusalCounts refusals;

    Authenticator(CredentialSource credentials, RefusalCounts refusals) {
        this.credentials = credentials;
        this.refusals = refusals;
    }

    /** For tests and tools that have only a configuration. */
    Authenticator(AuthConfig auth) {
        this(CredentialSource.load(auth), new RefusalCounts());
    }

    CredentialSource credentials() {
        return credentials;
    }

    /** The caller, when allowed; throws the 401 or 403 problem otherwise. Public routes give {@link Caller#ANONYMOUS}. */
    Caller check(Access access, String authorization) {
        if (access == Access.PUBLIC) {
            return Caller.ANONYMOUS;
        }
        try {
            return checkCaller(access, authorization);
        } catch (ApiException e) {
            refusals.count(RefusalCounts.AUTH, e.type);
            throw e;
        }
    }

    private Caller checkCaller(Access access, String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "this endpoint needs an `Authorization: Bearer <token>` header", CHALLENGE);
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "only bearer tokens are accepted (`Authorization: Bearer <token>`)", CHALLENGE);
        }
        Optional<Caller> found = credentials.authenticate(parts[1]);
        if (found.isEmpty()) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "the bearer token is not valid (unknown, revoked or expired)", INVALID);
        }
        Caller caller = found.get();
        Role role = caller.role();
        boolean allowed = switch (access) {
            case READ -> role == Role.READ || role == Role.ADMIN;
            case WRITE -> role == Role.ADMIN;
            case PEER -> role == Role.INSTANCE;
            case AGENT -> role == Role.AGENT;
            case PUBLIC -> true;
        };
        if (!allowed) {
            throw new ApiException(403, "forbidden", "Forbidden", "a " + role.word()
                    + " credential may not " + describe(access), Map.of());
        }
        return caller;
    }

    private static String describe(Access access) {
        return switch (access) {
            case READ -> "read this (a read or admin credential is needed)";
            case WRITE -> "change this (an admin credential is needed)";
            case PEER -> "call peer endpoints (an instance credential is needed)";
            case AGENT -> "call agent endpoints (an agent credential is needed)";
            case PUBLIC -> "do this";
        };
    }
}
