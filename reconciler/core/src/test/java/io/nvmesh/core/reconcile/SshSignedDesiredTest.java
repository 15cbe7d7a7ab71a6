package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.signature.SignaturePolicy;
import io.nvmesh.core.signature.SshSigner;
import io.nvmesh.core.signature.TrustedKeys;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.SshServer;
import io.nvmesh.core.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reconciler that requires signed desired commits, with real SSH keys {@code ssh-keygen} makes for the test and
 * OpenSSH allowed signers files: a commit signed by an allowed key is reconciled (also one real {@code git commit -S}
 * signed with {@code gpg.format=ssh}); unsigned, wrong-key, wrong-namespace and tampered commits are refused, recorded
 * with their reason, and nothing of them reaches any state commit.
 */
class SshSignedDesiredTest {

    @TempDir
    static Path keys;

    static Path alice;
    static Path bob;
    static Path mallory;

    @TempDir
    Path tmp;

    StateStore store;
    Reconciler reconciler;
    final Set<String> accepted = new HashSet<>();
    final List<String> refused = new ArrayList<>();

    @BeforeAll
    static void makeKeys() throws IOException {
        assertThat(SshServer.missing()).as("this test needs ssh-keygen").isEmpty();
        alice = SshServer.keygen(keys.resolve("alice"), "alice@example.org");
        bob = SshServer.keygen(keys.resolve("bob"), "bob@example.org");
        mallory = SshServer.keygen(keys.resolve("mallory"), "mallory@example.org");
    }

    /** An allowed signers line for {@code key}: {@code principal namespaces="git" type base64}. */
    static String allowed(String principal, Path key) throws IOException {
        return principal + " namespaces=\"git\" " + Files.readString(Path.of(key + ".pub")).trim() + "\n";
    }

    static TrustedKeys instanceKeys() throws IOException {
        return TrustedKeys.parseAllowedSigners(allowed("alice@example.org", alice).getBytes(StandardCharsets.UTF_8),
                "allowed_signers");
    }

    static CommitSigner signer(Path key) {
        return SshSigner.read(key, new char[0]);
    }

