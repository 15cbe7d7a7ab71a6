package io.nvmesh.core.state;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PackLock;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A repository behind a Git URL, worked on through a bare mirror in a cache folder. Reads fetch just the ref asked
 * for; commits are built in the mirror and pushed with a lease: JGit refuses locally when the advertised tip is not
 * the expected one, and the server's receive-pack refuses when the ref moves between advertisement and update
 * (the command it gets names the old id). Either refusal is a lost race.
 *
 * <p>The mirror is only a cache; its refs are updated best-effort so that fetches negotiate what we already have.
 *
 * <p>An SSH remote is reached only with the {@link SshAccess} of the options (its key, its known_hosts file, host
 * keys checked strictly); without one it is refused at open, so the user's {@code ~/.ssh} is never read by surprise.
 */
final class RemoteGitStore extends GitStore {

    private final URIish uri;
    private final StaleLocks mirrorLocks;
    /** The SSH client of an SSH remote, null for any other. */
    private final SshSessions ssh;

    private RemoteGitStore(Repository mirror, URIish uri, StoreOptions options, SshSessions ssh) {
        super(mirror, options);
        this.uri = uri;
        this.mirrorLocks = new StaleLocks(mirror.getDirectory().toPath(), options.staleLockAfter());
        this.ssh = ssh;
    }

