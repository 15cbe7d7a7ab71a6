package io.nvmesh.core.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificate chains and PKCS#8 keys, read and written with the JDK only, and the in-memory key stores TLS is
 * configured with. Every failure is an {@link IllegalArgumentException} whose message names the file and what is wrong
 * with it in one line, for the operator to act on.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** The password of the in-memory key stores; they never reach a disk. */
    public static final char[] STORE_PASSWORD = "nvmesh".toCharArray();

    private PemFiles() {
    }

    /**
     * What a reload watcher compares to see that certificate or key files changed: each file's modification time,
     * size and file key (an inode, where the file system has one), or {@code missing}. A file replaced by a rename
     * (how cert-manager and most deploy tools write) changes its key even within one clock tick.
     */
    public static List<String> stamp(List<Path> files) {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + Objects.toString(a.fileKey()));
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return out;
    }

    /** The certificates of a PEM file (a chain: the leaf first; or a CA bundle). */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not a valid PEM certificate (" + e.getMessage() + ")");
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    /** The private key of a PEM file holding one unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}): EC, RSA or Ed25519. */
    public static PrivateKey readPrivateKey(Path file) {
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)"
                    + ", found " + keys.size() + (text(file).contains("BEGIN EC PRIVATE KEY")
                    || text(file).contains("BEGIN RSA PRIVATE KEY") ? "; convert it with `openssl pkcs8 -topk8 -nocrypt`"
                    : ""));
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": the key is not an EC, RSA or Ed25519 PKCS#8 key");
    }

    /** A key store holding the key under alias {@code key} with its chain, for a TLS server or client to present. */
    public static KeyStore keyStore(Path certificateChain, Path key) {
        List<X509Certificate> chain = readCertificates(certificateChain);
        PrivateKey privateKey = readPrivateKey(key);
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())
                && !(privateKey.getAlgorithm().equals("EdDSA") || privateKey.getAlgorithm().equals("Ed25519"))) {
            throw new IllegalArgumentException(key + ": a " + privateKey.getAlgorithm() + " key does not belong to the "
                    + chain.get(0).getPublicKey().getAlgorithm() + " certificate in " + certificateChain);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", privateKey, STORE_PASSWORD, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(key + ": cannot be used with " + certificateChain + ": " + e.getMessage());
        }
    }

    /** A trust store of every certificate in a CA bundle. */
    public static KeyStore trustStore(Path caBundle) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : readCertificates(caBundle)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(caBundle + ": cannot be used as CA bundle: " + e.getMessage());
        }
    }

    /**
     * A TLS client context: servers' certificates checked against {@code caBundle} (the JDK's default CAs when empty),
     * and {@code certificate}/{@code key} presented as client certificate when given.
     */
    public static javax.net.ssl.SSLContext clientContext(java.util.Optional<Path> caBundle,
                                                         java.util.Optional<Path> certificate,
                                                         java.util.Optional<Path> key) {
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException(certificate.isPresent() ? certificate.get() + ": a client certificate "
                    + "needs its key (--key)" : key.get() + ": a key needs its client certificate (--cert)");
        }
        try {
            javax.net.ssl.KeyManager[] keyManagers = null;
            if (certificate.isPresent()) {
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore(certificate.get(), key.get()), STORE_PASSWORD);
                keyManagers = kmf.getKeyManagers();
            }
            javax.net.ssl.TrustManager[] trustManagers = null;
            if (caBundle.isPresent()) {
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore(caBundle.get()));
                trustManagers = tmf.getTrustManagers();
            }
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage());
        }
    }

    /** Writes certificates as PEM, atomically, readable by all (certificates are public). */
    public static void writeCertificates(Path file, List<X509Certificate> certs) throws IOException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                out.append(block("CERTIFICATE", c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IOException("cannot encode a certificate: " + e.getMessage(), e);
            }
        }
        write(file, out.toString(), "rw-r--r--");
    }

    /** Writes a key as PKCS#8 PEM, atomically, mode 0600 from the moment it exists. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        write(file, block("PRIVATE KEY", key.getEncoded()), "rw-------");
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text, String mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<byte[]> blocks(Path file, String type) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text(file));
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": a " + type + " block is not valid base64");
                }
            }
        }
        return out;
    }

    private static String text(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
