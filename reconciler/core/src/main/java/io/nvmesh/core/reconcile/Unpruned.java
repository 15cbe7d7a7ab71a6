package io.nvmesh.core.reconcile;

import java.util.List;
import java.util.Objects;

/**
 * An object on the desired branch whose file is gone from the folders given to {@code diff} or {@code apply}: without
 * {@code --prune} it stays desired (as kubectl and Argo CD keep what is not pruned), and both commands say so.
 *
 * @param kind the object's kind as YAML writes it ({@code Volume})
 * @param name its name
 * @param file its file on the branch
 */
public record Unpruned(String kind, String name, String file) {

    private static final int NAMED = 10;

    public Unpruned {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
    }

    /**
     * One line for people: {@code 2 volumes not in these files, kept: db-7, es-hot-02 (use --prune to delete them)};
     * empty when nothing is kept.
     */
    public static String sentence(List<Unpruned> kept) {
        if (kept.isEmpty()) {
            return "";
        }
        boolean volumes = kept.stream().allMatch(u -> u.kind().equals("Volume"));
        int n = kept.size();
        String what = volumes ? (n == 1 ? "volume" : "volumes") : (n == 1 ? "object" : "objects");
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < n && i < NAMED; i++) {
            names.append(i == 0 ? "" : ", ").append(volumes ? "" : kept.get(i).kind() + " ").append(kept.get(i).name());
        }
        if (n > NAMED) {
            names.append(" and ").append(n - NAMED).append(" more");
        }
        return n + " " + what + " not in these files, kept: " + names + " (use --prune to delete "
                + (n == 1 ? "it" : "them") + ")";
    }
}
