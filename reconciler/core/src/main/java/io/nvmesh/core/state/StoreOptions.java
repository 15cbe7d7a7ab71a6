package io.nvmesh.core.state;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a store behaves: the writer's name (used for the jitter seed and reported in errors), its retry policy, how old
 * a lock file must be before it is treated as left behind by a crashed writer, the network timeout, optional
 * HTTPS credentials for a remote, and for an SSH remote the key to log in with and the known host keys.
 */
public record StoreOptions(
        String writerId,
        RetryPolicy retry,
        Duration staleLockAfter,
        Duration networkTimeout,
        Optional<HttpCredentials> credentials,
        Optional<SshAccess> ssh) {

    public static final Duration DEFAULT_STALE_LOCK_AFTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

    public StoreOptions {
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(staleLockAfter, "staleLockAfter");
        Objects.requireNonNull(networkTimeout, "networkTimeout");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(ssh, "ssh");
        if (writerId.isBlank()) {
            throw new IllegalArgumentException("writerId is blank");
        }
        if (staleLockAfter.isNegative() || staleLockAfter.isZero()) {
            throw new IllegalArgumentException(String.format("staleLockAfter must be positive, was %s", staleLockAfter));
        }
        if (networkTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException(
                    String.format("networkTimeout must be at least 1s, was %s", networkTimeout));
        }
    }

    /** Defaults for a writer: retry policy seeded by its name, 30 s stale-lock threshold, 30 s network timeout. */
    public static StoreOptions forWriter(String writerId) {
        return new StoreOptions(writerId, RetryPolicy.forWriter(writerId), DEFAULT_STALE_LOCK_AFTER,
                DEFAULT_NETWORK_TIMEOUT, Optional.empty(),
                Optional.empty());
    }

    public StoreOptions withRetry(RetryPolicy policy) {
        return new StoreOptions(writerId, policy, staleLockAfter, networkTimeout, credentials, ssh);
    }

    public StoreOptions withStaleLockAfter(Duration threshold) {
        return new StoreOptions(writerId, retry, threshold, networkTimeout, credentials, ssh);
    }

    public StoreOptions withCredentials(String username, String secret) {
        return new StoreOptions(writerId, retry, staleLockAfter, networkTimeout,
                Optional.of(new HttpCredentials(username, secret)), ssh);
    }

    /** How an {@code ssh://} (or {@code user@host:path}) remote is reached; see {@link SshAccess}. */
    public StoreOptions withSsh(SshAccess access) {
        return new StoreOptions(writerId, retry, staleLockAfter, networkTimeout, credentials,
                Optional.of(access));
    }

    /** User name and password or token for an HTTPS remote. */
    public record HttpCredentials(String username, String secret) {
        public HttpCredentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "HttpCredentials[username=" + username + ", secret=***]";
        }
    }
}
