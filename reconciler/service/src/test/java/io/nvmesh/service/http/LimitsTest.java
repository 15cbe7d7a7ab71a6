package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.config.AuditConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.LimitsConfig;

import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/**
 * A real instance with low limits, called from two loopback addresses: 127.0.0.2 misbehaves and gets 429 problems
 * with Retry-After, 127.0.0.1 carries on.
 */
class LimitsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BAD = "127.0.0.2";
    private static final String GOOD = "127.0.0.1";

    @TempDir
    Path dir;
    private ReconcilerNode node;
    private URI base;

    @BeforeEach
    void start() {
        InstanceConfig config = InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(TestAuth.single())
                .withAudit(new AuditConfig(dir.resolve("audit.log"), 1 << 20, 2))
                .withLimits(new LimitsConfig(3, Duration.ofMinutes(1), Duration.ofMinutes(5), 1, 2, 3));
        node = ReconcilerNode.start(config);
        base = node.url();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void aSourceFailingToAuthenticateTooOftenIsLockedOutWhileOthersCarryOn() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(RawHttp.send(BAD, base, "GET", "/v1/instance", "guess-" + i + "-0000000000000", null)
                    .status()).isEqualTo(401);
        }

        // Locked out: even the right token is refused, before it is looked at.
        RawHttp.Answer locked = RawHttp.send(BAD, base, "GET", "/v1/instance", TestAuth.READ, null);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 300);
        assertThat(JSON.readTree(locked.body()).get("type").asString()).isEqualTo(
                "urn:nvmesh:problem:too-many-failures");
        // Public routes stay open to it; another source is not affected.
        assertThat(RawHttp.send(BAD, base, "GET", "/healthz", null, null).status()).isEqualTo(200);
        assertThat(RawHttp.send(GOOD, base, "GET", "/v1/instance", TestAuth.READ, null).status()).isEqualTo(200);

        assertThat(limitRefusals("auth-failures")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(dir.resolve("audit.log")).stream()
                .anyMatch(l -> l.contains("\"kind\":\"locked-out\"") && l.contains("\"source\":\"127.0.0.2:")));
    }

    @Test
    void expensiveEndpointsAreRateLimitedPerSourceAndCheapOnesAreNot() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        RawHttp.Answer refused = null;
        for (int i = 0; i < 6; i++) {
            RawHttp.Answer a = RawHttp.send(BAD, base, "GET", "/v1/capacity", TestAuth.READ, null);
            statuses.add(a.status());
            if (a.status() == 429) {
                refused = a;
            }
        }

        assertThat(statuses).as("a burst of 2 at 1 per second").contains(429).startsWith(200, 200);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(JSON.readTree(refused.body()).get("status").asInt()).isEqualTo(429);
        assertThat(RawHttp.send(BAD, base, "GET", "/v1/instance", TestAuth.READ, null).status()).isEqualTo(200);
        assertThat(RawHttp.send(GOOD, base, "GET", "/v1/capacity", TestAuth.READ, null).status()).isEqualTo(200);
        assertThat(limitRefusals("expensive")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void connectionsBeyondTheLimitOfASourceAreAnsweredWith429AndClosed() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(RawHttp.open(BAD, base));
            }
            // The server counts a connection when its acceptor takes it, a moment after our connect returned: a
            // fourth connection may be let through before the third is counted. It is refused once they are.
            java.util.concurrent.atomic.AtomicReference<RawHttp.Answer> answer = new java.util.concurrent.atomic
                    .AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                answer.set(RawHttp.send(BAD, base, "GET", "/v1/instance", TestAuth.READ, null));
                return answer.get().status() == 429;
            });
            RawHttp.Answer fourth = answer.get();
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.header("Connection")).isEqualTo("close");
            assertThat(fourth.header("Retry-After")).isEqualTo("1");
            assertThat(RawHttp.send(GOOD, base, "GET", "/v1/instance", TestAuth.READ, null).status())
                    .isEqualTo(200);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // Once they are closed, the source may connect again.
        await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.send(BAD, base, "GET", "/v1/instance",
                TestAuth.READ, null).status() == 200);
        assertThat(limitRefusals("connections")).isGreaterThanOrEqualTo(1);
    }

    private long limitRefusals(String limit) throws Exception {
        String metrics = RawHttp.send(GOOD, base, "GET", "/metrics", TestAuth.READ, null).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("nvmesh_limit_refusals_total{limit=\"" + limit + "\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no nvmesh_limit_refusals_total for " + limit + " in\n" + metrics);
    }
}
