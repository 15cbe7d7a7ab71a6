package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Validates manifests from paths, standard input or memory and reports every problem at once. Files are checked
 * in parallel (each on its own), then the checks that span files run over all of them. One instance compiles the
 * schemas once; it is thread-safe and meant to be reused.
 */
public final class ManifestValidator {

    /** The path argument that means standard input. */
    public static final String STDIN = "-";

    /** Name of the file that lists paths a directory walk skips. */
    public static final String IGNORE_FILE = ".nvmeshignore";

    private final FileCheck files;

    private ManifestValidator() {
        this.files = new FileCheck(new SchemaCheck());
    }

    /** A validator with the published schemas compiled. */
    public static ManifestValidator create() {
        return new ManifestValidator();
    }

    /**
     * Validates every {@code *.yaml} and {@code *.yml} file under {@code paths} (recursively, sorted, hidden
     * directories skipped), files named directly whatever their extension, and standard input for {@code -}.
     * A directory given as a path may hold a {@code .nvmeshignore}: one glob per line relative to that directory
     * ({@code ci/}, {@code **}{@code /*.example.yaml}); {@code #} starts a comment. It keeps YAML that is not a
     * manifest (CI pipelines, Helm values) out of the walk.
     *
     * @throws NoSuchFileException if a path does not exist (a usage error, not a problem in a manifest)
     * @throws IOException         if a directory cannot be listed
     */
    public ValidationReport validate(List<String> paths, InputStream stdin) throws IOException {
        Map<String, Supplier<byte[]>> inputs = new LinkedHashMap<>();
        for (String p : paths) {
            if (STDIN.equals(p)) {
                Objects.requireNonNull(stdin, "stdin");
                byte[] bytes = readBounded(stdin);
                inputs.putIfAbsent(STDIN, () -> bytes);
                continue;
            }
            Path path = Path.of(p);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(p, null, "no such file or directory");
            }
            for (Path file : manifestFiles(path)) {
                String shown = display(p, path, file);
                inputs.putIfAbsent(shown, () -> null);
            }
        }
        List<String> names = new ArrayList<>(inputs.keySet());
        List<FileCheck.Result> results = names.parallelStream().map(name -> {
            byte[] preloaded = inputs.get(name).get();
            return preloaded != null ? files.check(name, preloaded) : checkFile(name);
        }).toList();
        return report(names, results);
    }

    /**
     * The manifest files {@code validate} would read under {@code paths} (same walk, same {@code .nvmeshignore}
     * rules), as it would name them; {@code -} is not allowed here.
     *
     * @throws NoSuchFileException if a path does not exist
     */
    public static List<String> findFiles(List<String> paths) throws IOException {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (String p : paths) {
            Path path = Path.of(p);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(p, null, "no such file or directory");
            }
            for (Path file : manifestFiles(path)) {
                out.add(display(p, path, file));
            }
        }
        return List.copyOf(out);
    }

    /** Validates content held in memory (e.g. Git blobs); {@code file} names each source in problems. */
    public ValidationReport validateSources(List<ManifestSource> sources) {
        List<String> names = sources.stream().map(ManifestSource::file).toList();
        List<FileCheck.Result> results = sources.parallelStream().map(s -> files.check(s.file(), s.content())).toList();
        return report(names, results);
    }

    private FileCheck.Result checkFile(String name) {
        Path file = Path.of(name);
        try {
            long size = Files.size(file);
            if (size > Limits.MAX_FILE_BYTES) {
                return new FileCheck.Result(List.of(), List.of(new Problem(name, 0, 0, "", "", SourceText.tooLarge(size))));
            }
            return files.check(name, Files.readAllBytes(file));
        } catch (IOException | UncheckedIOException e) {
            return new FileCheck.Result(List.of(), List.of(new Problem(name, 0, 0, "", "", "cannot read: " + e)));
        }
    }

    private static ValidationReport report(List<String> names, List<FileCheck.Result> results) {
        List<LoadedManifest> manifests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (FileCheck.Result r : results) {
            manifests.addAll(r.manifests());
            problems.addAll(r.problems());
        }
        problems.addAll(ReferenceCheck.check(manifests));
        return new ValidationReport(manifests, problems, names);
    }

    private static List<Path> manifestFiles(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<PathMatcher> ignored = ignoreRules(path);
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> isManifestName(f.getFileName().toString()))
                    .filter(f -> !hidden(path.relativize(f)))
                    .filter(f -> ignored.stream().noneMatch(m -> m.matches(path.relativize(f))))
                    .sorted()
                    .toList();
        }
    }

    private static List<PathMatcher> ignoreRules(Path directory) throws IOException {
        Path file = directory.resolve(IGNORE_FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<PathMatcher> matchers = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String glob = line.strip();
            if (glob.isEmpty() || glob.startsWith("#")) {
                continue;
            }
            if (glob.endsWith("/")) {
                glob = glob + "**";
            }
            matchers.add(directory.getFileSystem().getPathMatcher("glob:" + glob));
        }
        return matchers;
    }

    private static boolean isManifestName(String name) {
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The file as the user would write it: relative to the argument they gave, without a leading "./". */
    private static String display(String argument, Path root, Path file) {
        if (file.equals(root)) {
            return argument;
        }
        return root.resolve(root.relativize(file)).normalize().toString();
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        // Reads at most one byte past the limit, so endless input (a pipe from /dev/zero) still ends.
        return in.readNBytes(Limits.MAX_FILE_BYTES + 1);
    }
}
