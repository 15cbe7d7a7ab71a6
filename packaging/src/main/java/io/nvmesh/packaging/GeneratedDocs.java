package io.nvmesh.packaging;

import io.nvmesh.cli.Nvmesh;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * {@code GeneratedDocs OUT}: writes, from the command model of {@link Nvmesh},
 * <ul>
 *   <li>{@code OUT/man/man1/nvmesh[-command[-subcommand]].1}: one troff man page per command (picocli's
 *       {@link ManPageGenerator} writes AsciiDoc, {@link ManPage} turns it into troff: no Asciidoctor needed);</li>
 *   <li>{@code OUT/deb/man1/*.1.gz}: the same, compressed as Debian installs man pages;</li>
 *   <li>{@code OUT/completion/nvmesh.bash} and {@code nvmesh.zsh}: what {@code nvmesh completion bash|zsh}
 *       prints.</li>
 * </ul>
 * Run by the build (exec-maven-plugin, prepare-package) before the archive is assembled.
 */
public final class GeneratedDocs {

    private GeneratedDocs() {
    }

    public static void main(String... args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GeneratedDocs OUT");
        }
        Path out = Path.of(args[0]);
        List<Path> pages = manPages(out.resolve("adoc"), out.resolve("man/man1"));
        Path deb = Files.createDirectories(out.resolve("deb/man1"));
        for (Path page : pages) {
            gzip(page, deb.resolve(page.getFileName() + ".gz"));
        }
        Path completion = Files.createDirectories(out.resolve("completion"));
        Files.writeString(completion.resolve("nvmesh.bash"), nvmesh("completion", "bash"));
        Files.writeString(completion.resolve("nvmesh.zsh"), nvmesh("completion", "zsh"));
    }

    /** Man pages of every command into {@code man1}, by way of AsciiDoc in {@code adoc}; returns the pages. */
    static List<Path> manPages(Path adoc, Path man1) throws IOException {
        Files.createDirectories(adoc);
        Files.createDirectories(man1);
        CommandLine model = new CommandLine(Nvmesh.class);
        int rc = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, model.getCommandSpec());
        if (rc != 0) {
            throw new IllegalStateException("picocli's ManPageGenerator failed with " + rc);
        }
        List<Path> written = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(adoc)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".adoc")).sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.adoc$", "");
                Path page = man1.resolve(name + ".1");
                Files.writeString(page, ManPage.toTroff(Files.readString(file)));
                written.add(page);
            }
        }
        return written;
    }

    /** What {@code nvmesh args...} prints, run in this JVM; fails on a non-zero exit. */
    private static String nvmesh(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Nvmesh.run(new PrintWriter(out), new PrintWriter(err), args);
        if (rc != 0) {
            throw new IllegalStateException("nvmesh " + String.join(" ", args) + " exited " + rc + ": " + err);
        }
        return out.toString();
    }

    /** gzip without a file name or time in the header, so that the same page makes the same bytes. */
    private static void gzip(Path from, Path to) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Files.readAllBytes(from));
        }
        Files.write(to, bytes.toByteArray());
    }
}
