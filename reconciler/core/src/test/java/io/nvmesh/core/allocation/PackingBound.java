package io.nvmesh.core.allocation;

import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An upper bound on how much of a stream any allocator can place before its first refusal: the longest prefix that
 * passes a relaxation of the placement problem, solved exactly as a maximum flow.
 *
 * <p>The relaxation: a group of {@code g} segments of equal length with at most {@code c} of them per target (and per
 * domain of the policy's scope) puts at most {@code c/g} of its bytes on any one target or domain; summed over all
 * groups of all volumes of one policy, a target (domain) holds at most {@code c/g} of the policy's footprint. A
 * target holds at most its drives' usable bytes. Dropped (which only loosens it): that a segment sits on one drive,
 * stripes on drives of their own, rounding to whole MiB, the chunk limit, and the order of arrival. Any real placement
 * of a prefix, scaled down by (footprint without rounding) / (bytes allocated), satisfies these constraints, so a
 * prefix that fails them cannot be placed by anyone.
 *
 * <p>Flow: source → policy (its footprint) → domain of the scope (c/g of it) → target (c/g of it) → sink (the
 * target's usable bytes). The prefix is feasible when the flow carries every policy's whole footprint.
 */
final class PackingBound {

    private final Inventory fleet;
    private final long[] targetCapacity;
    private final Function<String, VolumePolicy> policies;
    private final boolean firstRung;

    /** The bound: every group may use its protection's own limit per target and domain, as {@code fsck} allows. */
    PackingBound(Inventory fleet, Function<String, VolumePolicy> policies) {
        this(fleet, policies, false);
    }

    /**
     * With {@code firstRung}, not a bound but a reference: groups of {@code minimal} and {@code ignore} policies keep
     * to one segment per target, the first rung of the ladder, which the planner leaves only when it cannot place a
     * chunk on it. The planner may exceed it (it does leave the rung when it must); it shows how much of the gap to
     * the bound is the ladder's preference for one segment per target.
     */
    PackingBound(Inventory fleet, Function<String, VolumePolicy> policies, boolean firstRung) {
        this.fleet = fleet;
        this.policies = policies;
        this.firstRung = firstRung;
        targetCapacity = fleet.targets().stream().mapToLong(t -> t.drives().stream()
                .mapToLong(Drive::usableCapacity).sum()).toArray();
    }

    /** The number of volumes of the longest prefix of {@code stream} that passes the relaxation (all, if it does). */
    int prefix(List<Volume> stream) {
        if (feasible(stream)) {
            return stream.size();
        }
        int lo = 0;
        int hi = stream.size() - 1; // feasible(lo) holds, feasible(hi + 1) does not
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (feasible(stream.subList(0, mid))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Whether the relaxation can hold every volume of {@code volumes} at once. */
    boolean feasible(List<Volume> volumes) {
        Map<String, Double> demand = new TreeMap<>();
        for (Volume v : volumes) {
            demand.merge(v.policy(), PackingScenario.footprint(v, policies.apply(v.policy())), Double::sum);
        }
        List<Target> ts = fleet.targets();
        int source = 0;
        int sink = 1;
        MaxFlow flow = new MaxFlow();
        flow.nodes(2 + ts.size());
        for (int t = 0; t < ts.size(); t++) {
            flow.edge(2 + t, sink, targetCapacity[t]);
        }
        double total = 0;
        for (Map.Entry<String, Double> e : demand.entrySet()) {
            VolumePolicy p = policies.apply(e.getKey());
            double bytes = e.getValue();
            total += bytes;
            int node = flow.nodes(1);
            flow.edge(source, node, bytes);
            Shape shape = Shape.of(p);
            int limit = Separation.limit(p.protection(), shape.groupSize(), shape.tolerance());
            double share = limit >= shape.groupSize() ? bytes : bytes * limit / shape.groupSize();
            double perTarget = firstRung ? bytes / shape.groupSize() : share;
            if (p.domainScope() == null || share >= bytes) {
                for (int t = 0; t < ts.size(); t++) {
                    flow.edge(node, 2 + t, perTarget);
                }
                continue;
            }
            Map<String, List<Integer>> byDomain = new LinkedHashMap<>();
            for (int t = 0; t < ts.size(); t++) {
                byDomain.computeIfAbsent(domainOf(ts.get(t), p.domainScope()), k -> new ArrayList<>()).add(t);
            }
            for (List<Integer> members : byDomain.values()) {
                int domain = flow.nodes(1);
                flow.edge(node, domain, share);
                for (int t : members) {
                    flow.edge(domain, 2 + t, perTarget);
                }
            }
        }
        return flow.max(source, sink) >= total * (1 - 1e-9);
    }

    /** The target's value of the key; the bound needs every drive of a target in the same domain. */
    private static String domainOf(Target t, String key) {
        String first = null;
        for (Drive d : t.drives()) {
            String v = Separation.domain(t, d, key);
            if (first != null && !first.equals(v)) {
                throw new IllegalArgumentException("target " + t.id() + " has drives in more than one " + key);
            }
            first = v;
        }
        return first == null ? "" : first;
    }

    /** Dinic's algorithm on doubles; the graphs here have a few hundred nodes. */
    static final class MaxFlow {
        private final List<int[]> edges = new ArrayList<>(); // {from, to}
        private final List<double[]> cap = new ArrayList<>(); // residual capacity, shared index with edges
        private final List<List<Integer>> out = new ArrayList<>();

        int nodes(int count) {
            int first = out.size();
            for (int i = 0; i < count; i++) {
                out.add(new ArrayList<>());
            }
            return first;
        }

        void edge(int from, int to, double capacity) {
            out.get(from).add(edges.size());
            edges.add(new int[] {from, to});
            cap.add(new double[] {capacity});
            out.get(to).add(edges.size());
            edges.add(new int[] {to, from});
            cap.add(new double[] {0});
        }

        double max(int s, int t) {
            double total = 0;
            int[] level = new int[out.size()];
            int[] next = new int[out.size()];
            while (bfs(s, t, level)) {
                Arrays.fill(next, 0);
                double f;
                while ((f = push(s, t, Double.MAX_VALUE, level, next)) > 0) {
                    total += f;
                }
            }
            return total;
        }

        private boolean bfs(int s, int t, int[] level) {
            Arrays.fill(level, -1);
            level[s] = 0;
            int[] queue = new int[out.size()];
            int head = 0;
            int tail = 0;
            queue[tail++] = s;
            while (head < tail) {
                int u = queue[head++];
                for (int e : out.get(u)) {
                    int v = edges.get(e)[1];
                    if (level[v] < 0 && cap.get(e)[0] > 1.0) {
                        level[v] = level[u] + 1;
                        queue[tail++] = v;
                    }
                }
            }
            return level[t] >= 0;
        }

        private double push(int u, int t, double limit, int[] level, int[] next) {
            if (u == t) {
                return limit;
            }
            List<Integer> es = out.get(u);
            for (; next[u] < es.size(); next[u]++) {
                int e = es.get(next[u]);
                int v = edges.get(e)[1];
                if (level[v] != level[u] + 1 || cap.get(e)[0] <= 1.0) {
                    continue;
                }
                double f = push(v, t, Math.min(limit, cap.get(e)[0]), level, next);
                if (f > 0) {
                    cap.get(e)[0] -= f;
                    cap.get(e ^ 1)[0] += f;
                    return f;
                }
            }
            return 0;
        }
    }
}
