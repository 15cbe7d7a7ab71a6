package io.nvmesh.cli;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.CredentialsEdit;
import io.nvmesh.core.credentials.Role;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nvmesh token}: the credentials of people, instances and node agents, kept as hashes in one file. */
@Command(name = "token",
        mixinStandardHelpOptions = true,
        description = {
            "Create, list and revoke credentials in a credentials file (docs/security.md). Every caller has its own: "
                    + "a person or script (admin, read), each reconciler instance (instance, named by its id) and "
                    + "each node agent (agent, naming the node ids it may speak for). The file keeps SHA-256 "
                    + "hashes only; a new token is shown once. Instances reload the file when it changes: no "
                    + "restart to add, rotate or revoke.",
            "The file is --file, or NVMESH_CREDENTIALS."
        },
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh token create --file credentials.yaml --role instance --name r1 --token-file r1.token",
            "  nvmesh token create --file credentials.yaml --role agent --name t-001 --expires 365d",
            "  nvmesh token create --file credentials.yaml --role read --name grafana",
            "  nvmesh token list --file credentials.yaml",
            "  nvmesh token revoke --file credentials.yaml t-001", ""})
final class TokenCommand extends CommandGroup {

    /** {@code --file} or {@code NVMESH_CREDENTIALS}. */
    static Path file(Path given) {
        if (given != null) {
            return given;
        }
        String env = System.getenv("NVMESH_CREDENTIALS");
        if (env == null || env.isBlank()) {
            throw CommandException.usage("which credentials file? give --file FILE or set NVMESH_CREDENTIALS");
        }
        return Path.of(env);
    }

    /** As {@link #file}, for a command that only reads or edits it: one that does not exist is a problem. */
    static Path existingFile(Path given) {
        Path file = file(given);
        if (!Files.exists(file)) {
            throw CommandException.problems("%s: no such file", file);
        }
        return file;
    }

