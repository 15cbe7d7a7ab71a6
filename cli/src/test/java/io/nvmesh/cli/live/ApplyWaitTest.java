package io.nvmesh.cli.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.cli.remote.PolicyRoom;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.service.ClusterExtension;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.sim.SimulatedFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code nvmesh apply --wait} end to end: two real instances reconciling one bare repository, a simulated fleet of
 * 6 targets dialling them, the reconcilers' poll set to 10 minutes so that only the Git hook {@code --wait} calls makes
 * them act. Each test applies its own volumes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplyWaitTest {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final AtomicInteger POLICIES = new AtomicInteger();

    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(2).reconciling(Duration.ofMinutes(10))
            .fleet(new SimulatedFleet.Spec(6, 4, 2, 7));

    Path repo;

    @BeforeAll
    void start() {
        repo = cluster.repository();
        await().atMost(BOUND).until(() -> {
            try (StateStore store = StateStore.openOrCreate(repo)) {
                return StateFiles.decode(store.read(StateStore.STATE_REF)).state().inventory().targets().size() == 6;
            }
        });
    }

    private static Path manifests(String... volumes) throws IOException {
        return manifests(false, volumes);
    }

    /** The name of the policy the last {@link #manifests} wrote. */
    private static String lastPolicy() {
        return "p" + POLICIES.get();
    }

    private static Path manifests(boolean protection, String... volumes) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "apply-wait-" + System.nanoTime()));
        // Each test's own policy: names are unique per kind across the branch.
        String policy = "p" + POLICIES.incrementAndGet();
        Files.writeString(dir.resolve("policy.yaml"), Policies.named(Policies.PLAIN, policy));
        for (int i = 0; i + 1 < volumes.length; i += 2) {
            Files.writeString(dir.resolve(volumes[i] + ".yaml"), "apiVersion: nvmesh.io/v1\nkind: Volume\n"
                    + "metadata:\n  name: " + volumes[i] + "\nspec:\n  policy: " + policy + "\n  capacity: "
                    + volumes[i + 1] + "\n" + (protection ? "" : "  deletionProtection: false\n"));
        }
        return dir;
    }

    private Cli applyWait(Path dir, String... more) {
        String[] base = {"apply", dir.toString(), "--repo", repo.toString(), "--wait", "--server", cluster.url("r1"),
            "--token", TestAuth.ADMIN, "--timeout", "2m"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return Cli.run(args);
    }

    @Test
    void exitsZeroOnceEveryVolumeItCreatedIsOnline() throws Exception {
        Cli r = applyWait(manifests("fast-01", "10GiB", "fast-02", "20GiB", "fast-03", "5GiB"));

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("waiting for 3 volume(s) of ", "fast-01: online", "fast-02: online",
                "fast-03: online", "all 3 volume(s) online");
        // Not on a terminal: one line per change, no line rewritten in place, no colour.
        assertThat(r.out()).doesNotContain("\r", "\u001b[");
        String json = Cli.run("get", "capacity", "-o", "json", "--server", cluster.url("r2"), "--token",
                TestAuth.READ).out();
        assertThat(json).contains("\"cluster\"", "\"domains\"", "\"driveClasses\"", "\"servers\"", "\"volumes\"");
    }

    @Test
    void watchPrintsEveryVolumeWithItsStatusBeforeAnyChange() throws Exception {
        Cli applied = applyWait(manifests("seen-01", "2GiB", "seen-02", "3GiB"));
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();

        Cli text = Cli.run("watch", "volume/*", "--server", cluster.url("r2"), "--token", TestAuth.READ,
                "--timeout", "1s");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).containsPattern("volume/seen-01 status \\(current\\) \\{\"volume\":\"seen-01\","
                + "\"status\":\"online\"").contains("volume/seen-02 status (current)");

        Cli json = Cli.run("watch", "volume/seen-02", "volume/never-applied", "-o", "json", "--server",
                cluster.url("r1"), "--token", TestAuth.READ, "--timeout", "1s");
        List<String> lines = json.out().lines().toList();
        assertThat(lines.get(0)).startsWith("{\"topic\":\"volume/seen-02\",\"type\":\"status\",\"initial\":true,"
                + "\"payload\":{\"volume\":\"seen-02\",\"status\":\"online\",\"reason\":\"\",\"stateCommit\":\"");
        assertThat(lines.get(1)).isEqualTo("{\"topic\":\"volume/never-applied\",\"type\":\"absent\",\"initial\":true,"
                + "\"payload\":{\"volume\":\"never-applied\"}}");
    }

    @Test
    void followsARemovedVolumeUntilItIsNoLongerRecorded() throws Exception {
        Path dir = manifests("gone-01", "2GiB", "gone-02", "2GiB");
        Cli applied = applyWait(dir);
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();
        Files.delete(dir.resolve("gone-02.yaml"));

        Cli r = applyWait(dir, "--prune");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("remove ", "waiting for 1 volume(s)", "gone-02: deleted",
                "all 1 removed volume(s) deleted");
        assertThat(Cli.run("describe", "volume", "gone-02", "--server", cluster.url("r2"), "--token",
                TestAuth.READ).err()).contains("404");
    }

    @Test
    void exitsOneWithTheReasonWhenAVolumeCannotBePlaced() throws Exception {
        Cli r = applyWait(manifests("huge-01", "1PiB"));

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: 1 of 1 volume(s) failed: huge-01 (pending: ")
                .doesNotContain("\n");
        assertThat(r.out()).contains("huge-01: pending: ");
        String commit = r.out().replaceAll("(?s).*refs/heads/main: \\S+ → (\\S+) .*", "$1");
        String largest = PolicyRoom.doesNotFit(new ServerClient(ServerAddress.resolve(cluster.url("r2"),
                TestAuth.READ, java.util.Map.of())), lastPolicy());
        assertThat(largest).startsWith("does not fit: the largest volume policy " + lastPolicy() + " can place now is ");
        assertThat(r.err()).contains("; " + largest + "); commit " + commit + " stays on main and the reconcilers keep "
                + "trying it; to undo it, git revert " + commit + " in a checkout of main and push, or remove a new "
                + "volume's file and run nvmesh apply --prune");
        // What it asks for, from the desired manifest, since nothing is placed to show it.
        assertThat(Cli.run("describe", "volume", "huge-01", "--server", cluster.url("r2"), "--token",
                TestAuth.READ).out()).contains("Status:              pending", "Reason:              ",
                "Policy:              p", "Layout:              concatenated", "Size:                1PiB asked, "
                        + "not placed yet");
    }

    @Test
    void aProtectedVolumeThatNeverGotSpaceIsRemovedInOneCommit() throws Exception {
        Path dir = manifests(true, "mistake-01", "1PiB");
        assertThat(applyWait(dir).exitCode()).isEqualTo(1);
        Files.delete(dir.resolve("mistake-01.yaml"));

        Cli r = applyWait(dir, "--prune");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("remove ", "mistake-01: deleted", "all 1 removed volume(s) deleted");
    }

    @Test
    void getCapacityForAPolicySaysTheLargestVolumeItCanPlaceNowOnAnyInstance() throws Exception {
        Path dir = manifests("room-01", "4GiB");
        Cli applied = applyWait(dir);
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();
        String policy = lastPolicy();

        Cli table = Cli.run("get", "capacity", "--policy", policy, "--server", cluster.url("r2"), "--token",
                TestAuth.READ);
        Cli json = Cli.run("get", "capacity", "--policy", policy, "-o", "json", "--server", cluster.url("r1"),
                "--token", TestAuth.READ);
        Cli unknown = Cli.run("get", "capacity", "--policy", "no-such-policy", "--server", cluster.url("r1"),
                "--token", TestAuth.READ);
        Cli misplaced = Cli.run("get", "volumes", "--policy", policy, "--server", cluster.url("r1"), "--token",
                TestAuth.READ);
        Cli malformed = Cli.run("get", "capacity", "--policy", "Not_A_Name", "--server", cluster.url("r1"),
                "--token", TestAuth.READ);

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("POLICY", "LARGEST VOLUME NOW", policy + " ", "concatenated",
                "answered by r2");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.out()).contains("\"policy\" : \"" + policy + "\"", "\"layout\" : \"concatenated\"",
                "\"largestBytes\" : ", "\"stateCommit\" : ");
        long r1 = Long.parseLong(json.out().replaceAll("(?s).*\"largestBytes\" : (\\d+).*", "$1"));
        long r2 = Long.parseLong(table.out().replaceAll("(?s).*concatenated\\s+\\S+ \\S+\\s+(\\d+).*", "$1"));
        assertThat(r1).isPositive().isEqualTo(r2);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err().strip()).contains("no policy no-such-policy is desired").doesNotContain("\n");
        assertThat(misplaced.exitCode()).isEqualTo(2);
        assertThat(misplaced.err()).contains("--policy applies only to get capacity");
        // The server answers 400 to what the user typed: a usage error, as a malformed watch topic is (Failures).
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err().strip()).startsWith("error: ").contains("is not a policy name").doesNotContain("\n");
    }

    @Test
    void aReadTokenCannotTriggerThePassSoTheWaitTimesOutSayingWhatIsMissing() throws Exception {
        Path dir = manifests("slow-01", "1GiB");
        Cli r = Cli.run("apply", dir.toString(), "--repo", repo.toString(), "--wait", "--server", cluster.url("r2"),
                "--token", TestAuth.READ, "--timeout", "3s");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("the token may not trigger a reconcile pass (an admin token can)");
        assertThat(r.err().strip()).startsWith("error: timed out after 3s: 1 of 1 volume(s) not online yet: slow-01 "
                + "(not recorded yet); commit ").contains(" stays on main ", "git revert ", "nvmesh apply --prune")
                .doesNotContain("\n");
    }

    @Test
    void aServerThatCannotBeAskedIsRefusedBeforeAnythingIsCommitted() throws Exception {
        String before;
        try (StateStore store = StateStore.openOrCreate(repo)) {
            before = new DesiredBranch(store, "main").read().commitId();
        }
        Cli r = Cli.run("apply", manifests("never-01", "1GiB").toString(), "--repo", repo.toString(), "--wait",
                "--server", "ftp://127.0.0.1:1");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: server ftp://127.0.0.1:1 is not an http(s) URL such as "
                + "http://127.0.0.1:7420");
        try (StateStore store = StateStore.openOrCreate(repo)) {
            assertThat(new DesiredBranch(store, "main").read().commitId()).isEqualTo(before);
        }
        assertThat(Cli.run("apply", "--timeout", "1m", "--repo", repo.toString()).err())
                .contains("--timeout applies only with --wait");
    }
}
