package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

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
     * manifest (CI pipelines, Helm values) out of the walk. A symbolic link found in a directory whose real path lies
     * outside the directory's real path is not read: it is a problem at the link.
     *
     * @throws NoSuchFileException if a path does not exist (a usage error, not a problem in a manifest)
     * @throws IOException         if a directory cannot be listed
     */
    public ValidationReport validate(List<String> paths, InputStream stdin) throws IOException {
        Map<String, Supplier<byte[]>> inputs = new LinkedHashMap<>();
        Map<String, Problem> refusals = new HashMap<>();
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
            Walk walk = manifestFiles(path);
            for (Path file : walk.files()) {
                String shown = display(p, path, file);
                inputs.putIfAbsent(shown, () -> null);
            }
            for (Path link : walk.escaping()) {
                Problem refused = escapingLink(display(p, path, link), link, path);
                inputs.putIfAbsent(refused.file(), () -> null);
                refusals.put(refused.file(), refused);
            }
        }
        List<String> names = new ArrayList<>(inputs.keySet());
        List<FileCheck.Result> results = names.parallelStream().map(name -> {
            if (refusals.containsKey(name)) {
                return new FileCheck.Result(List.of(), List.of(refusals.get(name)));
            }
            byte[] preloaded = inputs.get(name).get();
            return preloaded != null ? files.check(name, preloaded) : checkFile(name);
        }).toList();
        return report(names, results);
    }

    /**
     * The manifest files {@code validate} would read under {@code paths} (same walk, same {@code .nvmeshignore}
     * rules), as it would name them, and the symbolic links it would refuse as leading outside their directory; {@code
     * -} is not allowed here.
     *
     * @throws NoSuchFileException if a path does not exist
     */
    public static Found findFiles(List<String> paths) throws IOException {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        List<Problem> refused = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of(p);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(p, null, "no such file or directory");
            }
            Walk walk = manifestFiles(path);
            for (Path file : walk.files()) {
                out.add(display(p, path, file));
            }
            for (Path link : walk.escaping()) {
                refused.add(escapingLink(display(p, path, link), link, path));
            }
        }
        return new Found(List.copyOf(out), refused);
    }

    /** What {@link #findFiles} found: files to read, and a problem for each link that leads outside its tree. */
    public record Found(List<String> files, List<Problem> refused) {
        public Found {
            files = List.copyOf(files);
            refused = List.copyOf(refused);
        }
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
            // One read up to a byte past the limit rather than a stat first: two system calls fewer per file, and
            // the size is asked only of the rare file over the limit (for its message).
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(Limits.MAX_FILE_BYTES + 1);
            }
            if (bytes.length > Limits.MAX_FILE_BYTES) {
                long size = Files.size(file);
                return new FileCheck.Result(List.of(), List.of(new Problem(name, 0, 0, "", "", SourceText.tooLarge(size))));
            }
            return files.check(name, bytes);
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

    /** Manifest files found in a walk, and the symbolic links that lead outside the directory walked. */
    private record Walk(List<Path> files, List<Path> escaping) {
    }

    /**
     * Walks without following directory links (as before: a link inside the tree would list files twice), reads a
     * file link only when its real path is inside the real path of the directory given, and refuses any link (to a
     * manifest or to a directory) that leads outside it: a tree handed to {@code apply} must not carry a file from
     * elsewhere on the machine into the desired branch.
     */
    private static Walk manifestFiles(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return new Walk(List.of(path), List.of());
        }
        List<PathMatcher> ignored = ignoreRules(path);
        Path realRoot = path.toRealPath();
        // The directory given may itself be a link; the walk starts where it leads and names files under the link.
        Path start = Files.isSymbolicLink(path) ? realRoot : path;
        List<Path> found = new ArrayList<>();
        List<Path> escaping = new ArrayList<>();
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(start) && hidden(start.relativize(dir)) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path walked, BasicFileAttributes attrs) {
                Path relative = start.relativize(walked);
                Path file = path.resolve(relative);
                boolean manifest = isManifestName(file.getFileName().toString());
                if (hidden(relative) || !ignored.isEmpty() && ignored.stream().anyMatch(m -> m.matches(relative))) {
                    return FileVisitResult.CONTINUE;
                }
                if (!attrs.isSymbolicLink()) {
                    if (attrs.isRegularFile() && manifest) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
                Path real;
                try {
                    real = file.toRealPath();
                } catch (IOException e) {
                    return FileVisitResult.CONTINUE; // a dangling link holds nothing to read, as before
                }
                boolean directory = Files.isDirectory(real);
                if (!real.startsWith(realRoot)) {
                    if (manifest || directory) {
                        escaping.add(file);
                    }
                } else if (manifest && Files.isRegularFile(real)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // gone while walking
                }
                throw e;
            }
        });
        found.sort(null);
        escaping.sort(null);
        return new Walk(List.copyOf(found), List.copyOf(escaping));
    }

    /** The problem of a link that leads outside the directory given. */
    private static Problem escapingLink(String shown, Path link, Path root) {
        String target;
        try {
            target = link.toRealPath().toString();
        } catch (IOException e) {
            target = String.valueOf(link);
        }
        String rootReal;
        try {
            rootReal = root.toRealPath().toString();
        } catch (IOException e) {
            rootReal = root.toString();
        }
        return new Problem(shown, 0, 0, "", "", "symbolic link to " + target + " leads outside " + rootReal
                + "; not read (links in a manifest tree may only point inside it)");
    }

    private static List<PathMatcher> ignoreRules(Path directory) throws IOException {
        Path file = directory.resolve(IGNORE_FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return ignoreRules(Files.readAllLines(file));
    }

    /**
     * Whether a path of a Git tree (relative to its root, {@code /}-separated) is ignored by the lines of the tree's
     * own {@code .nvmeshignore}: the same globs {@code validate} applies to a directory, so that what {@code
     * validate} skips in a checkout, the reconcilers skip on the desired branch.
     */
    public static java.util.function.Predicate<String> ignoredBy(List<String> ignoreFileLines) {
        List<PathMatcher> matchers = ignoreRules(ignoreFileLines);
        if (matchers.isEmpty()) {
            return path -> false;
        }
        return path -> {
            Path relative = Path.of(path);
            return matchers.stream().anyMatch(m -> m.matches(relative));
        };
    }

    private static List<PathMatcher> ignoreRules(List<String> lines) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String line : lines) {
            String glob = line.strip();
            if (glob.isEmpty() || glob.startsWith("#")) {
                continue;
            }
            if (glob.endsWith("/")) {
                glob = glob + "**";
            }
            matchers.add(java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob));
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
