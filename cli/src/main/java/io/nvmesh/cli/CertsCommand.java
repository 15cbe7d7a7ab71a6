package io.nvmesh.cli;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.credentials.Role;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nvmesh certs}: a private CA and the certificates that name instances, agents and people (docs/security.md). */
@Command(name = "certs",
        mixinStandardHelpOptions = true,
        description = {
            "Make a small private CA and the certificates TLS and mutual TLS use (docs/security.md). A certificate "
                    + "names its holder and role in URI subject alternative names; the credentials file still says "
                    + "who exists. Keys are EC P-256, made on this machine and written only to files of mode 0600."
        },
        subcommands = {CertsCommand.Ca.class, CertsCommand.Issue.class},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh certs ca --dir /etc/nvmesh/pki",
            "  nvmesh certs issue --dir /etc/nvmesh/pki --instance r1 --host 10.0.0.5 --host r1.example",
            "  nvmesh certs issue --dir /etc/nvmesh/pki --agent t-001",
            "  nvmesh certs issue --dir /etc/nvmesh/pki --admin alice --days 90", ""})
final class CertsCommand extends CommandGroup {

    /** {@code --days} as a validity: at least a day. */
    static Duration validity(int days) {
        if (days < 1) {
            throw CommandException.usage("--days must be at least 1");
        }
        return Duration.ofDays(days);
    }

    @Command(name = "ca",
            mixinStandardHelpOptions = true,
            description = "Make a private CA in DIR: ca.pem (give it to everything that must trust the certificates) "
                    + "and ca-key.pem (mode 0600; keep it where certificates are made, nowhere else). An existing CA "
                    + "is never overwritten.",
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh certs ca --dir /etc/nvmesh/pki --days 3650", "",
                "Exit codes: 0 made, 1 a CA exists already or a file cannot be written, 2 usage error.%n"})
    static final class Ca implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where ca.pem and ca-key.pem go.")
        Path dir;

        @Option(names = "--days", paramLabel = "N", defaultValue = "3650", description = "Validity (default 3650).")
        int days;

        @Override
        public Integer call() throws IOException {
            Duration validity = validity(days);
            try {
                CertificateAuthority.createIn(dir, "nvmesh", validity);
            } catch (IllegalArgumentException e) {
                throw CommandException.problems("%s", e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("made a CA: " + dir.resolve(CertificateAuthority.CA_FILE) + " (trust this), "
                    + dir.resolve(CertificateAuthority.CA_KEY_FILE) + " (mode 0600, keep it here)");
            return ExitCode.OK.code();
        }
    }

    @Command(name = "issue",
            mixinStandardHelpOptions = true,
            description = "Issue a certificate from the CA in DIR: <name>.pem (the certificate, then the CA's) and "
                    + "<name>-key.pem (mode 0600). Exactly one of --instance, --agent, --admin, --read.",
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh certs issue --dir pki --instance r1 --host 127.0.0.1 --host r1.example",
                "  nvmesh certs issue --dir pki --agent host-7 --node t-007 --node c-007",
                "  nvmesh certs issue --dir pki --read grafana --days 30", "",
                "Exit codes: 0 issued, 1 the CA does not read or a file cannot be written, 2 usage error.%n"})
    static final class Issue implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the CA is and the "
                + "certificate goes.")
        Path dir;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Who who;

        static final class Who {
            @Option(names = "--instance", paramLabel = "ID", description = "A reconciler instance (serves and dials).")
            String instance;
            @Option(names = "--agent", paramLabel = "NAME", description = "A node agent; its credential's name.")
            String agent;
            @Option(names = "--admin", paramLabel = "NAME", description = "A person or script that may change things.")
            String admin;
            @Option(names = "--read", paramLabel = "NAME", description = "A reader (dashboard, Prometheus).")
            String read;
        }

        @Option(names = "--node", paramLabel = "NODE-ID", description = "Agents: a node id it speaks for "
                + "(repeatable; default: its name).")
        List<String> nodes = new ArrayList<>();

        @Option(names = "--host", paramLabel = "HOST", description = "Instances: a DNS name or IP address it is "
                + "reached at (repeatable).")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Validity (default 365).")
        int days;

        @Override
        public Integer call() throws IOException {
            Duration validity = validity(days);
            Role role = who.instance != null ? Role.INSTANCE : who.agent != null ? Role.AGENT
                    : who.admin != null ? Role.ADMIN : Role.READ;
            String name = who.instance != null ? who.instance : who.agent != null ? who.agent
                    : who.admin != null ? who.admin : who.read;
            if (role != Role.AGENT && !nodes.isEmpty()) {
                throw CommandException.usage("--node is for --agent only");
            }
            if (role != Role.INSTANCE && !hosts.isEmpty()) {
                throw CommandException.usage("--host is for --instance only");
            }
            CertificateName certName;
            try {
                certName = new CertificateName(role, name, role == Role.AGENT && nodes.isEmpty() ? List.of(name)
                        : nodes);
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("%s", e.getMessage());
            }
            List<Path> written;
            try {
                written = CertificateAuthority.load(dir).issue(certName, hosts, validity).write(dir, name);
            } catch (IllegalArgumentException e) {
                throw CommandException.problems("%s", e.getMessage());
            }
            spec.commandLine().getOut().println("issued " + certName + " for " + days + " days: " + written.get(0)
                    + ", " + written.get(1) + " (mode 0600)");
            return ExitCode.OK.code();
        }
    }
}
