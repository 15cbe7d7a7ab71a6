package io.nvmesh.core.certs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.SecureRandom;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS client context whose client certificate, key and CA bundle are PEM files read again when they change, so that
 * a long-running client (a node agent, an instance calling its peers) presents a rotated certificate on its next
 * connection without a restart. The files are looked at when a handshake needs them, at most once a second; open
 * connections keep the session they have. Files that changed but do not read (half copied, or a key that does not
 * belong to the certificate yet) keep the last good ones in force and are logged; the next look tries again.
 */
public final class ReloadingClientContext {

    private static final System.Logger LOG = System.getLogger(ReloadingClientContext.class.getName());
    static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private ReloadingClientContext() {
    }

    /**
     * Servers' certificates checked against {@code caBundle} (the JVM's trusted CAs when empty); {@code certificate}
     * and {@code key} presented as client certificate when given. Everything is read once now.
     *
     * @throws IllegalArgumentException naming a file that does not read, or a certificate without its key
     */
    public static SSLContext of(Optional<Path> caBundle, Optional<Path> certificate, Optional<Path> key) {
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException(certificate.isPresent() ? certificate.get() + ": a client certificate "
                    + "needs its key" : key.get() + ": a key needs its client certificate");
        }
        Keys k = certificate.map(c -> new Keys(c, key.get())).orElse(null);
        Trust t = caBundle.map(Trust::new).orElse(null);
        SSLContext real;
        try {
            real = SSLContext.getInstance("TLS");
            real.init(k == null ? null : new KeyManager[] {k}, t == null ? null : new TrustManager[] {t}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage());
        }
        // A resumed session would show the server the certificate it was made with, and a resumption consults
        // neither manager: so every new connection looks at the files first, and a reload forgets the sessions.
        Runnable forget = () -> forgetSessions(real.getClientSessionContext());
        Runnable look = () -> {
            if (k != null) {
                k.watched.get();
            }
            if (t != null) {
                t.watched.get();
            }
        };
        if (k != null) {
            k.watched.onChange = forget;
        }
        if (t != null) {
            t.watched.onChange = forget;
        }
        return new Looking(real, look);
    }

    /** The real context, looking at the files before each new connection. */
    private static final class Looking extends SSLContext {
        Looking(SSLContext real, Runnable look) {
            super(new LookingSpi(real, look), real.getProvider(), real.getProtocol());
        }
    }

    private static final class LookingSpi extends SSLContextSpi {

        private final SSLContext real;
        private final Runnable look;

        LookingSpi(SSLContext real, Runnable look) {
            this.real = real;
            this.look = look;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            SSLSocketFactory f = real.getSocketFactory();
            return new SSLSocketFactory() {
                @Override
                public String[] getDefaultCipherSuites() {
                    return f.getDefaultCipherSuites();
                }

                @Override
                public String[] getSupportedCipherSuites() {
                    return f.getSupportedCipherSuites();
                }

                @Override
                public Socket createSocket() throws IOException {
                    look.run();
                    return f.createSocket();
                }

                @Override
                public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                    look.run();
                    return f.createSocket(s, host, port, autoClose);
                }

                @Override
                public Socket createSocket(String host, int port) throws IOException {
                    look.run();
                    return f.createSocket(host, port);
                }

                @Override
                public Socket createSocket(String host, int port, InetAddress local, int localPort)
                        throws IOException {
                    look.run();
                    return f.createSocket(host, port, local, localPort);
                }

                @Override
                public Socket createSocket(InetAddress host, int port) throws IOException {
                    look.run();
                    return f.createSocket(host, port);
                }

                @Override
                public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort)
                        throws IOException {
                    look.run();
                    return f.createSocket(address, port, local, localPort);
                }
            };
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return real.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            look.run();
            return real.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            look.run();
            return real.createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return real.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return real.getSupportedSSLParameters();
        }
    }

    private static void forgetSessions(SSLSessionContext sessions) {
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
            SSLSession s = sessions.getSession(ids.nextElement());
            if (s != null) {
                s.invalidate();
            }
        }
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key (a test signature verifies). */
    static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        PublicKey pub = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        try {
            byte[] probe = "nvmesh key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Something read from files, read again when their modification time, size or identity changed. */
    private static final class Watched<T> {

        private final List<Path> files;
        private final Supplier<T> read;
        private volatile T current;
        private volatile List<String> stamp;
        private volatile long nextLook;
        /** Called after a reload (the context's sessions are forgotten). */
        volatile Runnable onChange = () -> { };

        Watched(List<Path> files, Supplier<T> read) {
            this.files = List.copyOf(files);
            this.read = read;
            this.stamp = stamp();
            this.current = read.get();
            this.nextLook = System.nanoTime() + CHECK_EVERY_NANOS;
        }

        T get() {
            if (System.nanoTime() - nextLook >= 0) {
                lookAgain();
            }
            return current;
        }

        private synchronized void lookAgain() {
            long now = System.nanoTime();
            if (now - nextLook < 0) {
                return;
            }
            nextLook = now + CHECK_EVERY_NANOS;
            List<String> s = stamp();
            if (s.equals(stamp)) {
                return;
            }
            try {
                current = read.get();
                stamp = s;
                onChange.run();
                LOG.log(System.Logger.Level.INFO, "TLS client files reloaded: " + files);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "TLS client files changed but do not read, keeping the ones in "
                        + "force: " + e.getMessage());
            }
        }

        private List<String> stamp() {
            return PemFiles.stamp(files);
        }
    }

    /**
     * The client certificate. Each load gets aliases of its own ({@code <generation>:<alias>}), and the previous load
     * is kept, so that a handshake that chose an alias before a reload still gets the chain and key of that alias.
     */
    private static final class Keys extends X509ExtendedKeyManager {

        private record Loaded(long generation, X509ExtendedKeyManager keys) {
        }

        private final Watched<Loaded> watched;
        private volatile Loaded previous;
        private long generations;

        Keys(Path certificate, Path key) {
            this.watched = new Watched<>(List.of(certificate, key), () -> load(certificate, key));
        }

        private synchronized Loaded load(Path certificate, Path key) {
            List<X509Certificate> chain = PemFiles.readCertificates(certificate);
            PrivateKey privateKey = PemFiles.readPrivateKey(key);
            if (!belongTogether(chain.get(0), privateKey)) {
                throw new IllegalArgumentException(key + " is not the key of the certificate in " + certificate);
            }
            KeyStore store = PemFiles.keyStore(certificate, key);
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, PemFiles.STORE_PASSWORD);
                for (KeyManager m : kmf.getKeyManagers()) {
                    if (m instanceof X509ExtendedKeyManager x) {
                        Loaded now = new Loaded(++generations, x);
                        if (watched != null) {
                            previous = watched.current;
                        }
                        return now;
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(key + ": cannot be used with " + certificate + ": "
                        + e.getMessage());
            }
            throw new IllegalArgumentException("this JVM has no X.509 key manager");
        }

        private String ours(Loaded l, String alias) {
            return alias == null ? null : l.generation() + ":" + alias;
        }

        private Optional<Map.Entry<X509ExtendedKeyManager, String>> theirs(String alias) {
            if (alias == null) {
                return Optional.empty();
            }
            int colon = alias.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            long gen;
            try {
                gen = Long.parseLong(alias.substring(0, colon));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            String inner = alias.substring(colon + 1);
            for (Loaded l : new Loaded[] {watched.get(), previous}) {
                if (l != null && l.generation() == gen) {
                    return Optional.of(Map.entry(l.keys(), inner));
                }
            }
            return Optional.empty();
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            Loaded l = watched.get();
            return ours(l, l.keys().chooseEngineClientAlias(keyType, issuers, engine));
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            Loaded l = watched.get();
            return ours(l, l.keys().chooseClientAlias(keyType, issuers, socket));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            Loaded l = watched.get();
            String[] a = l.keys().getClientAliases(keyType, issuers);
            return a == null ? null : java.util.Arrays.stream(a).map(x -> ours(l, x)).toArray(String[]::new);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return theirs(alias).map(e -> e.getKey().getCertificateChain(e.getValue())).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return theirs(alias).map(e -> e.getKey().getPrivateKey(e.getValue())).orElse(null);
        }

        // A client context serves nobody.
        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return null;
        }
    }

    /** The CA bundle, through the JDK's PKIX trust manager (host names checked by it as usual). */
    private static final class Trust extends X509ExtendedTrustManager {

        private final Watched<X509ExtendedTrustManager> watched;

        Trust(Path caBundle) {
            this.watched = new Watched<>(List.of(caBundle), () -> load(caBundle));
        }

        private static X509ExtendedTrustManager load(Path caBundle) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(PemFiles.trustStore(caBundle));
                for (TrustManager m : tmf.getTrustManagers()) {
                    if (m instanceof X509ExtendedTrustManager x) {
                        return x;
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(caBundle + ": cannot be used as CA bundle: " + e.getMessage());
            }
            throw new IllegalArgumentException("this JVM has no X.509 trust manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            watched.get().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            watched.get().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            watched.get().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            watched.get().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            watched.get().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            watched.get().checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return watched.get().getAcceptedIssuers();
        }
    }
}
