package io.nvmesh.core.state;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

/**
 * JGit's Apache MINA SSH client held to {@link SshAccess}: one identity, one known_hosts file, host keys checked
 * strictly, and nothing read from the user's {@code ~/.ssh} (its home and SSH folders point at a folder that does not
 * exist, so no config file, default key or default known_hosts is found) nor from an SSH agent. JGit's own known_hosts
 * database does the checking; this class only fixes what it is told and remembers why it last said no, because
 * the SSH library reports a refused host key as a bare "did not validate".
 */
final class SshSessions extends SshdSessionFactory {

    private final SshAccess access;
    private final AtomicReference<String> lastRefusal = new AtomicReference<>("");

    SshSessions(SshAccess access, Path nowhere) {
        this.access = access;
        File none = nowhere.toFile();
        setHomeDirectory(none);
        setSshDirectory(none);
    }

    /** Why the last host key was refused, in one sentence; {@code ""} if none was. */
    String lastRefusal() {
        return lastRefusal.get();
    }

    @Override
    protected List<Path> getDefaultKnownHostsFiles(File sshDir) {
        return List.of(access.knownHosts());
    }

    @Override
    protected List<Path> getDefaultIdentities(File sshDir) {
        return List.of(access.identity());
    }

    @Override
    protected ConnectorFactory getConnectorFactory() {
        return null; // no SSH agent: the configured key only
    }

    @Override
    protected String getDefaultPreferredAuthentications() {
        return "publickey";
    }

    @Override
    protected ServerKeyDatabase getServerKeyDatabase(File homeDir, File sshDir) {
        ServerKeyDatabase jgits = super.getServerKeyDatabase(homeDir, sshDir);
        return new Strict(jgits);
    }

    /** JGit's database, always with this file only and StrictHostKeyChecking yes. */
    private final class Strict implements ServerKeyDatabase {

        private final ServerKeyDatabase delegate;

        Strict(ServerKeyDatabase delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return delegate.lookup(connectAddress, remoteAddress, strict(config));
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            Configuration strict = strict(config);
            if (delegate.accept(connectAddress, remoteAddress, serverKey, strict, null)) {
                lastRefusal.set("");
                return true;
            }
            List<PublicKey> known = delegate.lookup(connectAddress, remoteAddress, strict);
            String offered = KeyUtils.getKeyType(serverKey) + " " + KeyUtils.getFingerPrint(serverKey);
            lastRefusal.set(known.isEmpty()
                    ? "host key refused: " + connectAddress + " offered " + offered + ", and " + access.knownHosts()
                            + " holds no key for it (add the server's key line, e.g. from ssh-keyscan, after checking "
                            + "its fingerprint)"
                    : "host key refused: " + connectAddress + " offered " + offered + ", but " + access.knownHosts()
                            + " holds another key for it (" + known.stream().map(KeyUtils::getFingerPrint)
                                    .collect(Collectors.joining(", "))
                            + "): the server's key changed, or this is not the server; replace the line only after "
                            + "checking the new fingerprint");
            return false;
        }

        private Configuration strict(Configuration session) {
            String user = session.getUsername();
            return new Configuration() {
                @Override
                public List<String> getUserKnownHostsFiles() {
                    return List.of(access.knownHosts().toString());
                }

                @Override
                public List<String> getGlobalKnownHostsFiles() {
                    return List.of();
                }

                @Override
                public StrictHostKeyChecking getStrictHostKeyChecking() {
                    return StrictHostKeyChecking.REQUIRE_MATCH;
                }

                @Override
                public boolean getHashKnownHosts() {
                    return false;
                }

                @Override
                public String getUsername() {
                    return user;
                }
            };
        }
    }
}
