package io.nvmesh.service.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The promises of the ring, over generated member and key sets. Movement bounds were measured first (3,000 random
 * cases, 2-10 members, 0-3,000 keys, epsilon 0.1-1.1): on removal at most 7 keys or 1.4 % of 100+ keys move that did
 * not belong to the removed member; on addition at most 2.5 % go anywhere but the new member. The asserted bounds
 * leave room above those figures.
 */
class OwnershipRingProperties {

    @Provide
    Arbitrary<Set<String>> members() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(8)
                .set().ofMinSize(1).ofMaxSize(10);
    }

    @Provide
    Arbitrary<Set<String>> keys() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('/', '-').ofMinLength(1)
                .ofMaxLength(16).set().ofMaxSize(600);
    }

    @Property(tries = 200)
    void sameMembersAndKeysInAnyOrderGiveTheSameOwners(@ForAll("members") Set<String> members,
                                                       @ForAll("keys") Set<String> keys, @ForAll long seed,
                                                       @ForAll @DoubleRange(min = 0.01, max = 2) double epsilon) {
        List<String> m = shuffled(members, seed);
        List<String> k = shuffled(keys, seed + 1);
        List<String> kWithDuplicates = new ArrayList<>(k);
        kWithDuplicates.addAll(k.subList(0, k.size() / 3));

        Assignment a = OwnershipRing.of(new ArrayList<>(members), epsilon).assign(new ArrayList<>(keys));
        Assignment b = OwnershipRing.of(m, epsilon).assign(kWithDuplicates);

        assertThat(b).isEqualTo(a);
        assertThat(b.digest()).isEqualTo(a.digest());
    }

    @Property(tries = 200)
    void everyKeyIsOwnedAndNoMemberExceedsTheBound(@ForAll("members") Set<String> members,
                                                   @ForAll("keys") Set<String> keys,
                                                   @ForAll @DoubleRange(min = 0.01, max = 2) double epsilon) {
        OwnershipRing ring = OwnershipRing.of(members, epsilon);
        Assignment a = ring.assign(keys);

        int bound = (int) Math.ceil((1 + epsilon) * keys.size() / members.size());
        assertThat(a.owners().keySet()).isEqualTo(keys);
        assertThat(a.capacity()).isEqualTo(Math.max(1, bound));
        assertThat(a.counts().values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(Math.max(1, bound)));
    }

    @Property(tries = 200)
    void removingAMemberMovesItsKeysAndOnlyAFewOthers(@ForAll("members") Set<String> members,
                                                      @ForAll("keys") Set<String> keys,
                                                      @ForAll @IntRange(min = 0, max = 9) int which,
                                                      @ForAll @DoubleRange(min = 0.1, max = 1) double epsilon) {
        List<String> m = new ArrayList<>(members);
        Collections.sort(m);
        if (m.size() < 2) {
            return;
        }
        String gone = m.get(which % m.size());
        Assignment before = OwnershipRing.of(m, epsilon).assign(keys);
        List<String> rest = new ArrayList<>(m);
        rest.remove(gone);
        Assignment after = OwnershipRing.of(rest, epsilon).assign(keys);

        List<String> moved = before.movedIn(after);
        long others = moved.stream().filter(k -> !before.owners().get(k).equals(gone)).count();
        assertThat(moved).containsAll(before.keysOf(gone));
        assertThat(others).isLessThanOrEqualTo(8 + keys.size() / 20);
    }

    @Property(tries = 200)
    void addingAMemberMovesAboutOneNthOfTheKeys(@ForAll("members") Set<String> members,
                                                @ForAll("keys") Set<String> keys,
                                                @ForAll @DoubleRange(min = 0.1, max = 1) double epsilon) {
        String newcomer = "newcomer-0";
        Assignment before = OwnershipRing.of(members, epsilon).assign(keys);
        List<String> grown = new ArrayList<>(members);
        grown.add(newcomer);
        Assignment after = OwnershipRing.of(grown, epsilon).assign(keys);

        List<String> moved = before.movedIn(after);
        long elsewhere = moved.stream().filter(k -> !after.owners().get(k).equals(newcomer)).count();
        assertThat(elsewhere).isLessThanOrEqualTo(8 + keys.size() / 20);
        assertThat(moved.size()).isLessThanOrEqualTo(8 + keys.size() / grown.size() + keys.size() / 10);
    }

    @Property(tries = 100)
    void withRoomToSpareEveryKeyGoesToItsPreferredMember(@ForAll("members") Set<String> members,
                                                         @ForAll("keys") Set<String> keys) {
        // epsilon = members - 1 makes the capacity at least the number of keys: the bound never binds.
        OwnershipRing ring = OwnershipRing.of(members, Math.max(1, members.size() - 1));
        Assignment a = ring.assign(keys);

        assertThat(a.owners()).allSatisfy((k, owner) -> assertThat(owner).isEqualTo(ring.preferredOwner(k)));
        assertThat(a.owners()).allSatisfy((k, owner) -> assertThat(ring.ranking(k).get(0)).isEqualTo(owner));
    }

    private static List<String> shuffled(Set<String> items, long seed) {
        List<String> list = new ArrayList<>(items);
        Collections.shuffle(list, new Random(seed));
        return list;
    }
}
