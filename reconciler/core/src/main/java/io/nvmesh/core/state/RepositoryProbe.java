package io.nvmesh.core.state;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * Whether the repository a reconciler is configured with can be opened, without changing anything: nothing is
 * created, fetched or locked. A path is opened if it exists (a missing one is fine if it can be created there); a URL
 * is asked for its refs, as {@code git ls-remote} does. For {@code nvmesh reconciler --check}.
 *
 * @param problem       what is wrong, or {@code ""}
 * @param description   what was found, for a person: {@code "branch main at 3f9c2a1, state at 8e1edfa"}
 * @param desiredCommit the desired branch's tip, {@code ""} if it does not exist (yet)
 * @param stateCommit   the state ref's tip, {@code ""} if there is no recorded state yet
 */
public record RepositoryProbe(String problem, String description, String desiredCommit, String stateCommit) {

    public RepositoryProbe {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(desiredCommit, "desiredCommit");
        Objects.requireNonNull(stateCommit, "stateCommit");
    }

    public boolean ok() {
        return problem.isEmpty();
    }

    /**
     * @param location a path or a URL, as {@code git.remote} names it
     * @param branch   the desired branch
     */
    public static RepositoryProbe probe(String location, String branch, StoreOptions options) {
        String desired = RefNames.full(branch);
        if (location.contains("://") || location.contains("@")) {
            return remote(location, desired, options);
        }
        return local(Path.of(location), desired);
    }

    private static RepositoryProbe remote(String url, String desired, StoreOptions options) {
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            return failed("\"" + url + "\" is not a Git URL: " + e.getMessage());
        }
        SshSessions ssh = null;
        try (Transport t = Transport.open(uri)) {
            if (t instanceof org.eclipse.jgit.transport.SshTransport) {
                // As the store reaches it: the configured key and known_hosts only, never ~/.ssh.
                if (options.ssh().isEmpty()) {
                    return failed(uri.toPrivateString() + " is an SSH remote: it needs git.ssh (identity, knownHosts)");
                }
                ssh = new SshSessions(options.ssh().get(), Path.of(System.getProperty("java.io.tmpdir"),
                        "nvmesh-no-ssh-home-" + ProcessHandle.current().pid()));
            }
            RemoteGitStore.configured(t, options, ssh);
            try (FetchConnection fc = t.openFetch(List.of(new RefSpec(desired), new RefSpec(StateStore.STATE_REF)))) {
                return found(tip(fc.getRef(desired)), tip(fc.getRef(StateStore.STATE_REF)), desired,
                        "reachable");
            }
        } catch (IOException | RuntimeException e) {
            String refused = ssh == null ? "" : ssh.lastRefusal();
            return failed("cannot reach " + uri.toPrivateString() + ": " + (refused.isEmpty() ? e.getMessage()
                    : refused));
        } finally {
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    private static RepositoryProbe local(Path dir, String desired) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            Path parent = abs.getParent();
            while (parent != null && !Files.exists(parent)) {
                parent = parent.getParent();
            }
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                return failed(abs + " does not exist and cannot be created (" + parent + " is not a writable "
                        + "folder)");
            }
            return new RepositoryProbe("", "does not exist yet; created at the first start", "", "");
        }
        if (!Files.isDirectory(abs.resolve("objects")) || !Files.isRegularFile(abs.resolve("HEAD"))) {
            return failed(abs + " is not a bare Git repository (no objects/ or HEAD)");
        }
        if (!Files.isWritable(abs.resolve("objects")) || !Files.isWritable(abs.resolve("refs"))) {
            return failed(abs + " is not writable by this user (objects/ and refs/ must be)");
        }
        try (Repository repo = new FileRepositoryBuilder().setGitDir(abs.toFile()).setBare().setMustExist(true)
                .build()) {
            String state = commitOf(repo, StateStore.STATE_REF);
            Path loose = abs.resolve(StateStore.STATE_REF);
            if (state.isEmpty() && Files.isRegularFile(loose)) {
                return failed(StateStore.STATE_REF + " in " + abs + " is unreadable (run `nvmesh fsck --repo " + abs
                        + "` for how to restore it)");
            }
            return found(commitOf(repo, desired), state, desired, "opened");
        } catch (IOException | RuntimeException e) {
            return failed("cannot open " + abs + ": " + e.getMessage());
        }
    }

    /** The commit a ref points at, {@code ""} if it is missing or does not name a commit. */
    private static String commitOf(Repository repo, String ref) throws IOException {
        Ref r = repo.exactRef(ref);
        if (r == null || r.getObjectId() == null) {
            return "";
        }
        try (RevWalk rw = new RevWalk(repo)) {
            return rw.parseCommit(r.getObjectId()).name();
        } catch (IOException e) {
            return "";
        }
    }

    private static String tip(Ref ref) {
        return ref == null || ref.getObjectId() == null ? "" : ref.getObjectId().name();
    }

    private static RepositoryProbe found(String desiredCommit, String stateCommit, String desired, String how) {
        String branch = desired.startsWith("refs/heads/") ? desired.substring("refs/heads/".length()) : desired;
        return new RepositoryProbe("", how + "; branch " + branch + " "
                + (desiredCommit.isEmpty() ? "not there yet" : "at " + CommitIds.shortId(desiredCommit))
                + ", state " + (stateCommit.isEmpty() ? "not recorded yet" : "at " + CommitIds.shortId(stateCommit)),
                desiredCommit, stateCommit);
    }

    private static RepositoryProbe failed(String problem) {
        return new RepositoryProbe(problem, "", "", "");
    }
}
