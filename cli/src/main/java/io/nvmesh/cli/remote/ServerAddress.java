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
public record ServerAddress(URI server, String token, String source, ClientTls tls) {

    public ServerAddress {
        java.util.Objects.requireNonNull(tls, "tls");
    }

    /** Without TLS files: the JVM's trusted CAs, no client certificate. */
    public ServerAddress(URI server, String token, String source) {
        this(server, token, source, ClientTls.NONE);
    }

    /** Another instance of the same cluster, asked with the same token and TLS files. */
    public ServerAddress at(URI url) {
        return new ServerAddress(url, token, "cluster", tls);
    }

    public static final String FILE = "client.properties";

    /**
     * @param env the environment ({@code System.getenv()} outside tests)
     */
    public static ServerAddress resolve(String server, String token, Map<String, String> env) {
        return resolve(server, token, ClientTls.NONE, env);
    }

    /**
     * As above, with TLS files: each of {@code --cacert}, {@code --cert}, {@code --key} given, else {@code
     * NVMESH_CACERT}, {@code NVMESH_CERT}, {@code NVMESH_KEY}, else {@code cacert=}, {@code cert=}, {@code key=} in the
     * demo's client file.
     */
    public static ServerAddress resolve(String server, String token, ClientTls given, Map<String, String> env) {
        ServerAddress plain = resolvePlain(server, token, env);
        Properties demo = demoFile(env).map(ServerAddress::load).orElseGet(Properties::new);
        ClientTls tls = new ClientTls(pathOf(given.cacert(), env.get("NVMESH_CACERT"), demo.getProperty("cacert")),
                pathOf(given.cert(), env.get("NVMESH_CERT"), demo.getProperty("cert")),
                pathOf(given.key(), env.get("NVMESH_KEY"), demo.getProperty("key")));
        return new ServerAddress(plain.server(), plain.token(), plain.source(), tls);
    }

    private static Optional<Path> pathOf(Optional<Path> given, String fromEnv, String fromFile) {
        if (given.isPresent()) {
            return given;
        }
        String s = fromEnv != null && !fromEnv.isBlank() ? fromEnv : fromFile;
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(Path.of(s.strip()));
    }

    private static ServerAddress resolvePlain(String server, String token, Map<String, String> env) {
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
