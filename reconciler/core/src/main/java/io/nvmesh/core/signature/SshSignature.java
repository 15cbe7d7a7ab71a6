package io.nvmesh.core.signature;

import java.io.IOException;

import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification;
import org.eclipse.jgit.lib.SignatureVerifier.TrustLevel;
import org.eclipse.jgit.signing.ssh.SshSignatureVerifierFactory;

/**
 * Checks an SSH signature ({@code -----BEGIN SSH SIGNATURE-----}, as {@code git commit -S} writes with {@code
 * gpg.format=ssh}) over a commit with JGit's verifier: the signature must be in the {@code git} namespace, match the
 * commit's bytes, and be made by a key the allowed signers hold (for that namespace and, when the line says so,
 * valid at the committer's date, which is what git's own check reads too).
 */
final class SshSignature {

    private SshSignature() {
    }

    static CommitSignature.Verdict verify(byte[] payload, byte[] signature, AllowedSigners allowed) {
        SignatureVerifier verifier = new SshSignatureVerifierFactory().create();
        SignatureVerification v;
        try {
            v = verifier.verify(null, allowed.gpgConfig(), payload, signature);
        } catch (IOException | RuntimeException e) {
            return new CommitSignature.Verdict("its SSH signature cannot be checked (" + e.getMessage() + ")", "");
        }
        String key = v.keyFingerprint() == null ? "" : "SSH key " + v.keyFingerprint();
        if (v.verified() && v.trustLevel() == TrustLevel.FULL) {
            return new CommitSignature.Verdict("", key + (v.keyUser() == null ? "" : " (" + v.keyUser() + ")"));
        }
        if (key.isEmpty()) {
            return new CommitSignature.Verdict("its SSH signature does not read (" + v.message() + ")", "");
        }
        if (v.trustLevel() == TrustLevel.UNKNOWN) {
            // The signature matched; the key is in no allowed signers line.
            return new CommitSignature.Verdict("signed by " + key + ", which is not trusted", key);
        }
        if (v.message() == null) {
            return new CommitSignature.Verdict("the signature by " + key
                    + " does not match the commit (changed after it was signed)", key);
        }
        return new CommitSignature.Verdict("the signature by " + key + " is refused: " + v.message(), key);
    }
}
