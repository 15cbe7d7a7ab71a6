package io.nvmesh.core.testing;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Commits to a state repository as a test scenario states them, after JGit's {@code TestRepository}:
 *
 * <pre>{@code
 * TestRepo repo = TestRepo.of(store);
 * repo.desired().policy(Policies.MIRROR).volume("v1", "10GiB").commit();
 * repo.desired().put("volumes.yaml", text).message("grow v1").commit();
 * RecordedState s = repo.recorded();
 * }</pre>
 *
 * A commit that does not land (another writer moved the branch, nothing changed) fails the test with the store's
 * answer: a scenario never goes on from a commit it did not make.
 */
public final class TestRepo {

    /** Who commits in tests unless a test says otherwise. */
    public static final Author AUTHOR = new Author("test", "test@example.com");

    private final StateStore store;
    private final String branch;

    private TestRepo(StateStore store, String branch) {
        this.store = Objects.requireNonNull(store, "store");
        this.branch = Objects.requireNonNull(branch, "branch");
    }

    /** The desired branch {@code main} of {@code store}. */
    public static TestRepo of(StateStore store) {
        return new TestRepo(store, "main");
    }

    public static TestRepo of(StateStore store, String branch) {
        return new TestRepo(store, branch);
    }

    public StateStore store() {
        return store;
    }

    /** A commit to the desired branch, on top of its tip unless {@link DesiredCommit#on} says otherwise. */
    public DesiredCommit desired() {
        return new DesiredCommit();
    }

    /** The recorded state at the state ref's tip, decoded strictly. */
    public RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    /** Commits {@code state} as the state ref's new tip (only what differs from the tip is written); returns its id. */
    public String record(RecordedState state) {
        Snapshot tip = store.read(StateStore.STATE_REF);
        return landed(store.commit(StateStore.STATE_REF, tip.commitId(), StateFiles.changes(tip, state), "test",
                store.defaultAuthor()));
    }

    private static String landed(CommitResult r) {
        if (!(r instanceof CommitResult.Committed c)) {
            throw new AssertionError("the test's commit did not land: " + r);
        }
        return c.commitId();
    }

    /** One desired commit being built. */
    public final class DesiredCommit {

        private final Changes.Builder changes = Changes.builder();
        private Changes given;
        private String parent;
        private String message = "test";
        private Author author = AUTHOR;
        private CommitSigner signer;
        private String lastPolicy;
        private int policies;

        private DesiredCommit() {
        }

        public DesiredCommit put(String path, String text) {
            changes.put(path, text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public DesiredCommit put(String path, byte[] content) {
            changes.put(path, content);
            return this;
        }

        public DesiredCommit putAll(Map<String, byte[]> files) {
            changes.putAll(files);
            return this;
        }

        /** Exactly {@code changes}, built elsewhere (nothing else may be added to this commit). */
        public DesiredCommit changes(Changes changes) {
            this.given = changes;
            return this;
        }

        public DesiredCommit delete(String path) {
            changes.delete(path);
            return this;
        }

        /**
         * A policy manifest (as {@link Policies} holds them) in its own file, {@code policies/<n>.yaml}; the volumes
         * {@link #volume(String, String)} adds after it use it.
         */
        public DesiredCommit policy(String yaml) {
            lastPolicy = name(yaml);
            return put("policies/" + (++policies) + "-" + lastPolicy + ".yaml", yaml);
        }

        /** A deletable volume of the last {@link #policy} in {@code volumes/<name>.yaml}. */
        public DesiredCommit volume(String name, String capacity) {
            if (lastPolicy == null) {
                throw new IllegalStateException("volume(" + name + ") needs a policy() before it, or a policy name");
            }
            return volume(name, lastPolicy, capacity);
        }

        /** A deletable volume of {@code policy} in {@code volumes/<name>.yaml}. */
        public DesiredCommit volume(String name, String policy, String capacity) {
            return put("volumes/" + name + ".yaml", Policies.volume(name, policy, capacity));
        }

        /** Commit on top of {@code commitId} (empty: the branch's first commit) instead of the tip. */
        public DesiredCommit on(String commitId) {
            this.parent = commitId;
            return this;
        }

        public DesiredCommit message(String message) {
            this.message = message;
            return this;
        }

        public DesiredCommit author(Author author) {
            this.author = author;
            return this;
        }

        public DesiredCommit signedBy(CommitSigner signer) {
            this.signer = signer;
            return this;
        }

        /** Makes the commit; returns its id. */
        public String commit() {
            DesiredBranch b = new DesiredBranch(store, branch);
            String old = parent != null ? parent : b.read().commitId();
            Changes built = changes.build();
            if (given != null) {
                if (!built.isEmpty()) {
                    throw new IllegalStateException("changes() takes the whole commit; also given: " + built);
                }
                built = given;
            }
            return landed(signer == null ? b.apply(old, built, message, author)
                    : b.apply(old, built, message, author, signer));
        }

        private static String name(String yaml) {
            for (String line : yaml.split("\n")) {
                if (line.startsWith("  name: ")) {
                    return line.substring("  name: ".length()).strip();
                }
            }
            throw new IllegalArgumentException("no metadata name in the policy:\n" + yaml);
        }
    }
}
