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

/** {@code nvmesh apply --sign} and {@code nvmesh validate --verify-signatures}, with an OpenPGP key the test makes. */
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
