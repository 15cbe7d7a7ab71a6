package io.nvmesh.core.signature;

import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which desired commits may be reconciled: with signatures required, a commit must carry an OpenPGP or SSH signature
 * by a key trusted for it, and the keys trusted for a commit are the instance's plus those in {@link
 * #TRUSTED_KEYS_FILE} and {@link #ALLOWED_SIGNERS_FILE} <em>at its first parent</em>. A commit therefore cannot bring in the key it is signed with: changing the file takes
 * a commit signed by a key the file already trusted. Every commit since the last reconciled desired commit is
 * checked (along first parents), so an unsigned commit cannot be hidden under a signed one. Thread-safe; commits that
 * passed are remembered.
 */
public final class SignaturePolicy {

    /** The repository's trusted keys, ASCII-armoured OpenPGP public keys, on the desired branch. */
    public static final String TRUSTED_KEYS_FILE = ".nvmesh/trusted-keys.asc";

    /** The repository's trusted SSH keys, an OpenSSH allowed signers file, on the desired branch. */
    public static final String ALLOWED_SIGNERS_FILE = ".nvmesh/allowed_signers";

    private static final SignaturePolicy OFF = new SignaturePolicy(false, TrustedKeys.none());

    private final boolean required;
    private final TrustedKeys instanceKeys;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private final Map<String, TrustedKeys> fileKeys = new ConcurrentHashMap<>();

    private SignaturePolicy(boolean required, TrustedKeys instanceKeys) {
        this.required = required;
        this.instanceKeys = Objects.requireNonNull(instanceKeys, "instanceKeys");
    }

    /** Every desired commit is reconciled, signed or not (the default). */
    public static SignaturePolicy off() {
        return OFF;
    }

    /** Only commits signed by a key trusted for them; {@code instanceKeys} are trusted for every commit. */
    public static SignaturePolicy required(TrustedKeys instanceKeys) {
        return new SignaturePolicy(true, instanceKeys);
    }

    public boolean isRequired() {
        return required;
    }

    /** Whether {@code commit} was already found signed by a key trusted for it, with every commit before it. */
    public boolean passed(String commit) {
        return verified.contains(commit);
    }

    /**
     * Why the desired commits after {@code lastGood} up to {@code tip} must not be reconciled, or {@code ""} when
     * each is signed by a key trusted for it (or signatures are not required). {@code lastGood} ({@code ""}: none,
     * the whole history is checked) must be an ancestor of {@code tip}: a branch rewritten under the last reconciled
     * commit is refused.
     */
    public String refusal(StateStore store, String ref, String lastGood, String tip) {
        if (!required || verified.contains(tip)) {
            return "";
        }
        if (!lastGood.isEmpty() && !store.isAncestor(ref, lastGood, tip)) {
            return "signature check: the desired branch no longer holds the last reconciled commit "
                    + shortId(lastGood) + " (rewritten?); only descendants of it are reconciled";
        }
        List<String> chain = store.firstParents(ref, tip, lastGood);
        for (String c : chain) {
            String why = commitRefusal(store, ref, c);
            if (!why.isEmpty()) {
                return why;
            }
        }
        return "";
    }

    /** Why {@code commit} alone is not acceptable ({@code ""}: it is), judged by the keys trusted at its parent. */
    public String commitRefusal(StateStore store, String ref, String commit) {
        if (!required || verified.contains(commit)) {
            return "";
        }
        byte[] raw = store.rawCommit(ref, commit);
        Optional<String> parent = firstParent(raw);
        TrustedKeys keys;
        try {
            keys = instanceKeys.and(parent.map(p -> keysAt(store, ref, p)).orElse(TrustedKeys.none()));
        } catch (IllegalArgumentException e) {
            return "signature check: commit " + shortId(commit) + ": its parent's " + e.getMessage();
        }
        if (keys.isEmpty()) {
            return "signature check: commit " + shortId(commit) + ": no key is trusted for it (no instance keys, and "
                    + (parent.isPresent() ? "its parent has neither " + TRUSTED_KEYS_FILE + " nor "
                            + ALLOWED_SIGNERS_FILE : "it has no parent") + ")";
        }
        CommitSignature.Verdict v = CommitSignature.verify(raw, keys);
        if (!v.ok()) {
            return "signature check: commit " + shortId(commit) + " is refused: " + v.reason();
        }
        verified.add(commit);
        return "";
    }

    /** The trusted keys files at {@code commit}: none when absent; throws when one does not read. */
    private TrustedKeys keysAt(StateStore store, String ref, String commit) {
        return fileKeys.computeIfAbsent(commit, c -> {
            Snapshot s = store.read(ref, c);
            TrustedKeys pgp = s.file(TRUSTED_KEYS_FILE)
                    .map(b -> TrustedKeys.parse(b, TRUSTED_KEYS_FILE + " at " + shortId(c)))
                    .orElse(TrustedKeys.none());
            TrustedKeys ssh = s.file(ALLOWED_SIGNERS_FILE)
                    .map(b -> TrustedKeys.parseAllowedSigners(b, ALLOWED_SIGNERS_FILE + " at " + shortId(c)))
                    .orElse(TrustedKeys.none());
            return pgp.and(ssh);
        });
    }

    /** The first {@code parent} header of a raw commit. */
    static Optional<String> firstParent(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if (line.startsWith("parent ")) {
                return Optional.of(line.substring(7).trim());
            }
        }
        return Optional.empty();
    }

    /** Every refusal among {@code commits}, one line each, in the order given. */
    public List<String> refusals(StateStore store, String ref, List<String> commits) {
        List<String> out = new ArrayList<>();
        for (String c : commits) {
            String why = commitRefusal(store, ref, c);
            if (!why.isEmpty()) {
                out.add(why);
            }
        }
        return out;
    }
}
