package io.nvmesh.service.auth;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.schema.Problem;
import io.nvmesh.service.config.AuthConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The credentials this instance accepts now: those of its configuration plus those of the credentials file, read
 * again when the file changes (its modification time, size or identity). A file that no longer reads keeps the
 * credentials it had: a typo must not lock every caller out; the failure is logged, counted and shown by {@link
 * #lastError()}. Listeners hear of every change, so open sessions of a revoked caller can be closed.
 */
public final class CredentialSource {

    private static final System.Logger LOG = System.getLogger(CredentialSource.class.getName());
    /** A file is looked at no more often than this from the request path; {@link #poll()} looks at once. */
    static final long CHECK_EVERY_MILLIS = 250;

    private final Credentials fixed;
    private final Optional<Path> file;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Credentials current;
    private volatile String stamp = "";
    private volatile long checkedAt;
    private volatile String lastError = "";

    private CredentialSource(Credentials fixed, Optional<Path> file, Clock clock) {
        this.fixed = fixed;
        this.file = file;
        this.clock = clock;
        this.current = fixed;
    }

    /**
     * Reads the credentials of a configuration.
     *
     * @throws IllegalArgumentException when the credentials file cannot be read or is not valid (the message lists
     *                                  every problem, one per line, with file:line:column)
     */
    public static CredentialSource load(AuthConfig auth) {
        return load(auth, Clock.systemUTC());
    }

    public static CredentialSource load(AuthConfig auth, Clock clock) {
        CredentialSource source = new CredentialSource(auth.credentials(), auth.credentialsFile(), clock);
        if (auth.credentialsFile().isPresent()) {
            String problem = source.reload();
            if (!problem.isEmpty()) {
                throw new IllegalArgumentException(problem);
            }
        }
        return source;
    }

    /** The caller a bearer token belongs to, if it is known and not expired. */
    public Optional<Caller> authenticate(String token) {
        if (file.isPresent() && clock.millis() - checkedAt >= CHECK_EVERY_MILLIS) {
            poll();
        }
        return current.lookup(token, clock.instant()).map(Caller::of);
    }

    /**
     * The caller a verified client certificate names, if a credential with that name and role is in force (for an
     * agent: one that speaks for every node the certificate names). The caller speaks for the certificate's nodes only.
     */
    public Optional<Caller> authenticate(io.nvmesh.core.certs.CertificateName name) {
        if (file.isPresent() && clock.millis() - checkedAt >= CHECK_EVERY_MILLIS) {
            poll();
        }
        Instant now = clock.instant();
        for (Credential c : current.all()) {
            if (c.name().equals(name.name()) && c.role() == name.role() && !c.expiredAt(now)
                    && name.nodes().stream().allMatch(n -> Credential.matchesAny(c.nodes(), n))) {
                return Optional.of(new Caller(name.name(), name.role(), name.nodes()));
            }
        }
        return Optional.empty();
    }

    /** True while a caller authenticated earlier still holds a credential with the same rights (sessions ask). */
    public boolean stillHolds(Caller caller) {
        Instant now = clock.instant();
        for (Credential c : current.all()) {
            if (c.name().equals(caller.name()) && c.role() == caller.role() && !c.expiredAt(now)
                    && (c.nodes().containsAll(caller.nodes())
                        || caller.nodes().stream().allMatch(n -> Credential.matchesAny(c.nodes(), n)))) {
                return true;
            }
        }
        return false;
    }

    /** Reads the file again if it changed since the last look; listeners hear of a change. */
    public void poll() {
        if (file.isEmpty()) {
            return;
        }
        checkedAt = clock.millis();
        if (!stampOf(file.get()).equals(stamp)) {
            reload();
        }
    }

    private synchronized String reload() {
        Path path = file.orElseThrow();
        String seen = stampOf(path);
        CredentialsFile.Result read = CredentialsFile.read(path);
        String problem = String.join("\n", read.problems().stream().map(Problem::render).toList());
        if (read.credentials().isEmpty()) {
            stamp = seen;
            if (!problem.equals(lastError)) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "credentials not reloaded, the previous ones stay in force: "
                        + problem);
            }
            lastError = problem;
            return problem;
        }
        if (!stamp.isEmpty() && read.credentials().get().all().isEmpty() && !current.all().isEmpty()
                && blank(path)) {
            // A file truncated by an editor, a half-finished copy or `> file` would revoke every caller at once,
            // the instances' peers too; revoking all takes `credentials: []`, written on purpose.
            stamp = seen;
            String why = path + ": the file is empty; the " + current.all().size() + " credentials read before stay"
                    + " in force (write `credentials: []` to revoke every credential of the file)";
            if (!why.equals(lastError)) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "credentials not reloaded: " + why);
            }
            lastError = why;
            return why;
        }
        Credentials next;
        try {
            next = fixed.plus(read.credentials().get());
        } catch (IllegalArgumentException e) {
            stamp = seen;
            failures.incrementAndGet();
            lastError = path + ": " + e.getMessage();
            LOG.log(System.Logger.Level.ERROR, "credentials not reloaded: " + lastError);
            return lastError;
        }
        boolean first = stamp.isEmpty();
        stamp = seen;
        lastError = "";
        current = next;
        for (Credential c : next.all()) {
            if (c.isWildcard() && first) {
                LOG.log(System.Logger.Level.WARNING, "agent credential " + c.name() + " may speak for nodes "
                        + c.nodes() + ": meant for simulators; give each real host its own credential");
            }
        }
        if (!first) {
            reloads.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "credentials reloaded from " + path + ": " + next.all().size()
                    + " credentials");
            listeners.forEach(Runnable::run);
        }
        return "";
    }

    /** Whether the file holds nothing but white space (an empty file reads as no credentials). */
    private static boolean blank(Path path) {
        try {
            return new String(Files.readAllBytes(path), java.nio.charset.StandardCharsets.UTF_8).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    private static String stampOf(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    /**
     * Looks at the file every {@code interval} on a daemon thread, so that a revocation reaches open sessions even
     * when no new request comes. Closing the returned handle stops it.
     */
    public AutoCloseable pollEvery(java.time.Duration interval, String name) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "nvmesh-credentials-" + name);
                    t.setDaemon(true);
                    return t;
                });
        timer.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "reading the credentials failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    /** Called after every reload that changed the credentials. */
    public void addListener(Runnable onChange) {
        listeners.add(Objects.requireNonNull(onChange));
    }

    public Credentials current() {
        return current;
    }

    /** Why the last reload failed; empty when the file read well. */
    public String lastError() {
        return lastError;
    }

    public long reloads() {
        return reloads.get();
    }

    public long reloadFailures() {
        return failures.get();
    }
}
