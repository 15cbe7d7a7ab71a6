package io.nvmesh.service.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-source limits of the HTTP listener (a source is a remote IP address). The defaults are far above what a
 * dashboard, the CLIs, three peers and a thousand agents behind one address ever do; tests set them low.
 *
 * @param authFailures         failed authentications from one source within {@code authFailureWindow} before it is
 *                             locked out
 * @param authFailureWindow    the window failures are counted in
 * @param authLockout          how long a locked-out source gets {@code 429} on every route that needs a credential
 * @param expensivePerSecond   requests per second one source may make to the expensive (offloaded) read routes
 * @param expensiveBurst       how many of those may come at once before the rate applies
 * @param connectionsPerSource open connections (HTTP and WebSocket) one source may hold
 */
public record LimitsConfig(int authFailures, Duration authFailureWindow, Duration authLockout,
                           int expensivePerSecond, int expensiveBurst, int connectionsPerSource) {

    public static final LimitsConfig DEFAULTS = new LimitsConfig(50, Duration.ofMinutes(1), Duration.ofMinutes(1),
            50, 100, 2_000);

    public LimitsConfig {
        Objects.requireNonNull(authFailureWindow, "authFailureWindow");
        Objects.requireNonNull(authLockout, "authLockout");
        positive("limits.authFailures", authFailures);
        positive("limits.expensivePerSecond", expensivePerSecond);
        positive("limits.expensiveBurst", expensiveBurst);
        positive("limits.connectionsPerSource", connectionsPerSource);
        if (authFailureWindow.toMillis() < 1 || authLockout.toMillis() < 1) {
            throw new IllegalArgumentException("limits.authFailureWindow and limits.authLockout must be positive");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
