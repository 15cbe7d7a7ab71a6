package io.nvmesh.service.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How agents speak TLS to instances (docs/security.md): the CA bundle the instances' certificates must chain to (the
 * JVM's trusted CAs without one), and the client certificate a node presents, whose SAN {@code
 * urn:nvmesh:agent:<node-id>} names the node. A host running one agent is given {@code certificate} and {@code key}
 * (one certificate may name several nodes: a host that is both target and client). A simulator playing hundreds of
 * nodes is given {@code certificateDir}, holding {@code <node-id>.pem} and {@code <node-id>-key.pem} per node as
 * {@code nvmesh certs issue --agent <node-id>} writes them: each node presents its own certificate, on connections of
 * its own. A node without a file there presents {@code certificate}, if given, else none (its bearer token then says
 * who it is). Every file is read again when it changes; new connections present the new certificate.
 *
 * @param ca             PEM bundle of the CAs that sign instances' certificates
 * @param certificate    PEM chain presented by nodes without a certificate of their own in {@code certificateDir}
 * @param key            its PKCS#8 key
 * @param certificateDir folder of per-node certificates and keys
 */
public record AgentTls(Optional<Path> ca, Optional<Path> certificate, Optional<Path> key,
                       Optional<Path> certificateDir) {

    /** The JVM's trusted CAs, no client certificate. */
    public static final AgentTls NONE = new AgentTls(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public AgentTls {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(certificateDir, "certificateDir");
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException(certificate.isPresent() ? "the agent certificate "
                    + certificate.get() + " needs its key" : "the agent key " + key.get() + " needs its certificate");
        }
        if (certificateDir.isPresent() && !Files.isDirectory(certificateDir.get())) {
            throw new IllegalArgumentException(certificateDir.get() + ": not a folder of agent certificates");
        }
    }

    /** Trusting {@code ca}, every node presenting its own certificate from {@code dir}. */
    public static AgentTls perNode(Path ca, Path dir) {
        return new AgentTls(Optional.of(ca), Optional.empty(), Optional.empty(), Optional.of(dir));
    }

    /** Trusting {@code ca}, presenting one certificate. */
    public static AgentTls of(Path ca, Path certificate, Path key) {
        return new AgentTls(Optional.of(ca), Optional.of(certificate), Optional.of(key), Optional.empty());
    }

    /** The certificate and key {@code nodeId} presents of its own, if {@code certificateDir} holds both. */
    Optional<Path[]> ownFiles(String nodeId) {
        AgentProtocol.checkNodeId(nodeId); // a node id never leaves the folder
        return certificateDir.map(d -> new Path[] {d.resolve(nodeId + ".pem"), d.resolve(nodeId + "-key.pem")})
                .filter(f -> Files.isRegularFile(f[0]) && Files.isRegularFile(f[1]));
    }
}
