package io.nvmesh.core.signature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * The keys allowed to sign desired commits: OpenPGP public keys, read from ASCII-armoured (or binary) key blocks as
 * {@code gpg --export --armor} writes them, and SSH keys, read from an OpenSSH allowed signers file ({@link
 * #parseAllowedSigners}). Immutable.
 */
public final class TrustedKeys {

    private static final TrustedKeys NONE = new TrustedKeys(Map.of(), List.of(), AllowedSigners.NONE);

    /** Every key and subkey by its 64-bit key id, as a signature names its issuer. */
    private final Map<Long, PGPPublicKey> byId;
    private final List<String> names;
    private final AllowedSigners ssh;

    private TrustedKeys(Map<Long, PGPPublicKey> byId, List<String> names, AllowedSigners ssh) {
        this.byId = Collections.unmodifiableMap(byId);
        this.names = List.copyOf(names);
        this.ssh = ssh;
    }

    public static TrustedKeys none() {
        return NONE;
    }

    /**
     * The keys in {@code keyBlocks}; {@code source} names it in the message of the {@link IllegalArgumentException}
     * thrown when it holds something that is not a public key.
     */
    public static TrustedKeys parse(byte[] keyBlocks, String source) {
        Objects.requireNonNull(keyBlocks, "keyBlocks");
        if (new String(keyBlocks, StandardCharsets.UTF_8).isBlank()) {
            return NONE;
        }
        Map<Long, PGPPublicKey> byId = new HashMap<>();
        List<String> names = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(keyBlocks))) {
            PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            for (PGPPublicKeyRing ring : rings) {
                PGPPublicKey master = ring.getPublicKey();
                var ids = master.getUserIDs();
                names.add(keyId(master.getKeyID()) + (ids.hasNext() ? " " + ids.next() : ""));
                for (PGPPublicKey k : ring) {
                    byId.put(k.getKeyID(), k);
                }
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": not OpenPGP public keys (" + e.getMessage() + ")", e);
        }
        return new TrustedKeys(byId, names, AllowedSigners.NONE);
    }

    /**
     * The SSH keys in an OpenSSH allowed signers file's text ({@code principals [options] keytype base64}, one a
     * line, as git's {@code gpg.ssh.allowedSignersFile}); {@code source} names it in the message of the {@link
     * IllegalArgumentException} ({@code source:line: problem}) thrown for a line that is not an allowed signer.
     */
    public static TrustedKeys parseAllowedSigners(byte[] text, String source) {
        Objects.requireNonNull(text, "text");
        AllowedSigners ssh = AllowedSigners.parse(text, source);
        return ssh.isEmpty() ? NONE : new TrustedKeys(Map.of(), List.of(), ssh);
    }

    /** The SSH keys in an allowed signers file, as {@link #parseAllowedSigners}. */
    public static TrustedKeys readAllowedSigners(Path file) {
        try {
            return parseAllowedSigners(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read allowed signers (" + e.getMessage() + ")", e);
        }
    }

    /** The keys in a file, as {@link #parse}. */
    public static TrustedKeys read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read trusted keys (" + e.getMessage() + ")", e);
        }
    }

    public boolean isEmpty() {
        return byId.isEmpty() && ssh.isEmpty();
    }

    /** These keys and {@code other}'s. */
    public TrustedKeys and(TrustedKeys other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Map<Long, PGPPublicKey> all = new HashMap<>(byId);
        all.putAll(other.byId);
        List<String> n = new ArrayList<>(names);
        n.addAll(other.names);
        return new TrustedKeys(all, n, ssh.and(other.ssh));
    }

    /** One line per key: an OpenPGP key's id and first user id; an SSH key's principals and fingerprint. */
    public List<String> names() {
        List<String> all = new ArrayList<>(names);
        all.addAll(ssh.names());
        return all;
    }

    AllowedSigners ssh() {
        return ssh;
    }

    PGPPublicKey key(long keyId) {
        return byId.get(keyId);
    }

    static String keyId(long id) {
        return String.format("%016X", id);
    }

    @Override
    public String toString() {
        return "TrustedKeys" + names();
    }
}
