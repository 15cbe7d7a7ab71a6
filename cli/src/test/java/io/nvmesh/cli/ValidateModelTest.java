package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code nvmesh validate} runs through a model of the top command and itself only (a faster start); everything it
 * prints and every exit code must be what the whole model gives.
 */
class ValidateModelTest {

    @TempDir
    static Path dir;

    static Stream<List<String>> commandLines() throws IOException {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata: {name: v}
                spec: {policy: missing, capacity: 10XB, colour: red}
                """);
        String bad = dir.resolve("bad.yaml").toString();
        String samples = Path.of("..", "samples").toString();
        return Stream.of(
                List.of("validate", "--help"), List.of("validate", "-h"), List.of("validate", "--version"),
                List.of("validate", "--frobnicate"), List.of("validate", "--outptu", "json"),
                List.of("validate", "-o", "xml", bad), List.of("validate", "no-such-path"),
                List.of("validate", "--verify-signatures", "x"), List.of("validate", "--repo"),
                List.of("validate", samples), List.of("validate", "-"), List.of("validate", "-", bad),
                List.of("validate", bad), List.of("validate", "-o", "json", bad), List.of("validate", "-o", "junit", bad),
                List.of("validate", "-o", "github", bad), List.of("validate", "-o", "sarif", bad),
                List.of("validate", "-o", "JSON", samples, bad), List.of("validate", "help"));
    }

    @ParameterizedTest
    @MethodSource("commandLines")
    void printsAndExitsExactlyAsTheWholeModel(List<String> args) {
        String[] a = args.toArray(String[]::new);
        String stdin = "apiVersion: nvmesh.io/v1\nkind: DriveClass\nmetadata: {name: d}\nspec: {selector: {}}\n";

        String[] own = run(Nvmesh.commandLine(in(stdin), a), a);
        String[] whole = run(new CommandLine(new Nvmesh(in(stdin))), a);

        assertThat(Nvmesh.commandLine(in(stdin), a).getSubcommands()).containsOnlyKeys("validate");
        assertThat(own).containsExactly(whole);
    }

    private static InputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Nvmesh.execute(cli, new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