    @BeforeEach
    void open() throws IOException {
        store = StateStore.openOrCreate(tmp.resolve("desired.git"));
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
        reconciler = new Reconciler(store, "main");
        reconciler.requireSignatures(SignaturePolicy.required(instanceKeys()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String commit(CommitSigner signer, String... pathAndText) {
        return TestRepo.of(store).desired().putAll(Fleet.files(pathAndText)).author(Fleet.TEST).signedBy(signer)
                .commit();
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    private ReconcileReport pass() {
        ReconcileReport r = reconciler.reconcileOnce();
        if (r.outcome() != ReconcileReport.Kind.INVALID) {
            accepted.add(r.desiredCommit());
        } else {
            refused.add(r.desiredCommit());
        }
        return r;
    }

    private String signedBase() {
        String c = commit(signer(alice), "policies.yaml", Fleet.POLICIES, "volumes/a.yaml",
                Fleet.volume("a", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a");
        return c;
    }

    private void assertRefusedKeeping(String good, String refusedCommit, String reason) {
        ReconcileReport r = pass();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(r.message()).startsWith("invalid at " + refusedCommit.substring(0, 7)).contains(reason);
        RecordedState state = recorded();
        assertThat(state.reconciled().desiredCommit()).isEqualTo(good);
        assertThat(state.reconciled().lastSeenCommit()).isEqualTo(refusedCommit);
        assertThat(state.reconciled().outcome()).contains(reason);
        assertThat(state.volumes()).containsOnlyKeys("a");
    }

    @Test
    void aCommitSignedByAnAllowedSshKeyIsReconciled() throws IOException {
        signedBase();
        String raw = new String(store.rawCommit("main", store.resolve("refs/heads/main")), StandardCharsets.UTF_8);
        assertThat(raw).contains("gpgsig -----BEGIN SSH SIGNATURE-----");
        String next = commit(signer(alice), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a", "b");
        assertThat(recorded().reconciled().desiredCommit()).isEqualTo(next);
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void unsignedWrongKeyWrongNamespaceAndTamperedCommitsAreRefusedAndNothingOfThemIsApplied() throws Exception {
        String good = signedBase();

        String unsigned = commit(null, "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(good, unsigned, "refused: not signed");
        store.forceRef("refs/heads/main", good);

        String wrongKey = commit(signer(mallory), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(good, wrongKey, "which is not trusted");
        assertThat(recorded().reconciled().outcome()).contains("signed by SSH key SHA256:");
        store.forceRef("refs/heads/main", good);

        String tampered = tamper(commit(signer(alice), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB",
                false)));
        assertRefusedKeeping(good, tampered, "does not match the commit");
        store.forceRef("refs/heads/main", good);

        // A signer allowed for other namespaces only (`ssh-keygen -Y sign -n file`) may not sign commits. Alice adds
        // Bob so, and Bob's next commit is refused.
        commit(signer(alice), SignaturePolicy.ALLOWED_SIGNERS_FILE, "bob@example.org namespaces=\"file\" "
                + Files.readString(Path.of(bob + ".pub")).trim() + "\n");
        String added = store.resolve("refs/heads/main");
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        String otherNamespace = commit(signer(bob), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(added, otherNamespace, "may not be used in namespace");

        assertEveryRecordedDesiredCommitVerified();
        assertThat(refused).contains(unsigned, wrongKey, tampered, otherNamespace);
    }

    @Test
    void aCommitCannotAllowTheSshKeyItIsSignedWithButAnAllowedKeyMayAllowAnother() throws IOException {
        String good = signedBase();
        String self = commit(signer(mallory), SignaturePolicy.ALLOWED_SIGNERS_FILE,
                allowed("mallory@example.org", mallory), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB",
                        false));
        assertRefusedKeeping(good, self, "which is not trusted");
        store.forceRef("refs/heads/main", good);

        commit(signer(alice), SignaturePolicy.ALLOWED_SIGNERS_FILE, allowed("bob@example.org", bob));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        commit(signer(bob), "volumes/c.yaml", Fleet.volume("c", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a", "c");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aCommitSignedByRealGitWithAnSshKeyIsReconciledAndGitVerifiesOurs() throws Exception {
        Path bare = tmp.resolve("desired.git");
        Path work = tmp.resolve("work");
        String ours = signedBase();
        Path allowedFile = Files.writeString(tmp.resolve("allowed_signers"), allowed("alice@example.org", alice));
        // git itself accepts the commit nvmesh signed.
        git(tmp, "clone", "--quiet", "--branch", "main", bare.toString(), work.toString());
        git(work, "-c", "gpg.ssh.allowedSignersFile=" + allowedFile, "verify-commit", ours);

        Files.writeString(work.resolve("volumes/b.yaml"), Fleet.volume("b", "mirror", "10GiB", false));
        git(work, "add", "volumes/b.yaml");
        git(work, "-c", "user.name=Alice", "-c", "user.email=alice@example.org", "-c", "gpg.format=ssh",
                "-c", "user.signingKey=" + alice, "commit", "--quiet", "-S", "-m", "b, signed by git");
        git(work, "push", "--quiet", "origin", "HEAD:main");
        String byGit = store.resolve("refs/heads/main");
        assertThat(byGit).isNotEqualTo(ours);

        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().reconciled().desiredCommit()).isEqualTo(byGit);
        assertThat(recorded().volumes()).containsOnlyKeys("a", "b");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aBrokenAllowedSignersLineIsRefusedWithItsFileAndLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrustedKeys.parseAllowedSigners(
                "# ops\nalice@example.org ssh-ed25519 AAAAnotbase64!!\n".getBytes(StandardCharsets.UTF_8),
                "signers"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("signers:2: the ssh-ed25519 key");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrustedKeys.parseAllowedSigners(
                "\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVzb21lLWtleQ\n".getBytes(StandardCharsets.UTF_8), "signers"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("signers:2: ");
    }

    /** The same commit object with another message and the same signature header, written into the repository. */
    private String tamper(String signed) throws IOException {
        String raw = new String(store.rawCommit("main", signed), StandardCharsets.UTF_8);
        byte[] forged = raw.replace("\ntest\n", "\nlooks harmless\n").getBytes(StandardCharsets.UTF_8);
        try (Repository repo = new FileRepositoryBuilder().setGitDir(tmp.resolve("desired.git").toFile()).build();
                ObjectInserter ins = repo.newObjectInserter()) {
            ObjectId id = ins.insert(Constants.OBJ_COMMIT, forged);
            ins.flush();
            store.forceRef("refs/heads/main", id.name());
            return id.name();
        }
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }

    /**
     * The whole recorded history: every state commit records, as its desired commit, one that passed the check
     * (judged again from scratch), never one refused, and no refused commit's volumes.
     */
    private void assertEveryRecordedDesiredCommitVerified() {
        SignaturePolicy check;
        try {
            check = SignaturePolicy.required(instanceKeys());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String c : store.firstParents(StateStore.STATE_REF, store.resolve(StateStore.STATE_REF), "")) {
            RecordedState s = StateFiles.decodeStrict(store.read(StateStore.STATE_REF, c));
            String desired = s.reconciled().desiredCommit();
            if (!desired.isEmpty()) {
                assertThat(accepted).contains(desired);
                assertThat(refused).doesNotContain(desired);
                assertThat(check.refusal(store, "refs/heads/main", "", desired)).isEmpty();
            }
            for (String name : s.volumes().keySet()) {
                assertThat(name).as("volume in state commit %s", c).isIn("a", "b", "c");
            }
        }
        assertThat(HistoryCheck.check(store, "main", "").clean()).isTrue();
    }
}
