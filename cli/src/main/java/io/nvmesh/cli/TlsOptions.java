package io.nvmesh.cli;

import io.nvmesh.cli.remote.ClientTls;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --cacert}, {@code --cert} and {@code --key}: how a command speaks TLS to an https instance. */
final class TlsOptions {

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM CA bundle to trust for an https server's "
            + "certificate (default: NVMESH_CACERT, else the JVM's trusted CAs; nvmesh certs makes one).")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate naming you to an instance "
            + "that asks for one, with --key (default: NVMESH_CERT).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The client certificate's PEM key (default: "
            + "NVMESH_KEY).")
    Path key;

    /** The files given on the command line; the environment and the demo's file fill in the rest. */
    ClientTls given() {
        return new ClientTls(Optional.ofNullable(cacert), Optional.ofNullable(cert), Optional.ofNullable(key));
    }
}
