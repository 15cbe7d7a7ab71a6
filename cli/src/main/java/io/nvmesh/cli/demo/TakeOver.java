package io.nvmesh.cli.demo;

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
    static TakeOver judge(Map<String, Optional<Map<String, Object>>> answers) {
        List<String> serving = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        answers.forEach((id, answer) -> {
            if (answer.isEmpty()) {
                missing.add(id + " did not answer");
                return;
            }
            Map<String, Object> cluster = answer.get();
            List<String> others = new ArrayList<>();
            if (cluster.get("live") instanceof List<?> live) {
                live.stream().map(String::valueOf).filter(m -> !answers.containsKey(m)).forEach(others::add);
            }
            if (!others.isEmpty()) {
                missing.add(id + " still counts " + String.join(", ", others) + " live");
                return;
            }
            Map<?, ?> agents = self(cluster, id).map(m -> map(m.get("agents"))).orElse(Map.of());
            Map<?, ?> counts = map(map(cluster.get("ownership")).get("counts"));
            int targets = number(agents.get("targets"));
            int clients = number(agents.get("clients"));
            int ownedTargets = number(map(counts.get("target")).get(id));
            int ownedClients = number(map(counts.get("client")).get(id));
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

    private static Optional<Map<?, ?>> self(Map<String, Object> cluster, String id) {
        if (cluster.get("members") instanceof List<?> members) {
            return members.stream().map(TakeOver::map).filter(m -> id.equals(m.get("id"))).findFirst();
        }
        return Optional.empty();
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static int number(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }
}
