package io.nvmesh.core.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link CandidatePool#mostAbundant} keeps scratch heaps from call to call and sorts by hand; what it returns must
 * stay the plain answer: every target of the pool ranked by {@link CandidatePool#ranksBefore}, taken in that order
 * while its domain has fewer than {@code perDomain}, until {@code count}.
 */
class MostAbundantProperties {

    @Property(tries = 200)
    void mostAbundantIsTheTopOfTheRankingOfEveryTarget(@ForAll long seed) {
        Random r = new Random(seed);
        Inventory inv = Fleet.of(2 + r.nextInt(12), 1 + r.nextInt(4), 4);
        Workspace ws = new Workspace(inv, Allocations.EMPTY, DesiredState.of(List.of(), List.of()));
        CandidatePool pool = ws.pool(Fleet.policy("p", Layout.CONCATENATED));
        int[] domains = new int[pool.all.stream().mapToInt(d -> d.index).max().orElse(0) + 1];
        int domainCount = 1 + r.nextInt(6);
        for (int i = 0; i < domains.length; i++) {
            domains[i] = r.nextInt(domainCount) * (r.nextBoolean() ? 1 : 40); // ids sparse at times
        }
        for (int step = 0; step < 40; step++) {
            DriveSpace d = pool.all.get(r.nextInt(pool.all.size()));
            long length = (1 + r.nextInt(512)) * Extent.ALIGNMENT;
            if (d.largestFree() >= length) {
                ws.allocate(d, length);
            }
            for (int k = r.nextInt(3); k > 0; k--) {
                pool.takeForChunk(r.nextInt(pool.targets()), (1 + r.nextInt(64)) * Extent.ALIGNMENT);
            }
            int count = 1 + r.nextInt(pool.targets() + 2);
            int perDomain = 1 + r.nextInt(4);
            int[] ids = r.nextInt(4) == 0 ? null : domains;

            int[] got = pool.mostAbundant(count, ids, perDomain);

            assertThat(got).containsExactly(plain(pool, count, ids, perDomain));
            pool.clearChunk();
        }
    }

    private static int[] plain(CandidatePool pool, int count, int[] domains, int perDomain) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, pool.targets()).boxed().toList());
        order.sort((a, b) -> pool.ranksBefore(pool.abundance(a), a, pool.abundance(b), b) ? -1
                : pool.ranksBefore(pool.abundance(b), b, pool.abundance(a), a) ? 1 : 0);
        boolean capped = domains != null && perDomain < count;
        java.util.Map<Integer, Integer> inDomain = new java.util.HashMap<>();
        List<Integer> out = new ArrayList<>();
        for (int t : order) {
            if (out.size() == count) {
                break;
            }
            if (capped) {
                int dom = domains[pool.drivesOf(t)[0].index];
                if (inDomain.merge(dom, 1, Integer::sum) > perDomain) {
                    continue;
                }
            }
            out.add(t);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
