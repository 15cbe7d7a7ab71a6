package io.nvmesh.service.web;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A target's health as people are shown it: the worse of its own and its drives'. A target that answers but has a
 * failed drive is not "healthy" to an operator, even though placement rightly keeps using its other drives. This is
 * presentation only: the allocator and the safety rules keep reading {@link TargetHealth} and {@link DriveHealth}.
 *
 * <p>The rule (docs/dashboard.md, "Target health"): {@code unhealthy} when the target itself is; else
 * {@code degraded} when a drive is failed or missing; else {@code healthy}. The reason counts the drives that are not
 * ok, worst first: {@code 1 drive failed}, {@code 2 drives failed, 1 missing, 1 cordoned}. A cordoned drive still
 * serves its data, so it is named in the reason but does not degrade the target.
 *
 * @param health {@link #HEALTHY}, {@link #DEGRADED} or {@link #UNHEALTHY}
 * @param reason the drives that are not ok; empty when all are
 */
public record OverallHealth(String health, String reason) {

    public static final String HEALTHY = "healthy";
    public static final String DEGRADED = "degraded";
    public static final String UNHEALTHY = "unhealthy";

    public OverallHealth {
        Objects.requireNonNull(reason, "reason");
        if (!List.of(HEALTHY, DEGRADED, UNHEALTHY).contains(health)) {
            throw new IllegalArgumentException("health must be healthy, degraded or unhealthy, got " + health);
        }
    }

    public static OverallHealth of(TargetHealth own, Collection<DriveHealth> drives) {
        int failed = 0;
        int missing = 0;
        int cordoned = 0;
        for (DriveHealth d : drives) {
            switch (d) {
                case FAILED -> failed++;
                case MISSING -> missing++;
                case CORDONED -> cordoned++;
                case OK -> { }
            }
        }
        String health = own == TargetHealth.UNHEALTHY ? UNHEALTHY
                : failed + missing > 0 ? DEGRADED : HEALTHY;
        return new OverallHealth(health, reason(failed, missing, cordoned));
    }

    /** {@code 1 drive failed}, {@code 2 drives failed, 1 missing}: the noun agrees with the first count. */
    private static String reason(int failed, int missing, int cordoned) {
        List<String> parts = new ArrayList<>();
        for (int[] count : new int[][] {{failed, 0}, {missing, 1}, {cordoned, 2}}) {
            if (count[0] == 0) {
                continue;
            }
            String word = List.of("failed", "missing", "cordoned").get(count[1]);
            parts.add(parts.isEmpty() ? count[0] + (count[0] == 1 ? " drive " : " drives ") + word
                    : count[0] + " " + word);
        }
        return String.join(", ", parts);
    }

    /** {@code degraded: 1 drive failed}, or the health alone when every drive is ok. */
    public String text() {
        return reason.isEmpty() ? health : health + ": " + reason;
    }
}
