package io.nvmesh.cli.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the service's jar and libraries are, and the command line that runs one of its main classes. Found from
 * {@code -Dnvmesh.home} (set by the launcher): a source checkout ({@code reconciler/service/target/}, libraries in its
 * {@code lib/}) or a distribution ({@code lib/service/}, libraries in {@code lib/lib/}, shared with the command line).
 */
public record ServiceJars(Path jar, Path libDir, List<String> jvmFlags) {

    public static final String RECONCILER_MAIN = "io.nvmesh.service.ReconcilerMain";
    public static final String SIM_MAIN = "io.nvmesh.service.sim.SimMain";
    public static final String HOST_MAIN = "io.nvmesh.service.host.HostMain";
    /** Set by the launcher: the JVM flags Chronicle Map needs, kept in one place (packaging/bin/nvmesh). */
    public static final String FLAGS_ENV = "NVMESH_JVM_FLAGS";

    public ServiceJars {
        jvmFlags = List.copyOf(jvmFlags);
    }

    /** The service of the nvmesh home this CLI runs from, or why it cannot be found. */
    public static ServiceJars locate() {
        String home = System.getProperty("nvmesh.home", "");
        if (home.isEmpty()) {
            throw new IllegalStateException("nvmesh.home is not set; run nvmesh through its launcher (./nvmesh)");
        }
        List<String> flags = Optional.ofNullable(System.getenv(FLAGS_ENV)).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Arrays.asList(s.split("\\s+"))).orElse(List.of());
        return in(Path.of(home), flags);
    }

    static ServiceJars in(Path home, List<String> flags) {
        Path source = home.resolve("reconciler/service/target");
        Optional<Path> built = serviceJar(source);
        if (built.isPresent()) {
            return new ServiceJars(built.get(), source.resolve("lib"), flags);
        }
        Optional<Path> shipped = serviceJar(home.resolve("lib/service"));
        if (shipped.isPresent()) {
            return new ServiceJars(shipped.get(), home.resolve("lib/lib"), flags);
        }
        throw new IllegalStateException("the reconciler service is not built: no nvmesh-reconciler-service jar in "
                + source + " (run: mvn -B package -DskipTests)");
    }

    /** {@code nvmesh-reconciler-service[-VERSION].jar} in {@code dir}; the newest if several versions lie there. */
    private static Optional<Path> serviceJar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith("nvmesh-reconciler-service") && n.endsWith(".jar") && !n.endsWith("-sources.jar")
                        && !n.endsWith("-tests.jar");
            }).max(java.util.Comparator.comparing(f -> f.toFile().lastModified()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The same jars, run with {@code more} flags after these. */
    public ServiceJars withMoreFlags(List<String> more) {
        List<String> all = new ArrayList<>(jvmFlags);
        all.addAll(more);
        return new ServiceJars(jar, libDir, all);
    }

    /** {@code java <flags> -cp jar:lib/* main args...}, with the java of this JVM. */
    public List<String> command(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(jar + File.pathSeparator + libDir.resolve("*"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