    @Command(name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Add a credential with a new random token and print the token (once: only its hash is kept). A name "
                        + "that has a credential already gets a second token of the same role, so a token can be "
                        + "rotated without an outage: create the new one, deploy it, revoke the old one by its hash."
            },
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh token create --file credentials.yaml --role agent --name t-001",
                "  nvmesh token create --file credentials.yaml --role agent --name host-7 --node t-007 --node c-007",
                "  nvmesh token create --file credentials.yaml --role admin --name alice --expires 90d -o json", "",
                "Exit codes: 0 created, 1 the file or the credential is not valid, 2 usage error.%n"})
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--file", paramLabel = "FILE", description = "The credentials file (created if absent).")
        Path file;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "admin | read | instance | agent.")
        String role;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "Who: an instance's id, a node's id, or a person's or tool's name (1-63 of a-z 0-9 . _ -).")
        String name;

        @Option(names = "--node", paramLabel = "NODE-ID", description = "Agents: a node id it may speak for "
                + "(repeatable; default: its name). A prefix ending in * is for simulators only.")
        List<String> nodes = new ArrayList<>();

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "When it stops working: a duration from now (90d, 12h, 30m) or a date (2027-06-01, "
                        + "2027-06-01T00:00:00Z). Default: never.")
        String expires;

        @Option(names = "--token-file", paramLabel = "FILE", description = "Write the token to FILE (mode 0600) "
                + "instead of printing it; e.g. an instance's auth.tokenFile.")
        Path tokenFile;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text | json.")
        String output;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            Role r = Role.of(role.toLowerCase(Locale.ROOT)).orElseThrow(() -> CommandException.usage(
                    "--role: \"%s\" is not a role (admin, read, instance, agent)", role));
            List<String> speaksFor = nodes.isEmpty() && r == Role.AGENT ? List.of(name) : nodes;
            boolean json = outputIsJson(output);
            Path target = file(file);
            CredentialsEdit.Created made;
            try {
                made = CredentialsEdit.create(target, name, r, speaksFor, expiry(expires, Instant.now()));
            } catch (IllegalArgumentException e) {
                throw CommandException.problems("%s", e.getMessage());
            }
            if (tokenFile != null) {
                writePrivate(tokenFile, made.token() + "\n");
            }
            Credential c = made.credential();
            if (json) {
                Map<String, Object> m = describe(c);
                if (tokenFile == null) {
                    m.put("token", made.token());
                } else {
                    m.put("tokenFile", tokenFile.toString());
                }
                out.println(JsonReport.JSON.writeValueAsString(m));
            } else {
                out.println("created " + c + " in " + target + (c.expires().map(e -> ", expires " + e).orElse("")));
                out.println(tokenFile == null ? "token (shown once, store it now): " + made.token()
                        : "token written to " + tokenFile + " (mode 0600)");
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "list",
            mixinStandardHelpOptions = true,
            description = "List the credentials of a file: name, role, nodes, expiry and the start of each token's "
                    + "hash (what `revoke --sha256` takes). Tokens themselves are never stored.",
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh token list --file credentials.yaml", "  nvmesh token list -o json", ""})
    static final class ListTokens implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--file", paramLabel = "FILE", description = "The credentials file.")
        Path file;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text | json.")
        String output;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            boolean json = outputIsJson(output);
            Path source = existingFile(file);
            List<Credential> all;
            try {
                all = CredentialsEdit.read(source).all();
            } catch (IllegalArgumentException e) {
                throw CommandException.problems("%s", e.getMessage());
            }
            Instant now = Instant.now();
            if (json) {
                out.println(JsonReport.JSON.writeValueAsString(all.stream().map(TokenCommand::describe).toList()));
                return ExitCode.OK.code();
            }
            String format = "%-24s %-9s %-24s %-22s %s%n";
            out.printf(format, "NAME", "ROLE", "NODES", "EXPIRES", "SHA256");
            for (Credential c : all) {
                out.printf(format, c.name(), c.role().word(), c.nodes().isEmpty() ? "-" : String.join(",", c.nodes()),
                        c.expires().map(e -> e + (c.expiredAt(now) ? " (expired)" : "")).orElse("never"),
                        c.sha256().substring(0, 12));
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Remove the credentials of NAME (all of them, or only the one whose hash starts with --sha256, the "
                        + "old token of a rotation). Instances stop accepting it within a second or two and close "
                        + "its agent connections."
            },
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh token revoke --file credentials.yaml t-001",
                "  nvmesh token revoke --file credentials.yaml r1 --sha256 3fa94c2b01d7", "",
                "Exit codes: 0 revoked, 1 nothing matched or the file is not valid, 2 usage error.%n"})
    static final class Revoke implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--file", paramLabel = "FILE", description = "The credentials file.")
        Path file;

        @Parameters(index = "0", paramLabel = "NAME", description = "Whose credentials to remove.")
        String name;

        @Option(names = "--sha256", paramLabel = "PREFIX", description = "Only the credential whose token hash "
                + "starts with PREFIX (see `token list`).")
        String sha256;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            Path target = existingFile(file);
            List<Credential> gone;
            try {
                gone = CredentialsEdit.revoke(target, name, Optional.ofNullable(sha256));
            } catch (IllegalArgumentException e) {
                throw CommandException.problems("%s", e.getMessage());
            }
            if (gone.isEmpty()) {
                throw CommandException.problems("no credential named %s%s in %s", name,
                        sha256 == null ? "" : " with a hash starting " + sha256, target);
            }
            out.println("revoked " + gone.size() + " credential" + (gone.size() == 1 ? "" : "s") + " of " + name
                    + " in " + target);
            return ExitCode.OK.code();
        }
    }

    static boolean outputIsJson(String output) {
        return switch (output) {
            case "json" -> true;
            case "text" -> false;
            default -> throw CommandException.usage("-o: \"%s\" is not a format (text, json)", output);
        };
    }

    static Map<String, Object> describe(Credential c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("role", c.role().word());
        m.put("nodes", c.nodes());
        m.put("expires", c.expires().map(Instant::toString).orElse(null));
        m.put("sha256", c.sha256());
        return m;
    }

    /** {@code 90d}, {@code 12h}, {@code 30m}, {@code 2027-06-01} or an ISO instant; empty for none. */
    static Optional<Instant> expiry(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.trim();
        try {
            if (t.matches("\\d{1,6}[dhm]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                Duration d = switch (t.charAt(t.length() - 1)) {
                    case 'd' -> Duration.ofDays(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofMinutes(n);
                };
                return Optional.of(now.plus(d));
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return Optional.of(LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            return Optional.of(Instant.parse(t));
        } catch (DateTimeParseException e) {
            throw CommandException.usage("--expires: \"%s\" is neither a duration (90d, 12h, 30m) nor a date "
                    + "(2027-06-01, 2027-06-01T00:00:00Z)", text);
        }
    }

    private static void writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        } catch (UnsupportedOperationException e) {
            try {
                Files.writeString(file, text);
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        } catch (IOException e) {
            throw CommandException.problems("cannot write %s: %s", file, e.getMessage());
        }
    }
}
