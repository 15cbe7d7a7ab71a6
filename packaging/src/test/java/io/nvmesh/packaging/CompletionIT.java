package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash completion script the archive ships (completion/nvmesh.bash, what {@code nvmesh completion bash} prints),
 * sourced into a real bash and asked what Tab would offer, the way bash asks: COMP_WORDS, COMP_CWORD, COMP_LINE and
 * the function {@code complete -p nvmesh} names.
 */
class CompletionIT {

    @TempDir
    static Path tmp;

    static Distribution dist;

    /** Prints the candidates for the words given, one per line. $1 is the script, the rest the words. */
    private static final String ASK = """
            source "$1"; shift
            spec=$(complete -p nvmesh)
            fn=$(sed -E 's/.* -F ([^ ]+) .*/\\1/' <<<"$spec")
            COMP_WORDS=("$@")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="${COMP_WORDS[*]}"
            COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            prev=""
            (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
            "$fn" nvmesh "${COMP_WORDS[COMP_CWORD]}" "$prev"
            printf '%s\\n' "${COMPREPLY[@]}"
            """;

    @BeforeAll
    static void unpack() throws Exception {
        dist = Distribution.unpack(tmp.resolve("unpacked"));
    }

    @Test
    void completesACommandFromItsStart() throws Exception {
        assertThat(complete(tmp, "nvmesh", "ap")).containsExactly("apply");
        assertThat(complete(tmp, "nvmesh", "inventory", "im")).containsExactly("import");
        assertThat(complete(tmp, "nvmesh", "re")).containsExactlyInAnyOrder("reconcile", "reconciler");
    }

    @Test
    void completesOptionsOfTheCommandTyped() throws Exception {
        assertThat(complete(tmp, "nvmesh", "diff", "--pr")).containsExactly("--prune");
        assertThat(complete(tmp, "nvmesh", "completion", "")).containsExactlyInAnyOrder("bash", "zsh");
    }

    @Test
    void completesPolicyAndVolumeNamesFromTheManifestsHere() throws Exception {
        Path samples = dist.home.resolve("samples");
        assertThat(complete(samples, "nvmesh", "get", "capacity", "--policy", "mirrored-"))
                .containsExactlyInAnyOrder("mirrored-fast", "mirrored-standard", "mirrored-triple");
        assertThat(complete(samples, "nvmesh", "describe", "volume", "pg-payments-"))
                .contains("pg-payments-01", "pg-payments-02", "pg-payments-wal");
        assertThat(complete(samples, "nvmesh", "watch", "volume/pg-payments-0"))
                .containsExactlyInAnyOrder("volume/pg-payments-01", "volume/pg-payments-02");
        // Elsewhere there are no manifests, and no names.
        Path empty = Files.createDirectories(tmp.resolve("no-manifests"));
        assertThat(complete(empty, "nvmesh", "describe", "volume", "pg-")).isEmpty();
    }

    @Test
    void theShippedScriptIsWhatTheCommandPrints() throws Exception {
        Distribution.Run run = dist.nvmesh(tmp, Map.of(), "completion", "bash");
        assertThat(run.exit()).as("%s", run).isZero();
        assertThat(run.out()).isEqualTo(Files.readString(dist.home.resolve("completion/nvmesh.bash")));
    }

    private static List<String> complete(Path cwd, String... words) throws Exception {
        Path ask = tmp.resolve("ask.sh");
        Files.writeString(ask, ASK);
        List<String> command = new java.util.ArrayList<>(List.of("bash", "--noprofile", "--norc", ask.toString(),
                dist.home.resolve("completion/nvmesh.bash").toString()));
        command.addAll(List.of(words));
        Distribution.Run run = Distribution.run(cwd, Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString()),
                Duration.ofSeconds(30), command.toArray(String[]::new));
        assertThat(run.exit()).as("%s", run).isZero();
        return run.out().lines().filter(l -> !l.isBlank()).toList();
    }
}
