package io.nvmesh.core.signature;

import io.nvmesh.core.state.CommitSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

import org.eclipse.jgit.api.errors.CanceledException;
import org.eclipse.jgit.api.errors.UnsupportedSigningFormatException;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Signer;
import org.eclipse.jgit.signing.ssh.SshSignerFactory;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Signs commits with an OpenSSH private key, as {@code git commit -S} does with {@code gpg.format=ssh} and {@code
 * user.signingKey} naming the key: JGit's SSH signer, namespace {@code git}, SHA-512. The key is read from its file
 * at each signature; nothing else is (no agent, no {@code ~/.ssh}).
 */
public final class SshSigner implements CommitSigner {

    private static final PersonIdent SIGNER = new PersonIdent("nvmesh", "nvmesh@localhost");

    private final Path key;
    private final char[] passphrase;
    private final String fingerprint;

    private SshSigner(Path key, char[] passphrase) {
        this.key = key;
        this.passphrase = passphrase.clone();
        this.fingerprint = fingerprintOf(sign(new byte[0]));
    }

    /** True when {@code file} holds an OpenSSH private key (rather than an OpenPGP one). */
    public static boolean isSshKey(Path file) {
        try {
            String head = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
            return head.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The key in {@code file} (an OpenSSH private key, e.g. made by {@code ssh-keygen -t ed25519}), unlocked with
     * {@code passphrase} (empty: none). Throws {@link IllegalArgumentException} naming the file when it cannot sign.
     */
    public static SshSigner read(Path file, char[] passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(file + ": cannot read the signing key");
        }
        try {
            return new SshSigner(file.toAbsolutePath(), passphrase);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The signing key's fingerprint, {@code SHA256:...}, as {@code ssh-keygen -lf} shows it. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public byte[] sign(byte[] payload) {
        Signer signer = new SshSignerFactory().create();
        try {
            return signer.sign(null, new GpgConfig(new Config()), payload, SIGNER, key.toString(), passwords())
                    .toExternalString().getBytes(StandardCharsets.US_ASCII);
        } catch (CanceledException e) {
            throw new IllegalStateException("the SSH key needs a passphrase (NVMESH_SIGN_PASSPHRASE)", e);
        } catch (IOException | UnsupportedSigningFormatException | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String detail = root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
            throw new IllegalStateException("cannot sign with this SSH key (" + detail + ")", e);
        }
    }

    /** Answers a key's passphrase prompt with the one given, once; no passphrase: cancel. */
    private CredentialsProvider passwords() {
        return new CredentialsProvider() {
            @Override
            public boolean isInteractive() {
                return false;
            }

            @Override
            public boolean supports(CredentialItem... items) {
                return Arrays.stream(items).allMatch(i -> i instanceof CredentialItem.Password
                        || i instanceof CredentialItem.InformationalMessage);
            }

            @Override
            public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
                if (passphrase.length == 0) {
                    return false;
                }
                for (CredentialItem i : items) {
                    if (i instanceof CredentialItem.Password p) {
                        p.setValue(passphrase.clone());
                    }
                }
                return true;
            }
        };
    }

    private static String fingerprintOf(byte[] armoured) {
        try {
            org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification v = new org.eclipse.jgit.signing.ssh
                    .SshSignatureVerifierFactory().create().verify(null, new GpgConfig(new Config()), new byte[0],
                            armoured);
            return v.keyFingerprint() == null ? "" : v.keyFingerprint();
        } catch (IOException e) {
            return "";
        }
    }
}
