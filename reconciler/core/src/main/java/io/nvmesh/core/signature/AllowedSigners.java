package io.nvmesh.core.signature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.signing.ssh.SigningKeyDatabase;
import org.eclipse.jgit.signing.ssh.VerificationException;

/**
 * SSH keys allowed to sign desired commits, in OpenSSH's allowed signers format ({@code ssh-keygen(1)}, "ALLOWED
 * SIGNERS"; what git's {@code gpg.ssh.allowedSignersFile} names): one key a line, {@code principals [options] keytype
 * base64 [comment]}, options {@code namespaces="git"}, {@code valid-after=}, {@code valid-before=}, {@code
 * cert-authority}. Immutable.
 *
 * <p>JGit's own allowed-signers database decides (namespaces, validity dates, certificate authorities), and it reads a
 * file: each set of keys is therefore also written once to a private folder, under the SHA-256 of its text, so a
 * file's content never changes under its name and JGit's cache of parsed files stays right.
 */
final class AllowedSigners {

    static final AllowedSigners NONE = new AllowedSigners("", List.of());

    private static final Pattern JGIT_LINE = Pattern.compile("problem at line (\\d+)");
    private static final Object FOLDER_LOCK = new Object();
    private static Path folder;

    private final String text;
    private final List<String> names;

    private AllowedSigners(String text, List<String> names) {
        this.text = text;
        this.names = List.copyOf(names);
    }

    /**
     * The keys in {@code bytes}; {@code source} names the file in the message of the {@link IllegalArgumentException}
     * thrown, as {@code source:line: problem}, when a line is not an allowed signer.
     */
    static AllowedSigners parse(byte[] bytes, String source) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            names.add(describe(line, source + ":" + (i + 1)));
        }
        if (names.isEmpty()) {
            return NONE;
        }
        AllowedSigners parsed = new AllowedSigners(text.endsWith("\n") ? text : text + "\n", names);
        parsed.checkWithJGit(source);
        return parsed;
    }

    /**
     * {@code principals SHA256:fingerprint} of one line, after checking that its key decodes (JGit compares keys as
     * text and would take a damaged one for a key nobody holds, silently).
     */
    private static String describe(String line, String where) {
        String[] words = line.split("\\s+");
        for (int w = 1; w + 1 < words.length; w++) {
            if (looksLikeKeyType(words[w])) {
                try {
                    PublicKey key = PublicKeyEntry.parsePublicKeyEntry(words[w] + " " + words[w + 1])
                            .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
                    return words[0] + " " + KeyUtils.getFingerPrint(key);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    throw new IllegalArgumentException(where + ": the " + words[w] + " key does not decode ("
                            + e.getMessage() + ")", e);
                }
            }
        }
        throw new IllegalArgumentException(where + ": not an allowed signer; expected `principals [options] keytype "
                + "base64`, e.g. `ops@example.org namespaces=\"git\" ssh-ed25519 AAAA...`");
    }

    private static boolean looksLikeKeyType(String word) {
        return word.startsWith("ssh-") || word.startsWith("ecdsa-sha2-") || word.startsWith("sk-ssh-")
                || word.startsWith("sk-ecdsa-");
    }

    /** Runs JGit's parser over the whole text, so that what it would refuse at verification is refused now. */
    private void checkWithJGit(String source) {
        try {
            SigningKeyDatabase.getInstance().isAllowed(null, gpgConfig(), probeKey(), "git", null);
        } catch (VerificationException e) {
            // A refusal for the probe key: the file parsed.
        } catch (IOException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            Matcher m = JGIT_LINE.matcher(String.valueOf(e.getMessage()));
            throw new IllegalArgumentException(source + (m.find() ? ":" + m.group(1) : "") + ": " + why, e);
        }
    }

    private static PublicKey probeKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is always present", e);
        }
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    /** These keys and {@code other}'s. */
    AllowedSigners and(AllowedSigners other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<String> all = new ArrayList<>(names);
        all.addAll(other.names);
        return new AllowedSigners(text + other.text, all);
    }

    /** One line per key: its principals and fingerprint. */
    List<String> names() {
        return names;
    }

    /** JGit's signing configuration naming this set's file ({@code gpg.ssh.allowedSignersFile}). */
    GpgConfig gpgConfig() {
        Config c = new Config();
        if (!isEmpty()) {
            c.setString("gpg", "ssh", "allowedSignersFile", file().toString());
        }
        return new GpgConfig(c);
    }

    /** This set's file in the private folder, written on first use. */
    private Path file() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            Path f = folder().resolve("allowed_signers-" + HexFormat.of().formatHex(h));
            if (!Files.exists(f)) {
                Path tmp = Files.createTempFile(folder(), "writing-", ".tmp");
                Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                f.toFile().deleteOnExit();
            }
            return f;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the allowed signers for JGit: " + e.getMessage(), e);
        }
    }

    private static Path folder() throws IOException {
        synchronized (FOLDER_LOCK) {
            if (folder == null || !Files.isDirectory(folder)) {
                folder = Files.createTempDirectory("nvmesh-allowed-signers-");
                folder.toFile().deleteOnExit();
            }
            return folder;
        }
    }

    @Override
    public String toString() {
        return "AllowedSigners" + names;
    }
}
