package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's backup and restore, run as written: the shell blocks marked {@code <!-- operations-test: ...
 * -->} in that file run in bash (with the variables the doc names set), its {@code nvmesh} lines in-process. A state
 * made by the GitOps loop is backed up through a {@code file://} URL, the repository destroyed and restored, and the
 * restored one must pass {@code fsck --history} with the very refs that were backed up.
 */
class OperationsRestoreTest {

    private static final Pattern BLOCK = Pattern.compile(
            "(?ms)^[ \\t]*<!-- operations-test: ([a-z-]+) -->\\n([ \\t]*)```sh\\n(.*?)^[ \\t]*```");
    private static final List<String> REFS = List.of("refs/heads/main", "refs/nvmesh/state", "refs/nvmesh/state-root");

    @TempDir
    Path tmp;

    @Test
    void theDocumentedBackupRestoresARepositoryThatPassesFsckHistory() throws Exception {
        Assumptions.assumeTrue(git(tmp, "--version").exitCode() == 0, "git is not installed");
        Map<String, String> blocks = blocks(Files.readString(Path.of("..", "docs", "operations.md")
                .toAbsolutePath().normalize()));
        assertThat(blocks).containsOnlyKeys("backup-once", "backup", "restore");

        Path repo = tmp.resolve("server/storage/desired.git");
        String r = "--repo=" + repo;
        Files.writeString(tmp.resolve("inventory.yaml"), DiffCommandTest.INVENTORY);
        assertThat(NvmeshRun.of("inventory", "import", tmp.resolve("inventory.yaml").toString(), r).exitCode())
                .isZero();
        Path dir = Files.createDirectories(Path.of("target", "operations-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
        for (int i = 0; i < 3; i++) {
            Files.writeString(dir.resolve("v" + i + ".yaml"), DiffCommandTest.volume("v" + i, "10GiB", false));
            assertThat(NvmeshRun.of("apply", dir.toString(), r).exitCode()).isZero();
            assertThat(NvmeshRun.of("reconcile", "--once", r).exitCode()).isZero();
        }
        Path backup = Files.createDirectories(tmp.resolve("backup"));
        Map<String, String> env = Map.of("REPO_URL", repo.toUri().toString(), "BACKUP", backup.toString(),
                "REPO", repo.toString());

        run(blocks.get("backup-once"), env);
        run(blocks.get("backup"), env);
        List<String> backedUp = refs(repo);
        assertThat(backedUp).doesNotContain("");
        deleteTree(repo); // the Git server lost it
        assertThat(repo).doesNotExist();

        List<NvmeshRun> nvmesh = run(blocks.get("restore"), env);

        assertThat(nvmesh).hasSize(1);
        assertThat(nvmesh.get(0).exitCode()).as(nvmesh.get(0).out() + nvmesh.get(0).err()).isZero();
        assertThat(nvmesh.get(0).out()).contains("history: ", "every step keeps the rules");
        assertThat(refs(repo)).as("main, state and anchor as backed up").isEqualTo(backedUp);
        NvmeshRun fsck = NvmeshRun.of("fsck", r);
        assertThat(fsck.out()).contains("3 volumes", "consistent");
    }

    /** The marked blocks, by name, indentation removed. */
    static Map<String, String> blocks(String doc) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Matcher m = BLOCK.matcher(doc);
        while (m.find()) {
            String indent = m.group(2);
            StringBuilder body = new StringBuilder();
            m.group(3).lines().forEach(l -> body.append(l.startsWith(indent) ? l.substring(indent.length()) : l)
                    .append('\n'));
            out.put(m.group(1), body.toString());
        }
        return out;
    }

    /**
     * Runs a block: consecutive shell lines in one bash (errexit, pipefail), each {@code nvmesh} line in-process with
     * {@code "$VAR"} replaced from {@code env}. Returns the nvmesh runs.
     */
    private List<NvmeshRun> run(String block, Map<String, String> env) throws Exception {
        List<NvmeshRun> runs = new ArrayList<>();
        StringBuilder shell = new StringBuilder();
        for (String line : block.lines().toList()) {
            if (line.startsWith("nvmesh ")) {
                bash(shell.toString(), env);
                shell.setLength(0);
                List<String> args = new ArrayList<>();
                for (String w : line.substring("nvmesh ".length()).trim().split("\\s+")) {
                    String word = w;
                    for (Map.Entry<String, String> e : env.entrySet()) {
                        word = word.replace("\"$" + e.getKey() + "\"", e.getValue());
                    }
                    args.add(word);
                }
                runs.add(NvmeshRun.of(args.toArray(String[]::new)));
            } else {
                shell.append(line).append('\n');
            }
        }
        bash(shell.toString(), env);
        return runs;
    }

    private void bash(String script, Map<String, String> env) throws Exception {
        if (script.isBlank()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script).directory(tmp.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s%n-> %s", script, out).isZero();
    }

    private List<String> refs(Path repo) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String ref : REFS) {
            ids.add(git(tmp, "--git-dir", repo.toString(), "rev-parse", "--verify", "--quiet", ref).out().strip());
        }
        return ids;
    }

    private record Result(int exitCode, String out) {
    }

    private static Result git(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, "");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
