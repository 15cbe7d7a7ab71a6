package io.nvmesh.cli.remote;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Which reconciler to ask and with which token: the command line first, then {@code NVMESH_SERVER} /
 * {@code NVMESH_TOKEN}, then the file {@code nvmesh demo} writes ({@code <home>/demo/client.properties}).
 */
public record ServerAddress(URI server, String token, String source) {

    public static final String FILE = "client.properties";

    /**
     * @param env the environment ({@code System.getenv()} outside tests)
     */
    public static ServerAddress resolve(String server, String token, Map<String, String> env) {
        Properties demo = demoFile(env).map(ServerAddress::load).orElseGet(Properties::new);
        String s = firstOf(server, env.get("NVMESH_SERVER"), demo.getProperty("server"));
        String source = server != null ? "--server" : env.get("NVMESH_SERVER") != null ? "NVMESH_SERVER"
                : s != null ? demoFile(env).map(Path::toString).orElse("") : "";
        if (s == null) {
            throw new IllegalArgumentException("no server given: use --server URL, set NVMESH_SERVER, or start "
                    + "'nvmesh demo' (it writes " + demoFile(env).map(Path::toString).orElse(FILE) + ")");
        }
        String t = firstOf(token, env.get("NVMESH_TOKEN"), demo.getProperty("token"));
        if (t != null && !t.chars().allMatch(c -> c > ' ' && c <= '~')) {
            // A token pasted with a line break or a space would otherwise fail deep in the HTTP client.
            throw new IllegalArgumentException("the token (" + (token != null ? "--token" : env.get("NVMESH_TOKEN")
                    != null ? "NVMESH_TOKEN" : demoFile(env).map(Path::toString).orElse("")) + ") holds spaces, line "
                    + "breaks or other characters a token never has; copy it again");
        }
        URI uri;
        try {
            uri = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server " + s + " is not a URL such as http://127.0.0.1:7420");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("server " + s + " is not an http(s) URL such as http://127.0.0.1:7420");
        }
        return new ServerAddress(uri, t == null ? "" : t, source);
    }

    /** {@code ${NVMESH_HOME:-~/.nvmesh}/demo/client.properties}, when it exists. */
    static Optional<Path> demoFile(Map<String, String> env) {
        Path f = homeDir(env).resolve("demo").resolve(FILE);
        return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
    }

    /** {@code NVMESH_HOME}, or {@code ~/.nvmesh}. */
    public static Path homeDir(Map<String, String> env) {
        String home = env.get("NVMESH_HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".nvmesh");
    }

    private static Properties load(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return p;
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
