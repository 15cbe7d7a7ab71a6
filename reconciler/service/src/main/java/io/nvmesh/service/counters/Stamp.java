package io.nvmesh.service.counters;

import java.util.Comparator;
import java.util.Objects;

/**
 * Who wrote a counter entry and when. Entries are ordered by claim first, then by the writer's incarnation and
 * sequence:
 * <ul>
 *   <li>{@code (term, contributor, epoch)} is the <em>claim</em> on the partition. A new owner claims a partition
 *       with the largest term it has seen plus one, so its claim outranks every earlier owner's, even one that is dead
 *       and can no longer retract anything. Equal terms (two instances claiming at once) are broken by the contributor
 *       id, then by the incarnation: an instance that lost its file knows no terms and may claim a partition with a
 *       term its previous incarnation used, and the two must not mix (the old one's entries for counters the new one
 *       does not write would count for ever).</li>
 *   <li>{@code seq} orders one incarnation's entries under its claim: it grows with every write.</li>
 * </ul>
 * Term 0 with an empty contributor is the <em>provisional</em> claim of a rebuilt file: lowest of all, never
 * replicated, replaced by the first real claim.
 */
public record Stamp(long term, String contributor, long epoch, long seq) implements Comparable<Stamp> {

    static final Stamp PROVISIONAL = new Stamp(0, "", 0, 0);

    private static final Comparator<Stamp> CLAIM = Comparator.comparingLong(Stamp::term)
            .thenComparing(Stamp::contributor).thenComparingLong(Stamp::epoch);
    private static final Comparator<Stamp> ORDER = CLAIM.thenComparingLong(Stamp::seq);

    public Stamp {
        Objects.requireNonNull(contributor, "contributor");
        if (term < 0 || epoch < 0 || seq < 0) {
            throw new IllegalArgumentException("negative stamp " + term + "/" + epoch + "/" + seq);
        }
        if ((term == 0) != contributor.isEmpty()) {
            throw new IllegalArgumentException("only the provisional claim has term 0, and it has no contributor");
        }
        if (contributor.length() > 63) {
            throw new IllegalArgumentException("contributor id longer than 63 characters");
        }
    }

    public boolean provisional() {
        return term == 0;
    }

    /** Compares claims only: positive when this claim outranks the other's. */
    int compareClaim(Stamp other) {
        return CLAIM.compare(this, other);
    }

    boolean sameClaim(Stamp other) {
        return compareClaim(other) == 0;
    }

    @Override
    public int compareTo(Stamp other) {
        return ORDER.compare(this, other);
    }
}
