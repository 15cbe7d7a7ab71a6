package io.nvmesh.core.state;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer in its own JVM, for the cross-process proof: {@code ClaimWriter local <gitDir> <writer> <count>} or
 * {@code ClaimWriter remote <url> <cacheDir> <writer> <count>}. Prints {@code ready}, waits for {@code go} on stdin so
 * that every writer starts together, claims {@code count} slots, prints {@code done <retries> <failures>}.
 */
public final class ClaimWriter {

    private ClaimWriter() {
    }

    public static void main(String[] args) throws Exception {
        boolean remote = args[0].equals("remote");
        String writer = remote ? args[3] : args[2];
        int count = Integer.parseInt(remote ? args[4] : args[3]);
        StoreOptions options = StoreOptions.forWriter(writer);
        try (StateStore store = remote ? StateStore.remote(args[1], Path.of(args[2]), options)
                : StateStore.openOrCreate(Path.of(args[1]), options)) {
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                System.exit(3);
            }
            Author author = new Author(writer, writer + "@test");
            long retries = 0;
            int failures = 0;
            for (int i = 0; i < count; i++) {
                UpdateResult r = Claims.claimOne(store, author, writer, i);
                retries += r.retries();
                if (!(r instanceof UpdateResult.Updated)) {
                    failures++;
                    System.err.println(writer + " claim " + i + ": " + r);
                }
            }
            System.out.println("done " + retries + " " + failures);
            System.out.flush();
        }
    }
}
