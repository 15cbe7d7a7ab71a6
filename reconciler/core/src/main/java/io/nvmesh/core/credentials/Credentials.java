package io.nvmesh.core.credentials;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable set of credentials, looked up by the hash of the token presented. One name may hold several
 * credentials of the same role at once (the old and the new token while one is being rotated); one name may not have
 * two roles, and one token may not belong to two credentials.
 */
public final class Credentials {

    private static final Credentials EMPTY = new Credentials(List.of());

    private final List<Credential> all;
    private final Map<String, Credential> byHash = new HashMap<>();

    private Credentials(List<Credential> all) {
        this.all = List.copyOf(all);
        Map<String, Role> roles = new HashMap<>();
        for (Credential c : this.all) {
            Role before = roles.putIfAbsent(c.name(), c.role());
            if (before != null && before != c.role()) {
                throw new IllegalArgumentException("credential " + c.name() + " is listed as " + before.word()
                        + " and as " + c.role().word() + "; a name has one role");
            }
            if (byHash.putIfAbsent(c.sha256(), c) != null) {
                throw new IllegalArgumentException("two credentials (" + byHash.get(c.sha256()).name() + ", " + c.name()
                        + ") have the same token; each caller needs its own");
            }
        }
    }

    /** Checks the rules above; the message names the credentials at fault. */
    public static Credentials of(List<Credential> credentials) {
        return credentials.isEmpty() ? EMPTY : new Credentials(credentials);
    }

    public static Credentials none() {
        return EMPTY;
    }

    /** Both sets together; the same rules apply to the union. */
    public Credentials plus(Credentials other) {
        List<Credential> both = new ArrayList<>(all);
        both.addAll(other.all);
        return of(both);
    }

    /** The credential a token belongs to, if it is known and not expired at {@code now}. */
    public Optional<Credential> lookup(String token, Instant now) {
        Credential c = byHash.get(Credential.hash(token));
        return c == null || c.expiredAt(now) ? Optional.empty() : Optional.of(c);
    }

    /** True when a credential with this name and role exists and has not expired (an open session may go on). */
    public boolean holds(String name, Role role, Instant now) {
        for (Credential c : all) {
            if (c.name().equals(name) && c.role() == role && !c.expiredAt(now)) {
                return true;
            }
        }
        return false;
    }

    public List<Credential> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    @Override
    public String toString() {
        return "Credentials[" + all.size() + "]";
    }
}
