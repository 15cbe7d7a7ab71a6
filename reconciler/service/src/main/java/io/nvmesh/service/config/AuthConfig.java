package io.nvmesh.service.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Bearer tokens, one role each: admin tokens may read and write, read tokens only read, the peer secret is what
 * reconciler instances present to each other, the agent secret what node agents present. An empty secret disables
 * that kind of caller. {@link #toString()} never shows a token.
 */
public record AuthConfig(List<String> adminTokens, List<String> readTokens, String peerSecret, String agentSecret) {

    /** Short tokens are guessable; 16 characters is the floor, 32 random ones the advice. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public AuthConfig {
        adminTokens = List.copyOf(adminTokens);
        readTokens = List.copyOf(readTokens);
        peerSecret = Objects.requireNonNullElse(peerSecret, "");
        agentSecret = Objects.requireNonNullElse(agentSecret, "");
        List<String> all = new ArrayList<>(adminTokens);
        all.addAll(readTokens);
        if (!peerSecret.isEmpty()) {
            all.add(peerSecret);
        }
        if (!agentSecret.isEmpty()) {
            all.add(agentSecret);
        }
        Set<String> seen = new HashSet<>();
        for (String token : all) {
            checkToken(token);
            if (!seen.add(token)) {
                throw new IllegalArgumentException("a token may have only one role, but one is listed twice");
            }
        }
    }

    /** No tokens at all: every guarded endpoint refuses. */
    public static AuthConfig none() {
        return new AuthConfig(List.of(), List.of(), "", "");
    }

    static void checkToken(String token) {
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

    @Override
    public String toString() {
        return "AuthConfig[adminTokens=" + adminTokens.size() + ", readTokens=" + readTokens.size()
                + ", peerSecret=" + (peerSecret.isEmpty() ? "none" : "set")
                + ", agentSecret=" + (agentSecret.isEmpty() ? "none" : "set") + "]";
    }
}
