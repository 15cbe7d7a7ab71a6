package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmesh apply --sign} and {@code nvmesh validate --verify-signatures}, with an OpenPGP key the test makes and
 * with SSH keys {@code ssh-keygen} makes.
 */
class SignedCommandsTest {

    @TempDir
    Path tmp;

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    private String tip() {
        try (StateStore s = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            return s.resolve("refs/heads/main");
        }
    }

    @Test
    void signedAppliesPassTheRangeCheckAndAnUnsignedOneIsNamed() throws Exception {
        Path pub = tmp.resolve("trusted.asc");
        Path sec = tmp.resolve("signing.asc");
        makeKey(pub, sec);
        Path dir = Files.createDirectories(Path.of("target", "signed-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
        NvmeshRun first = NvmeshRun.of("apply", "--sign", "--sign-key", sec.toString(), dir.toString(), repo());
        assertThat(first.exitCode()).as(first.err()).isZero();
        String root = tip();
        Files.writeString(dir.resolve("a.yaml"), DiffCommandTest.volume("a", "10GiB", false));
        assertThat(NvmeshRun.of("apply", "--sign", "--sign-key", sec.toString(), dir.toString(), repo()).exitCode())
                .isZero();

        NvmeshRun ok = NvmeshRun.of("validate", "--verify-signatures", root + "..main", "--trusted-keys",
                pub.toString(), repo());
        assertThat(ok.exitCode()).as(ok.err() + ok.out()).isZero();
        assertThat(ok.out()).contains("1 commits signed by trusted keys");

        Files.writeString(dir.resolve("b.yaml"), DiffCommandTest.volume("b", "10GiB", false));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        String unsigned = tip();
        NvmeshRun bad = NvmeshRun.of("validate", "--verify-signatures", root + "..main", "--trusted-keys",
                pub.toString(), repo());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out().lines()).containsExactly("signature check: commit " + unsigned.substring(0, 7)
                + " is refused: not signed");
        // Without the trusted key nothing is signed by a trusted key.
        NvmeshRun untrusted = NvmeshRun.of("validate", "--verify-signatures", root + "..main", repo());
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.out().lines()).hasSize(2);
    }

    @Test
    void sshSignedAppliesPassTheRangeCheckAndAnUnsignedOrForeignOneIsNamed() throws Exception {
        Path key = sshKeygen(tmp.resolve("ops_ed25519"), "ops@example.org");
        Path other = sshKeygen(tmp.resolve("other_ed25519"), "other@example.org");
        Path allowed = Files.writeString(tmp.resolve("allowed_signers"), "ops@example.org namespaces=\"git\" "
                + Files.readString(Path.of(key + ".pub")).trim() + "\n");
        Path dir = Files.createDirectories(Path.of("target", "signed-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
        NvmeshRun first = NvmeshRun.of("apply", "--sign", "--sign-key", key.toString(), dir.toString(), repo());
        assertThat(first.exitCode()).as(first.err()).isZero();
        String root = tip();
        Files.writeString(dir.resolve("a.yaml"), DiffCommandTest.volume("a", "10GiB", false));
        NvmeshRun second = NvmeshRun.of("apply", "--sign", "--sign-key", key.toString(), dir.toString(), repo());
        assertThat(second.exitCode()).as(second.err()).isZero();
        Files.writeString(dir.resolve("b.yaml"), DiffCommandTest.volume("b", "10GiB", false));
        assertThat(NvmeshRun.of("apply", "--sign", "--sign-key", key.toString(), dir.toString(), repo()).exitCode())
                .isZero();
        try (StateStore s = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            assertThat(new String(s.rawCommit("main", tip()), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("gpgsig -----BEGIN SSH SIGNATURE-----");
        }

        NvmeshRun ok = NvmeshRun.of("validate", "--verify-signatures", root + "..main", "--allowed-signers",
                allowed.toString(), repo());
        assertThat(ok.exitCode()).as(ok.err() + ok.out()).isZero();
        assertThat(ok.out()).contains("2 commits signed by trusted keys");

        Files.writeString(dir.resolve("c.yaml"), DiffCommandTest.volume("c", "10GiB", false));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        String unsigned = tip();
        Files.writeString(dir.resolve("d.yaml"), DiffCommandTest.volume("d", "10GiB", false));
        assertThat(NvmeshRun.of("apply", "--sign", "--sign-key", other.toString(), dir.toString(), repo())
                .exitCode()).isZero();
        String foreign = tip();
        NvmeshRun bad = NvmeshRun.of("validate", "--verify-signatures", root + "..main", "--allowed-signers",
                allowed.toString(), repo());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out().lines()).hasSize(2);
        assertThat(bad.out().lines().toList().get(0)).isEqualTo("signature check: commit "
                + unsigned.substring(0, 7) + " is refused: not signed");
        assertThat(bad.out().lines().toList().get(1)).startsWith("signature check: commit "
                + foreign.substring(0, 7) + " is refused: signed by SSH key SHA256:").endsWith("which is not trusted");
        // A broken allowed signers file is a usage error naming its line.
        Path broken = Files.writeString(tmp.resolve("broken_signers"), "ops@example.org ssh-ed25519 !!\n");
        NvmeshRun usage = NvmeshRun.of("validate", "--verify-signatures", root + "..main", "--allowed-signers",
                broken.toString(), repo());
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains(broken + ":1: the ssh-ed25519 key does not decode");
    }

    private static Path sshKeygen(Path path, String comment) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f",
                path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("ssh-keygen (openssh-client) must be installed: " + out).isZero();
        return path;
    }

    @Test
    void signWithoutAKeyIsAUsageErrorAndCommitsNothing() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "signed-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
        NvmeshRun r = NvmeshRun.of("apply", "--sign", "--sign-key", tmp.resolve("none.asc").toString(),
                dir.toString(), repo());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read the signing key");
        assertThat(tip()).isEmpty();
    }

    private static void makeKey(Path pub, Path sec) throws Exception {
        RSAKeyPairGenerator rsa = new RSAKeyPairGenerator();
        rsa.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), new SecureRandom(), 2048, 12));
        BcPGPKeyPair pair = new BcPGPKeyPair(PGPPublicKey.RSA_GENERAL, rsa.generateKeyPair(), new Date());
        PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
                "Ops <ops@example.org>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), null, null,
                new BcPGPContentSignerBuilder(PGPPublicKey.RSA_GENERAL, HashAlgorithmTags.SHA256), null);
        Files.write(pub, armour(rings.generatePublicKeyRing().getEncoded()));
        Files.write(sec, armour(rings.generateSecretKeyRing().getEncoded()));
    }

    private static byte[] armour(byte[] binary) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream a = new ArmoredOutputStream(out)) {
            a.write(binary);
        }
        return out.toByteArray();
    }
}
