package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The stand-in for "drive extents must not overlap": each writer claims the smallest slot number not yet taken in
 * the snapshot it read, as a file {@code claims/<n>} holding who claimed it. A double claim would overwrite a file,
 * so the end state proves it never happened: one file per attempt, each holding a distinct claim.
 */
final class Claims {

    static final String DIR = "claims";

    private Claims() {
    }

    /** One claim, with retries; returns how the update ended. */
    static UpdateResult claimOne(StateStore store, Author author, String writer, int seq) {
        return store.update(StateStore.STATE_REF, author, snapshot -> {
            Set<Integer> taken = new HashSet<>();
            for (String p : snapshot.paths(DIR)) {
                taken.add(Integer.parseInt(p.substring(DIR.length() + 1)));
            }
            int slot = 0;
            while (taken.contains(slot)) {
                slot++;
            }
            return Decision.commit(Changes.put(DIR + "/" + slot, bytes(writer + "#" + seq)),
                    writer + " claims slot " + slot);
        });
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Asserts the ref holds exactly {@code expected} claims in slots 0..n-1, each claim once, and that the history
     * is one commit per claim in a single line.
     */
    static void assertExactlyOnce(StateStore store, Set<String> expectedClaims) {
        Snapshot s = store.read(StateStore.STATE_REF);
        Map<String, byte[]> files = s.files(DIR);
        Set<String> slots = files.keySet().stream().map(p -> p.substring(DIR.length() + 1))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> dense = IntStream.range(0, expectedClaims.size()).mapToObj(Integer::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(slots).as("claimed slots").isEqualTo(dense);
        assertThat(files.values().stream().map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)))
                .as("each claim exactly once")
                .containsExactlyInAnyOrderElementsOf(expectedClaims);
    }

    /** Number of commits reachable from the state ref, following first parents. */
    static int historyLength(Path bareRepo) throws IOException {
        try (Repository repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().setGitDir(bareRepo.toFile())
                .setBare().build(); RevWalk rw = new RevWalk(repo)) {
            RevCommit c = rw.parseCommit(repo.exactRef(StateStore.STATE_REF).getObjectId());
            int n = 1;
            while (c.getParentCount() > 0) {
                assertThat(c.getParentCount()).isEqualTo(1);
                c = rw.parseCommit(c.getParent(0));
                n++;
            }
            return n;
        }
    }

    static Set<String> claimsOf(String writer, int count) {
        return IntStream.range(0, count).mapToObj(i -> writer + "#" + i).collect(Collectors.toSet());
    }
}
