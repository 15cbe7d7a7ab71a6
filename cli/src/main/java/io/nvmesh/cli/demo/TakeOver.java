package io.nvmesh.cli.demo;

import io.nvmesh.api.ClusterJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the surviving reconcilers have taken over a dead one's nodes, from what each says in {@code GET
 * /v1/cluster}. It is over when no survivor counts anyone but the survivors live and each survivor serves every node
 * it owns: as many targets and clients connected to it as the ownership it computed gives it. That needs no count
 * taken before the death, so a second death during a take-over is judged the same way.
 *
 * @param finished whether the take-over is over
 * @param summary  what each survivor serves, or what is still missing
 */
record TakeOver(boolean finished, String summary) {

    /**
     * @param answers survivor id → its {@code GET /v1/cluster} answer, empty when it did not answer; in the order to
     *                report them
     */
    static TakeOver judge(Map<String, Optional<ClusterJson>> answers) {
        List<String> serving = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        answers.forEach((id, answer) -> {
            if (answer.isEmpty()) {
                missing.add(id + " did not answer");
                return;
            }
            ClusterJson cluster = answer.get();
            List<String> others = cluster.live().stream().filter(m -> !answers.containsKey(m)).toList();
            if (!others.isEmpty()) {
                missing.add(id + " still counts " + String.join(", ", others) + " live");
                return;
            }
            Map<String, Integer> agents = cluster.members().stream().filter(m -> id.equals(m.id())).findFirst()
                    .map(ClusterJson.MemberJson::agents).orElse(Map.of());
            Map<String, Map<String, Integer>> counts = cluster.ownership() == null ? Map.of()
                    : cluster.ownership().counts();
            int targets = agents.getOrDefault("targets", 0);
            int clients = agents.getOrDefault("clients", 0);
            int ownedTargets = counts.getOrDefault("target", Map.of()).getOrDefault(id, 0);
            int ownedClients = counts.getOrDefault("client", Map.of()).getOrDefault(id, 0);
            if (targets < ownedTargets || clients < ownedClients) {
                missing.add(id + " serves " + (targets + clients) + " of the " + (ownedTargets + ownedClients)
                        + " nodes it owns");
            } else {
                serving.add(id + " serves " + targets + " targets and " + clients + " clients");
            }
        });
        return missing.isEmpty() ? new TakeOver(true, String.join(", ", serving))
                : new TakeOver(false, String.join("; ", missing));
    }
}
