package io.nvmesh.core.signature;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * The signature of one Git commit object, checked against trusted keys: OpenPGP here, SSH by {@link SshSignature}.
 * A commit is signed over its own bytes without the {@code gpgsig} header, so changing any byte of it (tree, parents,
 * author, message) breaks the signature.
 */
final class CommitSignature {

    /** The outcome: {@code reason} is empty when the commit is signed by a trusted key. */
    record Verdict(String reason, String signer) {
        boolean ok() {
            return reason.isEmpty();
        }
    }

    private CommitSignature() {
    }

    static Verdict verify(byte[] rawCommit, TrustedKeys trusted) {
        Split split = split(rawCommit);
        if (split.signature == null) {
            return new Verdict("not signed", "");
        }
        String armour = new String(split.signature, StandardCharsets.US_ASCII);
        if (armour.startsWith("-----BEGIN SSH SIGNATURE")) {
            return SshSignature.verify(split.payload, split.signature, trusted.ssh());
        }
        PGPSignature sig;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(split.signature))) {
            Object o = new BcPGPObjectFactory(in).nextObject();
            if (!(o instanceof PGPSignatureList list) || list.isEmpty()) {
                return new Verdict("its signature is not an OpenPGP signature", "");
            }
            sig = list.get(0);
        } catch (IOException | RuntimeException e) {
            return new Verdict("its signature does not read (" + e.getMessage() + ")", "");
        }
        String signer = TrustedKeys.keyId(sig.getKeyID());
        PGPPublicKey key = trusted.key(sig.getKeyID());
        if (key == null) {
            return new Verdict("signed by key " + signer + ", which is not trusted", signer);
        }
        try {
            sig.init(new BcPGPContentVerifierBuilderProvider(), key);
            sig.update(split.payload);
            if (!sig.verify()) {
                return new Verdict("the signature by key " + signer
                        + " does not match the commit (changed after it was signed)", signer);
            }
        } catch (PGPException | RuntimeException e) {
            return new Verdict("the signature by key " + signer + " cannot be checked (" + e.getMessage() + ")",
                    signer);
        }
        return new Verdict("", signer);
    }

    /** The commit without its signature header, and the signature (null: none). */
    private record Split(byte[] payload, byte[] signature) {
    }

    private static Split split(byte[] raw) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream(raw.length);
        ByteArrayOutputStream signature = null;
        int i = 0;
        boolean inHeaders = true;
        boolean inSig = false;
        while (i < raw.length) {
            int end = i;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int next = Math.min(end + 1, raw.length);
            if (inHeaders) {
                if (end == i) {
                    inHeaders = false;
                    inSig = false;
                } else if (inSig && raw[i] == ' ') {
                    signature.write(raw, i + 1, next - i - 1);
                    i = next;
                    continue;
                } else {
                    inSig = false;
                    if (startsWith(raw, i, "gpgsig ") && signature == null) {
                        signature = new ByteArrayOutputStream();
                        signature.write(raw, i + 7, next - i - 7);
                        inSig = true;
                        i = next;
                        continue;
                    }
                }
            }
            payload.write(raw, i, next - i);
            i = next;
        }
        return new Split(payload.toByteArray(), signature == null ? null : signature.toByteArray());
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (at + p.length > raw.length) {
            return false;
        }
        for (int k = 0; k < p.length; k++) {
            if (raw[at + k] != p[k]) {
                return false;
            }
        }
        return true;
    }
}
