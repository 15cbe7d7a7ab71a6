package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.api.DesiredCommitJson;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.signature.SshSigner;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.SshAccess;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.SshServer;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One instance whose {@code git.remote} is an {@code ssh://} URL served by a real OpenSSH server (key and known_hosts
 * from its config), and that requires desired commits signed by an SSH key in {@code git.allowedSigners}: a signed
 * commit is reconciled through SSH; an unsigned one and one signed by a key not allowed are refused, shown in {@code
 * /v1/reconcile/results} (what {@code nvmesh status} reads) and counted in {@code /metrics}, and no state commit in
 * the whole history on the server ever records anything of them.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class SshRemoteSignedCommitsTest {

    private static final Author TEST = new Author("test", "test@example.com");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern INVALID = Pattern.compile(
            "(?m)^nvmesh_reconcile_passes_total\\{[^}]*outcome=\"invalid\"[^}]*} (\\d+(?:\\.\\d+)?)");

    @TempDir
    Path data;

    @Test
    void overSshOnlyCommitsSignedByAnAllowedSshKeyAreReconciledAndRefusalsAreShownAndCounted() throws Exception {
        Path alice = SshServer.keygen(data.resolve("alice"), "alice@example.org");
        Path mallory = SshServer.keygen(data.resolve("mallory"), "mallory@example.org");
        Path allowed = Files.writeString(data.resolve("allowed_signers"), "alice@example.org namespaces=\"git\" "
                + Files.readString(Path.of(alice + ".pub")).trim() + "\n");
        Path bare = data.resolve("served/state.git");
        Set<String> refused = new HashSet<>();
        try (SshServer sshd = SshServer.start(data.resolve("sshd"));
                StateStore origin = StateStore.openOrCreate(bare)) {
            String good = commit(origin, SshSigner.read(alice, new char[0]), "policy.yaml", """
                    apiVersion: nvmesh.io/v1
                    kind: VolumePolicy
                    metadata:
                      name: plain
                    spec:
                      layout: concatenated
                    ---
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata:
                      name: signed
                    spec:
                      policy: plain
                      capacity: 10GiB
                    """);
            InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                    .withAuth(TestAuth.single())
                    .withGit(sshd.url(bare), "main", Duration.ofMillis(200))
                    .withGitSsh(new SshAccess(sshd.clientKey(), sshd.knownHosts()))
                    .withAllowedSigners(allowed);
            try (ReconcilerNode node = ReconcilerNode.start(config);
                    Subscription cluster = node.events().subscribe(Set.of("cluster"), Map.of(),
                            Duration.ofMinutes(5), () -> { })) {
                ReconcileLoop loop = node.reconcile().orElseThrow();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StateFiles.decodeStrict(
                        origin.read(StateStore.STATE_REF)).reconciled().desiredCommit()).isEqualTo(good));
                assertThat(StateFiles.decodeStrict(origin.read(StateStore.STATE_REF)).volumes()).containsKey("signed");

                String unsigned = commit(origin, null, "unsigned.yaml", volume("unsigned"));
                refused.add(unsigned);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(loop.results())
                        .anySatisfy(r -> assertThat(r.desiredCommit() + " " + r.outcome() + " " + r.message())
                                .isEqualTo(unsigned + " invalid invalid at " + unsigned.substring(0, 7)
                                        + ": signature check: commit " + unsigned.substring(0, 7)
                                        + " is refused: not signed")));
                HttpResponse<String> results = get(node, "/v1/reconcile/results");
                assertThat(results.statusCode()).isEqualTo(200);
                assertThat(results.body()).contains("\"outcome\":\"invalid\"").contains("is refused: not signed");
                assertThat(invalidPasses(node)).isGreaterThanOrEqualTo(1);

                // Back to the good commit, then a commit by a key nobody allowed.
                origin.forceRef("refs/heads/main", good);
                await().atMost(Duration.ofSeconds(60)).until(() -> loop.results().get(0).desiredCommit().equals(good));
                String foreign = commit(origin, SshSigner.read(mallory, new char[0]), "foreign.yaml",
                        volume("foreign"));
                refused.add(foreign);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(loop.results())
                        .anySatisfy(r -> assertThat(r.desiredCommit() + " " + r.message()).startsWith(foreign)
                                .contains("is refused: signed by SSH key SHA256:").contains("which is not trusted")));
                assertThat(get(node, "/v1/reconcile/results").body()).contains("which is not trusted");
                await().atMost(Duration.ofSeconds(10)).until(() -> invalidPasses(node) >= 2);

                // Each refusal, and the acceptance between them, was announced once on `cluster` as a `desired` event.
                List<String> announced = new ArrayList<>();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (StreamItem item = cluster.poll(); item != null; item = cluster.poll()) {
                        if (item instanceof Event e && e.type().equals("desired")
                                && e.payload() instanceof DesiredCommitJson p) {
                            announced.add(p.outcome() + " " + p.desiredCommit() + " " + p.reason());
                        }
                    }
                    assertThat(announced).hasSize(3);
                });
                assertThat(announced.get(0)).startsWith("invalid " + unsigned + " ").endsWith("is refused: not signed");
                assertThat(announced.get(1)).isEqualTo("accepted " + good + " ");
                assertThat(announced.get(2)).startsWith("invalid " + foreign + " ").endsWith("which is not trusted");

                // The state on the server says why the tip is not applied.
                RecordedState now = StateFiles.decodeStrict(origin.read(StateStore.STATE_REF));
                assertThat(now.reconciled().desiredCommit()).isEqualTo(good);
                assertThat(now.reconciled().lastSeenCommit()).isEqualTo(foreign);
                assertThat(now.reconciled().outcome()).contains("which is not trusted");
            }
            // The whole recorded history, as the server holds it: only the signed commit was ever reconciled, and no
            // state commit holds a volume of a refused commit.
            String tip = origin.resolve(StateStore.STATE_REF);
            for (String c : origin.firstParents(StateStore.STATE_REF, tip, "")) {
                RecordedState s = StateFiles.decodeStrict(origin.read(StateStore.STATE_REF, c));
                assertThat(s.reconciled().desiredCommit()).as("state commit %s", c).isIn("", good);
                assertThat(refused).doesNotContain(s.reconciled().desiredCommit());
                assertThat(s.volumes()).as("state commit %s", c).doesNotContainKeys("unsigned", "foreign");
            }
        }
    }

    private static String volume(String name) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name
                + "\nspec:\n  policy: plain\n  capacity: 10GiB\n";
    }

    private static String commit(StateStore store, CommitSigner signer, String path, String text) {
        DesiredBranch b = new DesiredBranch(store, "main");
        CommitResult r = b.apply(b.read().commitId(), Changes.put(path, text.getBytes(StandardCharsets.UTF_8)),
                "test", TEST, signer);
        return ((CommitResult.Committed) r).commitId();
    }

    private static double invalidPasses(ReconcilerNode node) throws Exception {
        Matcher m = INVALID.matcher(get(node, "/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static HttpResponse<String> get(ReconcilerNode node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(node.url().resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TestAuth.READ).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
