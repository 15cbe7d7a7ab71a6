package io.nvmesh.cli;

import io.nvmesh.cli.remote.ClusterViews;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --server}, {@code --token} and the TLS files ({@code --cacert}, {@code --cert}, {@code --key}) for the
 * commands that talk to a running reconciler.
 */
final class ServerOptions {

    @Option(names = {"-s", "--server"}, paramLabel = "URL",
            description = "A reconciler's base URL (default: NVMESH_SERVER, else the running demo's).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "A read or admin token (default: NVMESH_TOKEN, else the running demo's read token).")
    String token;

    @Mixin
    TlsOptions tls = new TlsOptions();

    /** The server and token to use; none given anywhere is a usage error saying how to give one. */
    ServerAddress address() {
        try {
            return ServerAddress.resolve(server, token, tls.given(), System.getenv());
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
    }

    /**
     * Runs {@code action} against the server. A server that cannot be reached or refuses the token throws a
     * {@code ServerException}, which {@link Failures} prints as one line.
     */
    int run(PrintWriter out, Consumer<ClusterViews> action) {
        action.accept(new ClusterViews(new ServerClient(address()), out));
        return ExitCode.OK.code();
    }
}
