package io.nvmesh.service.config;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.Role;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call this instance and what it presents to its peers.
 *
 * @param credentials     credentials given in the configuration itself (the {@code adminTokens} and {@code
 *                        readTokens} lists, or a test's); fixed for the life of the process
 * @param credentialsFile the credentials file (docs/security.md): people, instances and agents, each with its own
 *                        token hash; reloaded when it changes, so credentials are added and revoked without a restart
 * @param token           this instance's own token, sent to its peers; its credential (role {@code instance}, named
 *                        after this instance) must be in the credentials; empty when the instance has no peers
 */
public record AuthConfig(Credentials credentials, Optional<Path> credentialsFile, String token) {

    public AuthConfig {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(credentialsFile, "credentialsFile");
        token = Objects.requireNonNullElse(token, "");
        if (!token.isEmpty()) {
            Credential.checkToken(token);
        }
    }

    /** No callers at all: every guarded endpoint refuses. */
    public static AuthConfig none() {
        return new AuthConfig(Credentials.none(), Optional.empty(), "");
    }

    /** People's tokens given in clear: {@code admin-1..n} and {@code read-1..n}. */
    public static AuthConfig tokens(List<String> adminTokens, List<String> readTokens) {
        List<Credential> people = new ArrayList<>();
        for (int i = 0; i < adminTokens.size(); i++) {
            people.add(Credential.ofToken("admin-" + (i + 1), Role.ADMIN, List.of(), adminTokens.get(i)));
        }
        for (int i = 0; i < readTokens.size(); i++) {
            people.add(Credential.ofToken("read-" + (i + 1), Role.READ, List.of(), readTokens.get(i)));
        }
        return new AuthConfig(Credentials.of(people), Optional.empty(), "");
    }

    /** These credentials as well. */
    public AuthConfig with(Credential... more) {
        return new AuthConfig(credentials.plus(Credentials.of(List.of(more))), credentialsFile, token);
    }

    public AuthConfig withCredentialsFile(Path file) {
        return new AuthConfig(credentials, Optional.of(file), token);
    }

    /** The token this instance presents to its peers. */
    public AuthConfig withToken(String ownToken) {
        return new AuthConfig(credentials, credentialsFile, ownToken);
    }

    @Override
    public String toString() {
        return "AuthConfig[credentials=" + credentials.all().size() + ", credentialsFile="
                + credentialsFile.map(Path::toString).orElse("none") + ", token=" + (token.isEmpty() ? "none" : "set")
                + "]";
    }
}
