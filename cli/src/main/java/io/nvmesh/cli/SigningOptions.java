package io.nvmesh.cli;

import io.nvmesh.core.signature.OpenPgpSigner;
import io.nvmesh.core.signature.SshSigner;
import io.nvmesh.core.state.CommitSigner;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --sign} and {@code --sign-key}: the key a commit is signed with. */
final class SigningOptions {

    @Option(names = "--sign", description = "Sign the commit with the key in --sign-key (OpenPGP or SSH), as git "
            + "commit -S does; reconcilers that require signed commits accept only such commits (docs/security.md).")
    boolean sign;

    @Option(names = "--sign-key", paramLabel = "FILE", description = "The key to sign with (default: "
            + "NVMESH_SIGN_KEY): an OpenSSH private key (ssh-keygen -t ed25519; signed as git does with "
            + "gpg.format=ssh), or an OpenPGP secret key as gpg --export-secret-keys --armor KEYID writes it; its "
            + "passphrase, if any, from NVMESH_SIGN_PASSPHRASE.")
    Path signKey;

    /**
     * The signer, or {@code null} without {@code --sign}. Read before committing, so that a key that does not unlock
     * leaves nothing half done.
     */
    CommitSigner signer() {
        if (signKey != null && !sign) {
            throw CommandException.usage("--sign-key applies only with --sign");
        }
        if (!sign) {
            return null;
        }
        String env = System.getenv("NVMESH_SIGN_KEY");
        Path key = signKey != null ? signKey : env == null || env.isBlank() ? null : Path.of(env);
        if (key == null) {
            throw CommandException.usage("--sign needs a key: --sign-key FILE or NVMESH_SIGN_KEY");
        }
        String pass = System.getenv("NVMESH_SIGN_PASSPHRASE");
        try {
            if (SshSigner.isSshKey(key)) {
                return SshSigner.read(key, pass == null ? new char[0] : pass.toCharArray());
            }
            return OpenPgpSigner.read(key, pass == null ? new char[0] : pass.toCharArray());
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
    }
}
