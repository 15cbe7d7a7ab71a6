package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.signature.PgpTestKeys;
import io.nvmesh.core.signature.SignaturePolicy;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
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
 * A reconciler that requires signed desired commits, with real OpenPGP keys made by the test: what is signed by a
 * trusted key is reconciled; anything else is refused, recorded with its reason, and changes nothing else.
 */
class SignedDesiredTest {

    static PgpTestKeys alice;
    static PgpTestKeys mallory;

    @TempDir
    Path tmp;

    StateStore store;
    Reconciler reconciler;
    final Set<String> accepted = new HashSet<>();

    @BeforeAll
    static void keys() {
        alice = PgpTestKeys.generate("Alice <alice@example.org>");
        mallory = PgpTestKeys.generate("Mallory <mallory@example.org>");
    }

    @BeforeEach
    void open() {
        store = StateStore.openOrCreate(tmp.resolve("desired.git"));
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
        reconciler = new Reconciler(store, "main");
        // The instance trusts alice: the root commit has no parent whose file could vouch for it.
        reconciler.requireSignatures(SignaturePolicy.required(alice.trusted()));
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
        }
        return r;
    }

    /** A signed base: policies and one volume, reconciled. */
    private String signedBase() {
        String c = commit(alice.signer(), "policies.yaml", Fleet.POLICIES, "volumes/a.yaml",
                Fleet.volume("a", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a");
        return c;
    }

    private void assertRefusedKeeping(String good, String refused, String reason) {
        ReconcileReport r = pass();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(r.message()).startsWith("invalid at " + refused.substring(0, 7)).contains(reason);
        RecordedState state = recorded();
        assertThat(state.reconciled().desiredCommit()).isEqualTo(good);
        assertThat(state.reconciled().lastSeenCommit()).isEqualTo(refused);
        assertThat(state.reconciled().outcome()).contains(reason);
        assertThat(state.volumes()).containsOnlyKeys("a");
    }

    @Test
    void aSignedCommitIsReconciled() {
        signedBase();
        String next = commit(alice.signer(), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a", "b");
        assertThat(recorded().reconciled().desiredCommit()).isEqualTo(next);
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void anUnsignedCommitIsRefusedAndNothingOfItIsApplied() {
        String good = signedBase();
        String unsigned = commit(null, "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(good, unsigned, "refused: not signed");
        // Deleting everything unsigned deletes nothing.
        String wipe = ((CommitResult.Committed) new DesiredBranch(store, "main").apply(unsigned,
                Changes.builder().delete("volumes/a.yaml").delete("volumes/b.yaml").build(), "wipe", Fleet.TEST,
                null)).commitId();
        assertRefusedKeeping(good, wipe, "refused: not signed");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aSignedCommitOnTopOfAnUnsignedOneIsRefusedToo() {
        String good = signedBase();
        String unsigned = commit(null, "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        commit(alice.signer(), "volumes/c.yaml", Fleet.volume("c", "mirror", "10GiB", false));
        ReconcileReport r = pass();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(r.message()).contains("commit " + unsigned.substring(0, 7) + " is refused: not signed");
        assertThat(recorded().volumes()).containsOnlyKeys("a");
        assertThat(recorded().reconciled().desiredCommit()).isEqualTo(good);
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aCommitSignedByAKeyNotTrustedIsRefused() {
        String good = signedBase();
        String bad = commit(mallory.signer(), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(good, bad, "which is not trusted");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aTamperedCommitIsRefused() throws Exception {
        String good = signedBase();
        String signed = commit(alice.signer(), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        // Rewrite the commit object: same signature header, another message, so the signature no longer matches.
        String raw = new String(store.rawCommit("main", signed), StandardCharsets.UTF_8);
        assertThat(raw).contains("gpgsig -----BEGIN PGP SIGNATURE-----");
        byte[] forged = raw.replace("\ntest\n", "\nlooks harmless\n").getBytes(StandardCharsets.UTF_8);
        String forgedId;
        try (Repository repo = new FileRepositoryBuilder().setGitDir(tmp.resolve("desired.git").toFile()).build();
                ObjectInserter ins = repo.newObjectInserter()) {
            ObjectId id = ins.insert(Constants.OBJ_COMMIT, forged);
            ins.flush();
            forgedId = id.name();
        }
        store.forceRef("refs/heads/main", forgedId);
        assertRefusedKeeping(good, forgedId, "does not match the commit");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aCommitCannotTrustTheKeyItIsSignedWith() {
        String good = signedBase();
        // Mallory adds her own key to the repository's file and signs with it: her key is not trusted at the parent.
        String self = commit(mallory.signer(), SignaturePolicy.TRUSTED_KEYS_FILE,
                new String(mallory.publicKey(), StandardCharsets.UTF_8), "volumes/b.yaml",
                Fleet.volume("b", "mirror", "10GiB", false));
        assertRefusedKeeping(good, self, "which is not trusted");
        // Nor does an unsigned commit adding her key make her next commit trusted.
        commit(mallory.signer(), "volumes/c.yaml", Fleet.volume("c", "mirror", "10GiB", false));
        ReconcileReport r = pass();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(r.message()).contains("commit " + self.substring(0, 7));
        assertThat(recorded().volumes()).containsOnlyKeys("a");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void aKeyTheFileTrustsAtTheParentMaySign() {
        signedBase();
        // Alice (trusted) adds bob's key; from the next commit on, bob may sign.
        PgpTestKeys bob = PgpTestKeys.generate("Bob <bob@example.org>");
        commit(alice.signer(), SignaturePolicy.TRUSTED_KEYS_FILE, new String(bob.publicKey(), StandardCharsets.UTF_8));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        commit(bob.signer(), "volumes/b.yaml", Fleet.volume("b", "mirror", "10GiB", false));
        assertThat(pass().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("a", "b");
        // Removing bob's key is a commit bob cannot make once... but he still can: it is judged at its parent. A
        // commit after the removal is judged without him.
        commit(alice.signer(), SignaturePolicy.TRUSTED_KEYS_FILE, "");
        pass();
        String late = commit(bob.signer(), "volumes/c.yaml", Fleet.volume("c", "mirror", "10GiB", false));
        ReconcileReport r = pass();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(r.message()).contains("commit " + late.substring(0, 7)).contains("which is not trusted");
        assertEveryRecordedDesiredCommitVerified();
    }

    @Test
    void withoutThePolicyUnsignedCommitsAreReconciledAsBefore() {
        Reconciler plain = new Reconciler(store, "main");
        commit(null, "policies.yaml", Fleet.POLICIES, "volumes/a.yaml", Fleet.volume("a", "mirror", "10GiB", false));
        assertThat(plain.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
    }

    /** Every state commit records, as the desired commit it reconciled, one that passed the signature check. */
    private void assertEveryRecordedDesiredCommitVerified() {
        SignaturePolicy check = SignaturePolicy.required(alice.trusted());
        for (String c : store.firstParents(StateStore.STATE_REF, store.resolve(StateStore.STATE_REF), "")) {
            String desired = StateFiles.decodeStrict(store.read(StateStore.STATE_REF, c)).reconciled().desiredCommit();
            if (!desired.isEmpty()) {
                assertThat(accepted).contains(desired);
                assertThat(check.refusal(store, "refs/heads/main", "", desired)).isEmpty();
            }
        }
        assertThat(HistoryCheck.check(store, "main", "").clean()).isTrue();
    }
}
