package io.nvmesh.service.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OwnershipRingTest {

    private static List<String> keys(String space, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(String.format("%s/%s-%04d", space, space.charAt(0), i));
        }
        return keys;
    }

    @Test
    void hashesAreFixedValuesNotJvmDependent() {
        // Pinned: if these change, instances of two builds would disagree about every owner.
        assertThat(Hash64.of("")).isEqualTo(Hash64.fmix64(0xcbf29ce484222325L));
        assertThat(String.format("%016x", Hash64.of("target/t-0001"))).isEqualTo("4cebcead2f261c1a");
        assertThat(OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25).preferredOwner("target/t-0001"))
                .isEqualTo(PINNED_OWNER_OF_T0001);
        assertThat(OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25).assign(keys("target", 1000)).digest())
                .isEqualTo(PINNED_DIGEST);
    }

    static final String PINNED_OWNER_OF_T0001 = "r3";
    static final String PINNED_DIGEST = "2914cc71cf1e3833";

    @Test
    void aThousandKeysOnThreeMembersStayWithinAQuarterOfTheAverage() {
        Assignment a = OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25).assign(keys("target", 1000));

        double average = 1000 / 3.0;
        assertThat(a.capacity()).isEqualTo(417);
        assertThat(a.counts().values()).allSatisfy(n -> assertThat(n / average).isLessThanOrEqualTo(1.25));
        assertThat(a.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
    }

    @Test
    void theBoundPushesKeysToTheirNextChoiceWhenEpsilonIsTight() {
        OwnershipRing ring = OwnershipRing.of(List.of("a", "b", "c", "d"), 0.01);
        Assignment a = ring.assign(keys("client", 400));

        assertThat(a.capacity()).isEqualTo(101);
        assertThat(a.counts().values()).allSatisfy(n -> assertThat(n).isBetween(96, 101));
        long second = a.owners().entrySet().stream()
                .filter(e -> !ring.preferredOwner(e.getKey()).equals(e.getValue())).count();
        assertThat(second).isPositive();
    }

    @Test
    void aSingleMemberOwnsEverything() {
        Assignment a = OwnershipRing.of(List.of("solo"), 0.25).assign(keys("volume", 10));

        assertThat(a.counts()).isEqualTo(Map.of("solo", 10));
    }

    @Test
    void noKeysMeansAnEmptyAssignment() {
        Assignment a = OwnershipRing.of(List.of("r1", "r2"), 0.25).assign(List.of());

        assertThat(a.owners()).isEmpty();
        assertThat(a.counts()).containsEntry("r1", 0).containsEntry("r2", 0);
    }

    @Test
    void refusesAnEmptyMemberListAndANonPositiveEpsilon() {
        assertThatThrownBy(() -> OwnershipRing.of(List.of(), 0.25)).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> OwnershipRing.of(List.of("a"), 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> OwnershipRing.of(List.of("a"), Double.NaN)).hasMessageContaining("positive");
    }

    @Test
    void rankingPutsThePreferredMemberFirstAndListsEveryMemberOnce() {
        OwnershipRing ring = OwnershipRing.of(List.of("r3", "r1", "r2"), 0.25);

        List<String> ranking = ring.ranking("volume/db-01");

        assertThat(ranking).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(ranking.get(0)).isEqualTo(ring.preferredOwner("volume/db-01"));
    }
}
