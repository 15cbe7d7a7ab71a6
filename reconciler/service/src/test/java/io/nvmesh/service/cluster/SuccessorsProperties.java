package io.nvmesh.service.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The successor a welcome names is the owner the survivors compute once the instance is dead: checked against an
 * {@link OwnershipTable} that is told of the death, over generated members, keys and load bounds.
 */
class SuccessorsProperties {

    @Provide
    Arbitrary<Set<String>> keys() {
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-')
                .ofMinLength(1).ofMaxLength(10);
        return Arbitraries.of("target/", "client/", "volume/").flatMap(space -> name.map(n -> space + n))
                .set().ofMaxSize(400);
    }

    @Property(tries = 150)
    void everyKeysSuccessorIsItsOwnerAfterTheDeath(@ForAll @IntRange(min = 2, max = 6) int size,
                                                   @ForAll("keys") Set<String> keys,
                                                   @ForAll @DoubleRange(min = 0.05, max = 1.0) double epsilon,
                                                   @ForAll @IntRange(min = 0, max = 5) int victimIndex) {
        List<String> live = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            live.add("r" + i);
        }
        String victim = live.get(victimIndex % size);
        OwnershipTable before = table(victim, live, keys, epsilon);
        List<String> survivors = new ArrayList<>(live);
        survivors.remove(victim);
        OwnershipTable after = table(survivors.get(0), live, keys, epsilon);
        after.membershipChanged(null, new ClusterView(survivors.get(0), 2, List.of(), survivors));

        Successors successors = new Successors(victim);
        for (String key : keys) {
            assertThat(successors.of(before.current(), key)).as(key)
                    .contains(after.current().ownerOf(key).orElseThrow());
        }
        // A node not known yet (its first hello) goes where the survivors would put an unknown key.
        assertThat(successors.of(before.current(), "target/not-known-yet"))
                .contains(after.current().ownerOrPreferred("target/not-known-yet"));
    }

    @Example
    void aLoneInstanceHasNoSuccessor() {
        OwnershipTable alone = table("r1", List.of("r1"), Set.of("target/t-1"), 0.25);
        assertThat(new Successors("r1").of(alone.current(), "target/t-1")).isEmpty();
    }

    private static OwnershipTable table(String self, List<String> live, Set<String> keys, double epsilon) {
        OwnershipTable t = new OwnershipTable(new ClusterView(self, 1, List.of(), live), epsilon);
        t.setKeys(keys);
        return t;
    }
}
