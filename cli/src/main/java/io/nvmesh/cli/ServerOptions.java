package io.nvmesh.cli;

import io.nvmesh.cli.remote.ClientTls;
import io.nvmesh.cli.remote.ClusterViews;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import java.io.PrintWriter;
import java.util.function.Consumer;
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

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM CA bundle to trust for an https server's "
            + "certificate (default: NVMESH_CACERT, else the JVM's trusted CAs; nvmesh certs makes one).")
    java.nio.file.Path cacert;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate naming you to an instance "
            + "that asks for one, with --key (default: NVMESH_CERT).")
    java.nio.file.Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The client certificate's PEM key (default: "
            + "NVMESH_KEY).")
    java.nio.file.Path key;

    /** The server and token to use; none given anywhere is a usage error saying how to give one. */
    ServerAddress address() {
        try {
            return ServerAddress.resolve(server, token, new ClientTls(java.util.Optional.ofNullable(cacert),
                    java.util.Optional.ofNullable(cert), java.util.Optional.ofNullable(key)), System.getenv());
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
    }

    /** Runs {@code action} against the server; an unreachable server or a refused token is one line, exit 1. */
    int run(PrintWriter out, Consumer<ClusterViews> action) {
        ServerAddress address = address();
        try {
            action.accept(new ClusterViews(new ServerClient(address), out));
        } catch (ServerException e) {
            throw CommandException.problems("%s", e.getMessage());
        }
        return ExitCode.OK.code();
    }
}
