package io.nvmesh.core.certs;

import io.nvmesh.core.credentials.Role;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small private CA: {@code ca.pem} and {@code ca-key.pem} (0600) in a folder, issuing EC P-256 certificates that
 * name their holder by the convention of {@link CertificateName}. Keys are made where this runs and written only to
 * files of mode 0600; nothing is sent anywhere. BouncyCastle builds the certificates (the JDK has no public API for
 * that); the JDK makes the keys and reads everything back.
 */
public final class CertificateAuthority {

    public static final String CA_FILE = "ca.pem";
    public static final String CA_KEY_FILE = "ca-key.pem";
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(10 * 365);
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A certificate with its key, as issued. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate ca) {

        /** Writes {@code <name>.pem} (the certificate, then the CA's) and {@code <name>-key.pem} (0600) in {@code dir}. */
        public List<Path> write(Path dir, String name) throws IOException {
            Path cert = dir.resolve(name + ".pem");
            Path keyFile = dir.resolve(name + "-key.pem");
            PemFiles.writePrivateKey(keyFile, key);
            PemFiles.writeCertificates(cert, List.of(certificate, ca));
            return List.of(cert, keyFile);
        }
    }

    /** A new CA, valid from now for {@code validity}; nothing written. */
    public static CertificateAuthority create(String name, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name subject = name(name + " CA");
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), subject, pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /** Makes a CA and writes {@code ca.pem} and {@code ca-key.pem} (0600); refuses to overwrite an existing CA. */
    public static CertificateAuthority createIn(Path dir, String name, Duration validity) throws IOException {
        if (Files.exists(dir.resolve(CA_KEY_FILE)) || Files.exists(dir.resolve(CA_FILE))) {
            throw new IllegalArgumentException(dir.resolve(CA_FILE) + " exists already; a new CA would make every "
                    + "certificate it issued untrusted (remove it first if that is what you want)");
        }
        CertificateAuthority ca = create(name, validity);
        PemFiles.writePrivateKey(dir.resolve(CA_KEY_FILE), ca.key);
        PemFiles.writeCertificates(dir.resolve(CA_FILE), List.of(ca.certificate));
        return ca;
    }

    /** The CA in {@code dir} ({@code ca.pem}, {@code ca-key.pem}). */
    public static CertificateAuthority load(Path dir) {
        return new CertificateAuthority(PemFiles.readCertificates(dir.resolve(CA_FILE)).get(0),
                PemFiles.readPrivateKey(dir.resolve(CA_KEY_FILE)));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a certificate for a caller, valid from now for {@code validity}.
     *
     * @param hosts DNS names and IP addresses the holder serves under (instances); empty for clients
     */
    public Issued issue(CertificateName name, List<String> hosts, Duration validity) {
        Instant now = Instant.now();
        return issue(name, hosts, now.minusSeconds(60), now.plus(validity));
    }

    /** As above with an explicit validity window (tests make expired certificates with it). */
    public Issued issue(CertificateName name, List<String> hosts, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(name, "name");
        KeyPair pair = newKeyPair();
        List<GeneralName> sans = new ArrayList<>();
        for (String uri : name.uris()) {
            sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        for (String host : hosts) {
            sans.add(isIpAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        boolean server = name.role() == Role.INSTANCE;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(notBefore),
                    Date.from(notAfter), name(name.name()), pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(server
                    ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                    : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new Issued(sign(b, key), pair.getPrivate(), certificate);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + name + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(s));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "nvmesh").addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    /** A literal IPv4 or IPv6 address (never resolved). */
    static boolean isIpAddress(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (host.contains(":") && host.matches("[0-9a-fA-F:.]+"))) {
            try {
                InetAddress.getByName(host);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /** The public key certificates are issued under, for tests. */
    PublicKey publicKey() {
        return certificate.getPublicKey();
    }
}
