package io.nvmesh.core.state;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a store logs in to an SSH remote: the private key it offers, and the known_hosts file that must already hold the
 * server's host key. Nothing else is read: not {@code ~/.ssh/config}, not the user's keys or known hosts, not an
 * agent. A host key that is missing from the file, or that differs from the one it holds, ends the connection before
 * anything is sent (OpenSSH's {@code StrictHostKeyChecking yes}).
 *
 * @param identity   an OpenSSH private key without a passphrase (mode 0600), e.g. one {@code ssh-keygen -t ed25519 -N ''}
 *                   made
 * @param knownHosts an OpenSSH known_hosts file, e.g. written by {@code ssh-keyscan -p PORT HOST}; hashed host names
 *                   are understood
 */
public record SshAccess(Path identity, Path knownHosts) {

    public SshAccess {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(knownHosts, "knownHosts");
        identity = identity.toAbsolutePath().normalize();
        knownHosts = knownHosts.toAbsolutePath().normalize();
    }
}