    static RemoteGitStore open(String url, Path cacheDir, StoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(options, "options");
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(String.format("\"%s\" is not a Git URL: %s", url, e.getMessage()), e);
        }
        Path mirror = cacheDir.resolve(mirrorName(uri, url));
        Repository repo;
        try {
            repo = LocalGitStore.openOrCreateBare(mirror);
        } catch (IOException e) {
            throw failure("cannot open mirror " + mirror, e);
        }
        SshSessions ssh = null;
        try (Transport probe = Transport.open(repo, uri)) {
            if (probe instanceof SshTransport) {
                SshAccess access = options.ssh().orElseThrow(() -> new IllegalArgumentException(uri.toPrivateString()
                        + " is an SSH remote: it needs the private key to log in with and a known_hosts file holding "
                        + "the server's host key (~/.ssh is not read; docs/state-store.md)"));
                // A folder that does not exist: JGit finds no ~/.ssh/config, default key or known_hosts there.
                ssh = new SshSessions(access, mirror.resolve("no-ssh-home"));
            }
        } catch (IOException | RuntimeException e) {
            repo.close();
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw failure("cannot reach " + uri.toPrivateString(), e);
        }
        return new RemoteGitStore(repo, uri, options, ssh);
    }

    /** One mirror per URL: a readable name plus a hash, so two URLs ending in {@code repo.git} do not share. */
    static String mirrorName(URIish uri, String url) {
        String human = uri.getHumanishName().replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return (human.isEmpty() ? "repo" : human) + "-" + HexFormat.of().formatHex(h, 0, 6) + ".git";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    @Override
    void haveCommits(String fullRef, List<ObjectId> ids) throws IOException {
        for (ObjectId id : ids) {
            if (!has(id)) {
                readRef(fullRef, this::fetch);
                return;
            }
        }
    }

    @Override
    public String resolve(String ref) {
        return readRef(RefNames.full(ref), name -> RefNames.hex(remoteTip(name)));
    }

    @Override
    public void forceRef(String ref, String newId) {
        String name = RefNames.full(ref);
        ObjectId target = RefNames.expected(newId);
        try {
            RemoteRefUpdate update = new RemoteRefUpdate(repo, target == null ? null : target.name(), name, true, null,
                    null);
            try (Transport t = transport()) {
                t.push(NullProgressMonitor.INSTANCE, List.of(update));
            }
            if (update.getStatus() != RemoteRefUpdate.Status.OK
                    && update.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE
                    && update.getStatus() != RemoteRefUpdate.Status.NON_EXISTING) {
                throw new StateStoreException("forcing " + name + " on " + uri + " ended " + update.getStatus() + ": "
                        + update.getMessage());
            }
        } catch (IOException e) {
            throw remoteFailure("cannot force " + name + " of " + uri, e);
        }
    }

    @Override
    public CommitResult setRef(String ref, String expectedOldId, String newId) {
        String name = RefNames.full(ref);
        ObjectId expected = RefNames.expected(expectedOldId);
        ObjectId target = RefNames.expected(newId);
        Objects.requireNonNull(target, "newId");
        try {
            if (!has(target)) {
                throw new StateStoreException("no commit " + newId + " in the mirror of " + uri
                        + " (read the ref it belongs to first)");
            }
            return push(name, expected, target);
        } catch (IOException e) {
            throw remoteFailure("cannot set " + name + " of " + uri, e);
        }
    }

    @Override
    public Snapshot read(String ref) {
        return readRef(RefNames.full(ref), name -> snapshotAt(fetch(name)));
    }

    private interface RefRead<T> {
        T from(String fullRef) throws IOException;
    }

    /** Reads {@code name} from the remote; an I/O failure says which ref and which remote. */
    private <T> T readRef(String name, RefRead<T> read) {
        try {
            return read.from(name);
        } catch (IOException e) {
            throw remoteFailure("cannot read " + name + " from " + uri.toPrivateString(), e);
        }
    }

    @Override
    public Snapshot read(String ref, String commitId) {
        String name = RefNames.full(ref);
        ObjectId id = RefNames.expected(commitId);
        if (id == null) {
            return Snapshot.empty();
        }
        try {
            if (!has(id)) {
                fetch(name);
            }
            if (!has(id)) {
                throw new StateStoreException("no commit " + commitId + " on " + name + " of " + uri);
            }
            return snapshotAt(id);
        } catch (IOException e) {
            throw remoteFailure("cannot read commit " + commitId + " from " + uri, e);
        }
    }

    /** A base the mirror does not have is fetched; one the remote does not have either is gone. */
    @Override
    CommitResult lostBeforeBuild(String name, ObjectId expected) throws IOException {
        if (expected != null && !has(expected)) {
            ObjectId tip = fetch(name);
            if (!has(expected)) {
                return new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(tip));
            }
        }
        return null;
    }

    @Override
    ObjectId currentTip(String name) throws IOException {
        return remoteTip(name);
    }

    @Override
    CommitResult publish(String name, ObjectId expected, ObjectId newId, String message) throws IOException {
        return push(name, expected, newId);
    }

    @Override
    StateStoreException commitFailure(String name, IOException e) {
        return remoteFailure("cannot commit to " + name + " of " + uri, e);
    }

    private CommitResult push(String name, ObjectId expected, ObjectId newId) throws IOException {
        RemoteRefUpdate update = new RemoteRefUpdate(repo, null, newId, name, false, null,
                expected == null ? ObjectId.zeroId() : expected);
        PushResult result;
        try (Transport t = transport()) {
            result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
        } catch (TransportException e) {
            // The connection may have dropped after the server applied the update; ask before deciding.
            return afterUncertainPush(name, expected, newId, e);
        }
        switch (update.getStatus()) {
            case OK, UP_TO_DATE:
                remember(name, newId);
                return new CommitResult.Committed(newId.name(), RefNames.hex(expected));
            case REJECTED_REMOTE_CHANGED, REJECTED_NONFASTFORWARD:
                Ref advertised = result.getAdvertisedRef(name);
                return new CommitResult.LostRace(RefNames.hex(expected),
                        advertised == null ? "" : advertised.getObjectId().name());
            case REJECTED_OTHER_REASON:
                // receive-pack refused after the advertisement matched: the ref moved in between (a lost race),
                // or a hook or permission said no (an error). The remote's tip tells which.
                ObjectId now = remoteTip(name);
                if (newId.equals(now)) {
                    remember(name, newId);
                    return new CommitResult.Committed(newId.name(), RefNames.hex(expected));
                }
                if (!Objects.equals(now, expected)) {
                    return new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(now));
                }
                String why = String.valueOf(update.getMessage());
                if (why.toLowerCase(java.util.Locale.ROOT).contains("lock")) {
                    // Another push holds the server's ref lock and has not landed yet (or left it behind on the
                    // server, where we cannot judge its age): retry later.
                    return new CommitResult.Busy(uri + " " + name, why);
                }
                throw new StateStoreException(uri + " refused the update of " + name + ": " + why);
            default:
                throw new StateStoreException(
                        "push of " + name + " to " + uri + " ended " + update.getStatus() + ": " + update.getMessage());
        }
    }

    private CommitResult afterUncertainPush(String name, ObjectId expected, ObjectId newId, TransportException cause)
            throws IOException {
        ObjectId now;
        try {
            now = remoteTip(name);
        } catch (IOException again) {
            cause.addSuppressed(again);
            throw cause;
        }
        if (newId.equals(now)) {
            remember(name, newId);
            return new CommitResult.Committed(newId.name(), RefNames.hex(expected));
        }
        if (!Objects.equals(now, expected)) {
            return new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(now));
        }
        throw cause;
    }

    @Override
    public void close() {
        try {
            if (ssh != null) {
                ssh.close();
            }
        } finally {
            super.close();
        }
    }

    /** An SSH refusal of the server's host key says so in one sentence; anything else as {@link #failure}. */
    private StateStoreException remoteFailure(String what, IOException e) {
        String refused = ssh == null ? "" : ssh.lastRefusal();
        if (!refused.isEmpty()) {
            return new StateStoreException(what + ": " + refused, e);
        }
        return failure(what, e);
    }

    private Transport transport() throws IOException {
        return configured(Transport.open(repo, uri), options, ssh);
    }

    /**
     * {@code t} set up as every connection to a remote is (the store's and {@code --check}'s probe): SSH through
     * {@code ssh} (the configured key and known_hosts only), the network timeout, and user/token when given.
     */
    static Transport configured(Transport t, StoreOptions options, SshSessions ssh) {
        if (t instanceof SshTransport st) {
            st.setSshSessionFactory(ssh);
        }
        t.setTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, options.networkTimeout().toSeconds())));
        options.credentials().ifPresent(
                c -> t.setCredentialsProvider(new UsernamePasswordCredentialsProvider(c.username(), c.secret())));
        return t;
    }

    /** The remote's tip of {@code name} (null if absent), with its objects fetched into the mirror. */
    private ObjectId fetch(String name) throws IOException {
        try (Transport t = transport(); FetchConnection fc = t.openFetch(List.of(new RefSpec(name)))) {
            Ref remote = fc.getRef(name);
            if (remote == null) {
                return null;
            }
            ObjectId id = remote.getObjectId();
            if (!has(id)) {
                fc.setPackLockMessage("nvmesh " + options.writerId() + " fetching " + name);
                try {
                    fc.fetch(NullProgressMonitor.INSTANCE, List.of(remote), Set.of());
                } finally {
                    for (PackLock lock : fc.getPackLocks()) {
                        lock.unlock();
                    }
                }
            }
            remember(name, id);
            return id;
        }
    }

    private ObjectId remoteTip(String name) throws IOException {
        try (Transport t = transport(); FetchConnection fc = t.openFetch(List.of(new RefSpec(name)))) {
            Ref remote = fc.getRef(name);
            return remote == null ? null : remote.getObjectId();
        }
    }

    /** Points the mirror's ref at what the remote has, so the next fetch offers it as common ground. */
    private void remember(String name, ObjectId id) throws IOException {
        RefUpdate ru = repo.updateRef(name);
        ru.setNewObjectId(id);
        ru.setForceUpdate(true);
        ru.setRefLogMessage("nvmesh: seen on " + uri.toPrivateString(), false);
        ru.setForceRefLog(true); // the remote's earlier tips as this machine saw them, for fsck to offer

        RefUpdate.Result r = ru.update();
        if (r == RefUpdate.Result.LOCK_FAILURE) {
            mirrorLocks.recover(name); // a cache ref; the next read sets it if this one could not
        }
    }
}
