package io.nvmesh.service.auth;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;

import java.util.List;
import java.util.Objects;

/**
 * The authenticated identity behind a request: the credential's name (for an instance its instance id), its role and,
 * for an agent, the node ids it may speak for. Endpoints compare what a message claims (a heartbeat's id, a counter
 * entry's contributor, an event's origin, a hello's node id) with this, never with anything in the message alone.
 *
 * @param name  the credential's name; an instance's id for {@link Role#INSTANCE}
 * @param role  what it may do
 * @param nodes for an agent: the node ids it speaks for ({@code prefix*} patterns allowed); empty otherwise
 */
public record Caller(String name, Role role, List<String> nodes) {

    /** Health checks and other public routes: nobody in particular. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Role.READ, List.of());

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        nodes = List.copyOf(nodes);
    }

    /** The identity a request made with this credential has. */
    public static Caller of(Credential credential) {
        return new Caller(credential.name(), credential.role(), credential.nodes());
    }

    /** True when this caller is the reconciler instance {@code id}. */
    public boolean isInstance(String id) {
        return role == Role.INSTANCE && name.equals(id);
    }

    /** True when this caller is an agent that may speak for {@code nodeId}. */
    public boolean speaksFor(String nodeId) {
        return role == Role.AGENT && Credential.matchesAny(nodes, nodeId);
    }

    @Override
    public String toString() {
        return role.word() + " " + name;
    }
}
