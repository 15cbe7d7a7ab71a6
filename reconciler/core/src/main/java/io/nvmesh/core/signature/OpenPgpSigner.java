package io.nvmesh.core.signature;

import io.nvmesh.core.state.CommitSigner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Signs commits with an OpenPGP secret key read from a key file ({@code gpg --export-secret-keys --armor KEYID}), as
 * {@code git commit -S} does with gpg: a detached, armoured signature over the commit without its signature header.
 */
public final class OpenPgpSigner implements CommitSigner {

    private final PGPSecretKey key;
    private final PGPPrivateKey privateKey;

    private OpenPgpSigner(PGPSecretKey key, PGPPrivateKey privateKey) {
        this.key = key;
        this.privateKey = privateKey;
    }

    /**
     * The first signing key in {@code secretKeys}, unlocked with {@code passphrase} (empty for a key without one).
     * Throws {@link IllegalArgumentException} naming {@code source} when there is none or it does not unlock.
     */
    public static OpenPgpSigner of(byte[] secretKeys, char[] passphrase, String source) {
        Objects.requireNonNull(passphrase, "passphrase");
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(secretKeys))) {
            PGPSecretKeyRingCollection rings = new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator());
            for (PGPSecretKeyRing ring : rings) {
                for (PGPSecretKey k : ring) {
                    if (k.isSigningKey() && !k.isPrivateKeyEmpty()) {
                        PGPPrivateKey p = k.extractPrivateKey(
                                new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
                        return new OpenPgpSigner(k, p);
                    }
                }
            }
        } catch (PGPException e) {
            throw new IllegalArgumentException(source + ": the signing key does not unlock (" + e.getMessage() + ")",
                    e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": not an OpenPGP secret key (" + e.getMessage() + ")", e);
        }
        throw new IllegalArgumentException(source + ": holds no OpenPGP secret key that can sign");
    }

    /** The key in {@code file}, as {@link #of}. */
    public static OpenPgpSigner read(Path file, char[] passphrase) {
        try {
            return of(Files.readAllBytes(file), passphrase, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the signing key (" + e.getMessage() + ")", e);
        }
    }

    /** The signing key's id, 16 hex digits, as {@code gpg --list-keys --keyid-format long} shows it. */
    public String keyId() {
        return TrustedKeys.keyId(key.getKeyID());
    }

    @Override
    public byte[] sign(byte[] payload) {
        try {
            PGPSignatureGenerator gen = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                    key.getPublicKey());
            gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            gen.update(payload);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armour = ArmoredOutputStream.builder().clearHeaders().build(out)) {
                gen.generate().encode(armour);
            }
            return out.toByteArray();
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("cannot sign the commit with key " + keyId() + ": " + e.getMessage(), e);
        }
    }
}
