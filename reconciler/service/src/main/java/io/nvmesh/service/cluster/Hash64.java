package io.nvmesh.service.cluster;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash that every JVM computes identically: FNV-1a over the UTF-8 bytes, then the MurmurHash3 {@code fmix64}
 * finalizer so that every input bit avalanches into every output bit. {@link String#hashCode()} is never used: 32 bits
 * are too few for rendezvous scores and its value is not a contract we want ownership to depend on.
 */
final class Hash64 {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hash64() {
    }

    static long of(String text) {
        long h = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    /**
     * The rendezvous score of a (member, key) pair from their precomputed hashes. The member hash is rotated so that
     * the score is not symmetric in its arguments, and the xor is mixed again so that two members' scores for one key
     * behave as independent draws.
     */
    static long score(long memberHash, long keyHash) {
        return fmix64(keyHash ^ Long.rotateLeft(memberHash, 29) ^ 0x9e3779b97f4a7c15L);
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
