package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.StateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A reconciler in its own JVM for {@link ConcurrentReconcilersTest}:
 * {@code ReconcileWriter <repo> <writer-id> <owned-residues> <modulus> <stop-file>}. Prints {@code ready}, waits for a
 * line on standard input, then reconciles its share until the stop file exists and a pass finds nothing to do; prints
 * {@code done <retries>}.
 */
public final class ReconcileWriter {

    private ReconcileWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        String writer = args[1];
        ConcurrentReconcilersTest.Share share = ConcurrentReconcilersTest.Share.parse(args[2], Integer.parseInt(args[3]));
        Path stop = Path.of(args[4]);
        try (StateStore store = StateStore.openOrCreate(repo, ConcurrentReconcilersTest.options(writer))) {
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            int retries = ConcurrentReconcilersTest.reconcileUntilStopped(store, share, () -> Files.exists(stop));
            System.out.println("done " + retries);
            System.out.flush();
        }
    }

}
