package io.nvmesh.service.http;

import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.service.config.TlsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The listener's TLS: Jetty's {@link SslContextFactory.Server} loaded from the PEM files of {@link TlsConfig}, and a
 * look at those files every second that reloads the factory when one changed. A reload affects new connections only;
 * open ones keep the session they have. Files that do not read (half copied, a typo) keep the certificate in force and
 * are logged; Jetty's own {@code KeyStoreScanner} watches key store files, not PEM.
 */
final class ServerTls implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());
    static final long CHECK_EVERY_MILLIS = 1_000;

    private final TlsConfig config;
    private final SslContextFactory.Server factory;
    private final AtomicLong reloads = new AtomicLong();
    private volatile List<String> stamp;
    private ScheduledExecutorService watcher;

    private ServerTls(TlsConfig config, SslContextFactory.Server factory) {
        this.config = config;
        this.factory = factory;
    }

    /** Reads the files; throws {@link IllegalArgumentException} naming a file that does not read. */
    static ServerTls of(TlsConfig config) {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        ServerTls tls = new ServerTls(config, factory);
        tls.stamp = tls.stampNow();
        Stores stores = tls.read();
        factory.setKeyStorePassword(new String(PemFiles.STORE_PASSWORD));
        factory.setKeyStore(stores.keys());
        stores.trust().ifPresent(factory::setTrustStore);
        switch (config.clientAuth()) {
            case NEED -> factory.setNeedClientAuth(true);
            case WANT -> factory.setWantClientAuth(true);
            case NONE -> {
            }
        }
        return tls;
    }

    TlsConfig config() {
        return config;
    }

    SslContextFactory.Server factory() {
        return factory;
    }

    /** How many times the files were loaded again after a change. */
    long reloads() {
        return reloads.get();
    }

    /** Starts looking at the files every second. */
    void watch(String name) {
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-tls-watch-" + name);
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Loads the files again if any changed since the last load; true when it did. */
    boolean reloadIfChanged() {
        List<String> now = stampNow();
        if (now.equals(stamp)) {
            return false;
        }
        try {
            Stores stores = read();
            factory.reload(f -> {
                f.setKeyStore(stores.keys());
                stores.trust().ifPresent(f::setTrustStore);
            });
            stamp = now;
            reloads.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "TLS certificate reloaded from " + config.certificate());
            return true;
        } catch (IllegalArgumentException e) {
            // Try again at the next look: a rotation may be half written.
            LOG.log(System.Logger.Level.WARNING, "TLS files changed but do not read, keeping the certificate in force: "
                    + e.getMessage());
            return false;
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "TLS reload failed, keeping the certificate in force: " + e);
            return false;
        }
    }

    private record Stores(KeyStore keys, Optional<KeyStore> trust) {
    }

    private Stores read() {
        return new Stores(PemFiles.keyStore(config.certificate(), config.key()),
                config.clientCa().map(PemFiles::trustStore));
    }

    private List<String> stampNow() {
        List<Path> files = new ArrayList<>(List.of(config.certificate(), config.key()));
        config.clientCa().ifPresent(files::add);
        return PemFiles.stamp(files);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
