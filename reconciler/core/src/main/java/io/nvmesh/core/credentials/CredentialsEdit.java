package io.nvmesh.core.credentials;

import io.nvmesh.schema.Problem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The changes {@code nvmesh token} makes to a credentials file: each reads the file, changes it and writes it back
 * atomically, under a lock beside it so that two changes at once do not lose one. Instances pick the change up by
 * themselves.
 */
public final class CredentialsEdit {

    /** A credential just made, with its token: shown once, never stored. */
    public record Created(Credential credential, String token) {
    }

    private CredentialsEdit() {
    }

    /** The credentials in a file; a missing file holds none. */
    public static Credentials read(Path file) {
        if (!Files.exists(file)) {
            return Credentials.none();
        }
        CredentialsFile.Result r = CredentialsFile.read(file);
        if (r.credentials().isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", r.problems().stream().map(Problem::render).toList()));
        }
        return r.credentials().get();
    }

    /**
     * Adds a credential with a new random token. A name that exists already gets a second token of the same role
     * (rotation: the old one works until it is revoked).
     *
     * @throws IllegalArgumentException when the file does not read or the credential breaks a rule
     */
    public static Created create(Path file, String name, Role role, List<String> nodes, Optional<Instant> expires)
            throws IOException {
        String token = Credential.newToken();
        Credential made = new Credential(name, role, nodes, Credential.hash(token), expires);
        try (FileLock ignored = lock(file)) {
            List<Credential> all = new ArrayList<>(read(file).all());
            all.add(made);
            CredentialsFile.write(file, Credentials.of(all));
        }
        return new Created(made, token);
    }

    /**
     * Removes the credentials of {@code name}: all of them, or only those whose hash starts with {@code sha256Prefix}
     * (the old token of a rotation).
     *
     * @return what was removed; empty when nothing matched (the file is then left as it was)
     */
    public static List<Credential> revoke(Path file, String name, Optional<String> sha256Prefix) throws IOException {
        try (FileLock ignored = lock(file)) {
            List<Credential> keep = new ArrayList<>();
            List<Credential> gone = new ArrayList<>();
            for (Credential c : read(file).all()) {
                boolean match = c.name().equals(name) && sha256Prefix.map(c.sha256()::startsWith).orElse(true);
                (match ? gone : keep).add(c);
            }
            if (!gone.isEmpty()) {
                CredentialsFile.write(file, Credentials.of(keep));
            }
            return gone;
        }
    }

    private static FileLock lock(Path file) throws IOException {
        Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.lock();
            return new FileLock(channel, 0, Long.MAX_VALUE, false) {
                @Override
                public boolean isValid() {
                    return lock.isValid();
                }

                @Override
                public void release() throws IOException {
                    try {
                        lock.release();
                    } finally {
                        channel.close();
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
