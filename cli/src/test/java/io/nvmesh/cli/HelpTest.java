package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Every command's {@code --help}, found by walking the command tree from {@link Nvmesh}: it exits 0, warns of
 * nothing, and reads whole (no summary cut at a colon, no path or {@code file:line:column} split across lines).
 */
class HelpTest {

    /**
     * A line that ends inside a path or a {@code file:line:column}: its last word ends at a separator and holds another
     * one (as {@code ~/.} before {@code nvmesh/desired.git}), or ends at a slash; the next line goes on with the word.
     */
    private static final Pattern SPLIT_AT_END = Pattern.compile("(\\S[/~]|\\S*[./:~]\\S*:|[/~]\\.)$");
    private static final Pattern STARTS_A_WORD = Pattern.compile("^\\s*[a-z0-9]");

    @TestFactory
    Stream<DynamicTest> everyCommandPrintsItsHelpWhole() {
        List<List<String>> paths = new ArrayList<>();
        walk(new CommandLine(new Nvmesh(System.in)), new ArrayList<>(), paths);
        assertThat(paths).as("commands found").hasSizeGreaterThan(20);
        return paths.stream().map(path -> DynamicTest.dynamicTest(String.join(" ", path) + " --help",
                () -> rendersWhole(path)));
    }

    @TestFactory
    Stream<DynamicTest> everySummaryIsAWholeSentence() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Nvmesh(System.in)), all);
        return all.stream().filter(c -> c.getParent() != null).map(c -> DynamicTest.dynamicTest(
                c.getCommandSpec().qualifiedName(), () -> {
                    String[] description = c.getCommandSpec().usageMessage().description();
                    assertThat(description).as("description of %s", c.getCommandName()).isNotEmpty();
                    // The parent's command list shows only the first line: it must not stop at "on one screen:".
                    assertThat(description[0].strip()).as("summary of %s", c.getCommandSpec().qualifiedName())
                            .doesNotEndWith(":").endsWith(".");
                }));
    }

    private static void rendersWhole(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        PrintStream systemErr = System.err;
        ByteArrayOutputStream picocliTrace = new ByteArrayOutputStream();
        NvmeshRun run;
        // picocli reports a description it cannot format on System.err, not on the command's writer.
        System.setErr(new PrintStream(picocliTrace, true, StandardCharsets.UTF_8));
        try {
            run = NvmeshRun.of(args.toArray(String[]::new));
        } finally {
            System.setErr(systemErr);
        }
        String all = run.out() + run.err() + picocliTrace.toString(StandardCharsets.UTF_8);
        assertThat(run.exitCode()).as("exit code; %s", all).isZero();
        assertThat(run.err() + picocliTrace.toString(StandardCharsets.UTF_8)).as("warnings").isEmpty();
        assertThat(run.out()).contains("Usage: nvmesh " + String.join(" ", path).strip());
        List<String> lines = run.out().lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            assertThat(SPLIT_AT_END.matcher(lines.get(i)).find() && STARTS_A_WORD.matcher(lines.get(i + 1)).find())
                    .as("a word split across lines %d-%d:%n%s%n%s", i + 1, i + 2, lines.get(i), lines.get(i + 1))
                    .isFalse();
        }
    }

    private static void walk(CommandLine c, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        c.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName())) {
                return; // an alias: the same command
            }
            List<String> p = new ArrayList<>(path);
            p.add(name);
            walk(sub, p, out);
        });
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {
                collect(sub, out);
            }
        });
    }
}
