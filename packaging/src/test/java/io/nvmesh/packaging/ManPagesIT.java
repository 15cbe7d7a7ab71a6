package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.cli.Nvmesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A man page in the archive for every command and subcommand of the command model, holding the command's
 * examples and exit codes (its {@code --help} footer) line for line, and formatting without a warning from groff
 * where groff is installed.
 */
class ManPagesIT {

    @TempDir
    static Path tmp;

    static Distribution dist;

    @BeforeAll
    static void unpack() throws Exception {
        dist = Distribution.unpack(tmp.resolve("unpacked"));
    }

    @TestFactory
    Stream<DynamicTest> everyCommandHasAPageWithItsExamples() {
        List<CommandLine> commands = new ArrayList<>();
        collect(new CommandLine(Nvmesh.class), commands);
        assertThat(commands).hasSizeGreaterThan(25);
        return commands.stream().map(c -> DynamicTest.dynamicTest(c.getCommandSpec().qualifiedName(), () -> {
            String name = c.getCommandSpec().qualifiedName().replace(' ', '-');
            Path page = dist.home.resolve("man/man1/" + name + ".1");
            assertThat(page).exists();
            String troff = Files.readString(page);
            assertThat(troff).startsWith(".TH \"" + name.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-")
                    + "\" 1");
            List<String> text = ManPage.plain(troff);
            for (String footer : c.getCommandSpec().usageMessage().footer()) {
                for (String line : String.format(footer).split("\\R")) {
                    if (!line.isBlank()) {
                        assertThat(text).as("%s holds the footer line%n%s", page.getFileName(), line).contains(line);
                    }
                }
            }
            if (Files.isExecutable(Path.of("/usr/bin/groff"))) {
                Distribution.Run groff = Distribution.run(tmp, Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"),
                        Duration.ofSeconds(30), "groff", "-man", "-Tutf8", "-ww", "-z", "-k", page.toString());
                assertThat(groff.err()).as("groff on %s", page.getFileName()).isEmpty();
                assertThat(groff.exit()).isZero();
            }
        }));
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
