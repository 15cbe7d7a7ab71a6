package io.nvmesh.cli.live;

import io.nvmesh.cli.Nvmesh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;

/** {@code nvmesh} run in-process; a run in the background can be read while it goes on. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Nvmesh.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** A run on another thread: its output so far, and its result once it ends. */
    static final class Background {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Cli> result;

        Background(String... args) {
            result = CompletableFuture.supplyAsync(() -> {
                int code = Nvmesh.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
                return new Cli(code, out.toString(), err.toString());
            });
        }

        String outSoFar() {
            synchronized (out) {
                return out.toString();
            }
        }

        String errSoFar() {
            synchronized (err) {
                return err.toString();
            }
        }
    }
}
