package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every command in a fenced {@code sh} block of README.md works as written. {@code nvmesh} commands that need no
 * running server run in-process, in README order, against a temporary repository (standing for the
 * {@code export NVMESH_REPO=...} line) and must exit as README says; those that need a server or start one (demo,
 * status, get, describe, watch ...) are parsed, so that a command or option that does not exist fails here. Any other
 * line must be marked {@code # illustrative}.
 */
class ReadmeCommandsTest {

    /** Commands run in-process; the rest are parsed only. */
    private static final List<String> RUN = List.of("validate", "schema", "inventory", "apply", "diff", "reconcile",
            "fsck", "version", "--help", "--version");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```sh\\n(.*?)^```");
    private static final Pattern WORD = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)");

    @TempDir
    Path tmp;

    @Test
    void everyCommandInTheReadmeRunsOrIsMarkedIllustrative() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        Path repo = tmp.resolve("desired.git");
        List<String> lines = new ArrayList<>();
        Matcher m = FENCE.matcher(readme);
        while (m.find()) {
            m.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        }
        assertThat(lines).as("commands in README's sh blocks").hasSizeGreaterThan(10);
        int ran = 0;
        for (String line : lines) {
            if (line.contains("# illustrative")) {
                continue;
            }
            String command = line.replaceAll("\\s+#.*$", "");
            if (command.startsWith("export NVMESH_REPO=")) {
                continue; // stood for by --repo below
            }
            List<String> words = words(command);
            assertThat(words.get(0)).as("'%s' is an nvmesh command or marked # illustrative", line)
                    .isIn("./nvmesh", "nvmesh");
            List<String> args = new ArrayList<>();
            for (String w : words.subList(1, words.size())) {
                args.add(w.startsWith("samples") ? root.resolve(w).toString() : w);
            }
            ParseResult parsed = parse(line, args);
            if (args.isEmpty() || !RUN.contains(args.get(0))) {
                continue;
            }
            if (parsed.subcommand() != null && leaf(parsed).commandSpec().findOption("--repo") != null) {
                args.add("--repo");
                args.add(repo.toString());
            }
            NvmeshRun run = NvmeshRun.of(args.toArray(String[]::new));
            // diff says "changes" with 1, as README's comment says.
            List<Integer> expected = args.get(0).equals("diff") ? List.of(0, 1) : List.of(0);
            assertThat(run.exitCode()).as("%s%n%s%s", line, run.out(), run.err()).isIn(expected);
            ran++;
        }
        assertThat(ran).as("commands run in-process").isGreaterThanOrEqualTo(7);
    }

    @Test
    void aCommandOrOptionThatDoesNotExistFails() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("nvmesh get volumes --frobnicate",
                List.of("get", "volumes", "--frobnicate"))).isInstanceOf(AssertionError.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("nvmesh frob", List.of("frob")))
                .isInstanceOf(AssertionError.class);
    }

    private static ParseResult parse(String line, List<String> args) {
        try {
            // Configured as Nvmesh.run configures it: enum values in any case.
            return new CommandLine(new Nvmesh(System.in)).setCaseInsensitiveEnumValuesAllowed(true)
                    .parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("README: '" + line + "' does not parse: " + e.getMessage(), e);
        }
    }

    private static ParseResult leaf(ParseResult r) {
        return r.subcommand() == null ? r : leaf(r.subcommand());
    }

    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher w = WORD.matcher(command);
        while (w.find()) {
            words.add(w.group(1) != null ? w.group(1) : w.group(2) != null ? w.group(2) : w.group(3));
        }
        return words;
    }
}
