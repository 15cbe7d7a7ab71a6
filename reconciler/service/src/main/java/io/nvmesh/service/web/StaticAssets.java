package io.nvmesh.service.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The dashboard's files, read once from the classpath: the page and its script and style under {@code io/nvmesh/web/}
 * and uPlot from its WebJar. Only the paths listed here are served, so no request path ever reaches the class
 * loader.
 */
public final class StaticAssets {

    static final String ROOT = "io/nvmesh/web/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /**
     * @param etag a strong validator: the first 16 bytes of the SHA-256 of the content, quoted
     */
    public record Asset(String path, String contentType, byte[] bytes, String etag) {
    }

    private final Map<String, Asset> byPath;

    private StaticAssets(Map<String, Asset> byPath) {
        this.byPath = Collections.unmodifiableMap(new LinkedHashMap<>(byPath));
    }

    /**
     * Loads every asset.
     *
     * @throws IllegalStateException when one is missing from the classpath (a broken build)
     */
    public static StaticAssets load() {
        ClassLoader loader = StaticAssets.class.getClassLoader();
        String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion(loader) + "/dist/";
        Map<String, Asset> assets = new LinkedHashMap<>();
        add(assets, loader, "/", ROOT + "index.html", "text/html;charset=utf-8");
        add(assets, loader, "/ui/app.js", ROOT + "app.js", "text/javascript;charset=utf-8");
        add(assets, loader, "/ui/app.css", ROOT + "app.css", "text/css;charset=utf-8");
        add(assets, loader, "/ui/favicon.svg", ROOT + "favicon.svg", "image/svg+xml");
        add(assets, loader, "/ui/uplot.js", uplot + "uPlot.iife.min.js", "text/javascript;charset=utf-8");
        add(assets, loader, "/ui/uplot.css", uplot + "uPlot.min.css", "text/css;charset=utf-8");
        return new StaticAssets(assets);
    }

    /** The asset served at {@code path}, if any. */
    public Optional<Asset> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** Every served path with its asset, in a stable order. */
    public Map<String, Asset> all() {
        return byPath;
    }

    private static String uplotVersion(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar is not on the classpath (" + UPLOT_POM + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static void add(Map<String, Asset> assets, ClassLoader loader, String path, String resource,
                            String contentType) {
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset " + resource + " is not on the classpath");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assets.put(path, new Asset(path, contentType, bytes, etag(bytes)));
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "StaticAssets" + byPath.keySet();
    }
}
