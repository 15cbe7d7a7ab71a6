package io.nvmesh.service.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.config.AuditConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AuditLogTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void rotationBySizeKeepsAtMostKeepFilesAndNeverSplitsALine() throws IOException {
        Path file = dir.resolve("audit").resolve("audit.log");
        try (AuditLog log = AuditLog.open(new AuditConfig(file, 2048, 3), "test")) {
            for (int i = 0; i < 200; i++) {
                log.record(entry("write", "ops-" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 200);
        }

        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("audit.log", "audit.log.1", "audit.log.2");
        }
        for (String name : List.of("audit.log", "audit.log.1", "audit.log.2")) {
            Path p = file.resolveSibling(name);
            assertThat(Files.size(p)).as(name).isLessThanOrEqualTo(2048);
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                assertThat(JSON.readTree(line).get("kind").asString()).isEqualTo("write");
            }
        }
        // The newest line is in the current file, and the files follow each other in order.
        List<String> current = Files.readAllLines(file);
        assertThat(JSON.readTree(current.get(current.size() - 1)).get("caller").asString()).isEqualTo("ops-199");
        List<String> previous = Files.readAllLines(file.resolveSibling("audit.log.1"));
        int lastBefore = Integer.parseInt(JSON.readTree(previous.get(previous.size() - 1)).get("caller").asString()
                .substring(4));
        int firstNow = Integer.parseInt(JSON.readTree(current.get(0)).get("caller").asString().substring(4));
        assertThat(firstNow).isEqualTo(lastBefore + 1);
    }

    @Test
    void aLineIsJsonWhateverItsTextHoldsAndLeavesOutWhatIsUnknown() throws IOException {
        Path file = dir.resolve("a.log");
        try (AuditLog log = AuditLog.open(new AuditConfig(file, 1 << 20, 2), "test")) {
            log.record(new AuditEntry(Instant.parse("2030-01-02T03:04:05Z"), AuditEntry.AUTH_REFUSED, "anonymous",
                    null, "[::1]:4000", "GET", "/v1/volumes/{name}", 401, null, "unauthorized",
                    "quote \" backslash \\ newline \n escape \u001b end"));
            await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 1);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.get("time").asString()).isEqualTo("2030-01-02T03:04:05Z");
        assertThat(line.get("status").asInt()).isEqualTo(401);
        assertThat(line.get("detail").asString()).isEqualTo("quote \" backslash \\ newline \n escape \u001b end");
        assertThat(line.has("role")).isFalse();
        assertThat(line.has("close")).isFalse();
    }

    @Test
    void aReopenedLogAppends() throws IOException {
        Path file = dir.resolve("b.log");
        for (int round = 0; round < 2; round++) {
            try (AuditLog log = AuditLog.open(new AuditConfig(file, 1 << 20, 2), "test")) {
                log.record(entry("write", "round-" + round));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 1);
            }
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    private static AuditEntry entry(String kind, String caller) {
        return new AuditEntry(Instant.now(), kind, caller, "admin", "127.0.0.1:5000", "POST", "/v1/hooks/git", 202,
                null, null, null);
    }
}
