package io.nvmesh.service;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.config.AuthConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The credentials of test clusters: one admin and one read token, an instance credential per instance id (each
 * instance presents its own), and one agent credential that speaks for every node, as a simulated fleet needs. Tests
 * of the per-node binding make their own agent credentials.
 */
public final class TestAuth {

    public static final String ADMIN = "admin-token-000000000001";
    public static final String READ = "read-token-0000000000001";
    /** The simulated fleet's token: its credential ({@code fleet}) speaks for nodes {@code *}. */
    public static final String AGENT = "agent-token-000000000001";

    private TestAuth() {
    }

    /** The token instance {@code id} presents to its peers. */
    public static String instanceToken(String id) {
        return "instance-token-" + id + "-000000";
    }

    /** People and the fleet, no instances: a single instance. */
    public static AuthConfig single() {
        return AuthConfig.tokens(List.of(ADMIN), List.of(READ))
                .with(Credential.ofToken("fleet", Role.AGENT, List.of("*"), AGENT));
    }

    /**
     * For instances started as processes from configuration files in {@code dir}: writes {@code credentials.yaml}
     * (people, the fleet, every member) and {@code <id>.token} per member.
     */
    public static void writeFiles(Path dir, Collection<String> members) throws IOException {
        CredentialsFile.write(dir.resolve("credentials.yaml"), of(members.iterator().next(), members).credentials());
        for (String id : members) {
            Files.writeString(dir.resolve(id + ".token"), instanceToken(id) + "\n");
        }
    }

    /** The {@code auth:} section of a configuration file in the folder {@link #writeFiles} wrote to. */
    public static String authYaml(String self) {
        return "auth:\n  credentialsFile: credentials.yaml\n  tokenFile: " + self + ".token\n";
    }

    /** What instance {@code self} of a cluster of {@code members} is configured with. */
    public static AuthConfig of(String self, Collection<String> members) {
        AuthConfig auth = single();
        for (String id : members) {
            auth = auth.with(Credential.ofToken(id, Role.INSTANCE, List.of(), instanceToken(id)));
        }
        return auth.withToken(instanceToken(self));
    }
}
