package io.nvmesh.core.testing;

/**
 * The manifests tests keep writing, as a person writes them: the policies every reconcile test uses, volumes of
 * them, and inventories of racks of targets.
 */
public final class Policies {

    /** RAID-1 across racks: one mirror, each copy of a group in another rack. */
    public static final String MIRROR = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: mirror
            spec:
              layout: raid1
              mirrors: 1
              protection: full
              domainScope: rack
            """;

    /** RAID-0 over two targets. */
    public static final String STRIPE = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: stripe
            spec:
              layout: raid0
              stripeWidth: 2
            """;

    /** One extent after another, no copies. */
    public static final String PLAIN = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: plain
            spec:
              layout: concatenated
            """;

    /** {@link #MIRROR} and {@link #STRIPE} in one file. */
    public static final String MIRROR_AND_STRIPE = MIRROR + "---\n" + STRIPE;

    private Policies() {
    }

    /**
     * {@code policy} (one of these) named {@code name} instead: the same policy under the name a test's volumes
     * use, e.g. {@code named(PLAIN, "p")}.
     */
    public static String named(String policy, String name) {
        int at = policy.indexOf("\nmetadata:\n  name: ");
        if (at < 0) {
            throw new IllegalArgumentException("not a policy of Policies: " + policy);
        }
        int start = at + "\nmetadata:\n  name: ".length();
        return policy.substring(0, start) + name + policy.substring(policy.indexOf('\n', start));
    }

    /** A deletable volume of {@code policy} ({@code deletionProtection: false}). */
    public static String volume(String name, String policy, String capacity) {
        return volume(name, policy, capacity, false);
    }

    public static String volume(String name, String policy, String capacity, boolean protect) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: " + policy
                + "\n  capacity: " + capacity + "\n  deletionProtection: " + protect + "\n";
    }

    /** A deletable volume of {@code policy} attached to {@code client}. */
    public static String volumeFor(String client, String name, String policy, String capacity) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: " + policy
                + "\n  capacity: " + capacity + "\n  clients: [" + client + "]\n  deletionProtection: false\n";
    }

    /**
     * {@code targets} targets {@code t00 ...} over {@code racks} racks ({@code rack: r<n>}), each with {@code drives}
     * drives {@code S<target><drive>} of {@code capacity}, and one client {@code app-1}.
     */
    public static String inventory(int targets, int racks, int drives, String capacity) {
        StringBuilder sb = new StringBuilder("apiVersion: nvmesh.io/v1\nkind: Inventory\ntargets:\n");
        for (int t = 0; t < targets; t++) {
            sb.append("  - id: t").append(String.format("%02d", t)).append('\n')
                    .append("    labels: {rack: r").append(t % racks).append("}\n")
                    .append("    drives:\n");
            for (int d = 0; d < drives; d++) {
                sb.append("      - serial: S").append(String.format("%02d%02d", t, d)).append('\n')
                        .append("        capacity: ").append(capacity).append('\n');
            }
        }
        return sb.append("clients:\n  - id: app-1\n").toString();
    }
}
