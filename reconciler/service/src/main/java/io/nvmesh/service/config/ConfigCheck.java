package io.nvmesh.service.config;

import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.signature.TrustedKeys;
import io.nvmesh.core.state.RepositoryProbe;
import io.nvmesh.core.state.StoreOptions;
import io.nvmesh.schema.Problem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * {@code nvmesh reconciler --config FILE --check}: the configuration as {@link ConfigLoader} reads it, and then what
 * only shows at start or later: the credentials file parses and holds this instance's own token as its instance
 * credential, the certificate is within its validity, the trusted keys parse, the data and audit folders can be
 * written (or created), the repository opens or answers. Every problem is listed, each at the line of the
 * configuration that names the thing (problems inside the credentials file at their own line). Nothing is changed:
 * no folder or repository is created, no port bound, nothing fetched.
 *
 * @param problems every problem found, configuration order
 * @param checked  what was checked and found fine, one line each, for a person
 */
public record ConfigCheck(List<Problem> problems, List<String> checked) {

    public ConfigCheck {
        problems = List.copyOf(problems);
        checked = List.copyOf(checked);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** Checks the configuration file {@code path} and everything it names. */
    public static ConfigCheck of(Path path) {
        return ConfigLoader.check(path);
    }

    /** The values the deep checks need, as far as the configuration gave them. */
    record Values(String id, Optional<AuthConfig> auth, boolean peers, Optional<Path> certificate, Path dataDir,
                  Path auditFile, String gitRemote, String gitBranch, Optional<Path> trustedKeys,
                  Optional<Path> allowedSigners, Optional<io.nvmesh.core.state.SshAccess> gitSsh) {
    }

    /**
     * The checks beyond parsing. {@code problem} reports at a configuration path ({@code auth.credentialsFile});
     * {@code located} adds a problem that carries its own location.
     */
    static List<String> deep(Values v, BiConsumer<String, String> problem, java.util.function.Consumer<Problem> located) {
        List<String> checked = new ArrayList<>();
        v.auth().ifPresent(auth -> credentials(v, auth, problem, located, checked));
        v.certificate().ifPresent(cert -> certificate(cert, problem, checked));
        v.trustedKeys().filter(Files::isReadable).ifPresent(keys -> {
            try {
                TrustedKeys.read(keys);
                checked.add("git.trustedKeys: " + keys + " parses");
            } catch (IllegalArgumentException e) {
                problem.accept("git.trustedKeys", e.getMessage());
            }
        });
        v.allowedSigners().filter(Files::isReadable).ifPresent(file -> {
            try {
                TrustedKeys.readAllowedSigners(file);
                checked.add("git.allowedSigners: " + file + " parses");
            } catch (IllegalArgumentException e) {
                problem.accept("git.allowedSigners", e.getMessage());
            }
        });
        writableFolder(v.dataDir(), "dataDir", "the data folder", problem, checked);
        Path audit = v.auditFile().toAbsolutePath().normalize().getParent();
        if (!audit.startsWith(v.dataDir().toAbsolutePath().normalize())) {
            // Inside the data folder (the default) it is created with it, and judged with it.
            writableFolder(audit, "audit.file", "the audit log's folder", problem, checked);
        }
        if (!v.gitRemote().isEmpty()) {
            StoreOptions writer = StoreOptions.forWriter(v.id() == null ? "check" : v.id());
            RepositoryProbe probe = RepositoryProbe.probe(v.gitRemote(), v.gitBranch(),
                    v.gitSsh().map(writer::withSsh).orElse(writer));
            if (probe.ok()) {
                checked.add("git.remote: " + v.gitRemote() + ": " + probe.description());
            } else {
                problem.accept("git.remote", probe.problem());
            }
        } else {
            checked.add("git.remote: none; this instance runs no reconcile loop");
        }
        return checked;
    }

    private static void credentials(Values v, AuthConfig auth, BiConsumer<String, String> problem,
                                    java.util.function.Consumer<Problem> located, List<String> checked) {
        Credentials all = auth.credentials();
        if (auth.credentialsFile().isPresent()) {
            Path file = auth.credentialsFile().get();
            if (!Files.isReadable(file)) {
                problem.accept("auth.credentialsFile", "cannot read " + file);
                return;
            }
            CredentialsFile.Result read = CredentialsFile.read(file);
            if (read.credentials().isEmpty()) {
                read.problems().forEach(located);
                return;
            }
            all = all.plus(read.credentials().get());
            checked.add("auth.credentialsFile: " + file + ": " + read.credentials().get().all().size()
                    + " credentials");
        }
        String token = auth.token();
        if (token.isEmpty() && !v.peers()) {
            return;
        }
        Optional<Credential> self = token.isEmpty() ? Optional.empty() : all.lookup(token, Instant.now());
        if (self.isEmpty() || self.get().role() != Role.INSTANCE || !self.get().name().equals(v.id())) {
            problem.accept(auth.token().isEmpty() ? "auth" : "auth.token", "this instance's own token must be the "
                    + "token of an instance credential named " + v.id() + " ("
                    + self.map(c -> "it belongs to " + c.role().word() + " " + c.name())
                            .orElse("it is not in the credentials")
                    + "); create one with `nvmesh token create --role instance --name " + v.id()
                    + " --file CREDENTIALS`");
        } else {
            checked.add("auth: this instance's token is the instance credential " + v.id());
        }
    }

    private static void certificate(Path cert, BiConsumer<String, String> problem, List<String> checked) {
        X509Certificate leaf = PemFiles.readCertificates(cert).get(0);
        try {
            leaf.checkValidity();
            checked.add("tls.certificate: " + leaf.getSubjectX500Principal().getName() + ", valid until "
                    + leaf.getNotAfter().toInstant());
        } catch (CertificateExpiredException e) {
            problem.accept("tls.certificate", cert + " expired at " + leaf.getNotAfter().toInstant()
                    + "; renew it (nvmesh certs issue)");
        } catch (CertificateNotYetValidException e) {
            problem.accept("tls.certificate", cert + " is not valid before " + leaf.getNotBefore().toInstant()
                    + " (is this machine's clock right?)");
        }
    }

    /** A folder that exists and can be written, or can be created: its nearest existing ancestor is writable. */
    private static void writableFolder(Path dir, String path, String what, BiConsumer<String, String> problem,
                                       List<String> checked) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            if (Files.isWritable(abs)) {
                checked.add(path + ": " + what + " " + abs + " is writable");
            } else {
                problem.accept(path, what + " " + abs + " is not writable by this user");
            }
            return;
        }
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (Files.exists(abs)) {
            problem.accept(path, what + " " + abs + " is a file, not a folder");
        } else if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            problem.accept(path, what + " " + abs + " does not exist and cannot be created here ("
                    + existing + " is not a writable folder)");
        } else {
            checked.add(path + ": " + what + " " + abs + " will be created at the first start");
        }
    }
}
