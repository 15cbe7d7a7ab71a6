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
 * A set of OpenPGP public keys allowed to sign desired commits, read from ASCII-armoured (or binary) key blocks as
 * {@code gpg --export --armor} writes them. Immutable.
 */
public final class TrustedKeys {

    private static final TrustedKeys NONE = new TrustedKeys(Map.of(), List.of());

    /** Every key and subkey by its 64-bit key id, as a signature names its issuer. */
    private final Map<Long, PGPPublicKey> byId;
    private final List<String> names;

    private TrustedKeys(Map<Long, PGPPublicKey> byId, List<String> names) {
        this.byId = Collections.unmodifiableMap(byId);
        this.names = List.copyOf(names);
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
        return new TrustedKeys(byId, names);
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
        return byId.isEmpty();
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
        return new TrustedKeys(all, n);
    }

    /** One line per key: its id and first user id. */
    public List<String> names() {
        return names;
    }

    PGPPublicKey key(long keyId) {
        return byId.get(keyId);
    }

    static String keyId(long id) {
        return String.format("%016X", id);
    }

    @Override
    public String toString() {
        return "TrustedKeys" + names;
    }
}
