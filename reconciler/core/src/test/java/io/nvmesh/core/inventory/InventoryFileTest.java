package io.nvmesh.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.schema.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InventoryFileTest {

    private static InventoryFile.Result parse(String yaml) {
        return InventoryFile.parse("inv.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTargetsDrivesAndClientsWithDefaults() {
        InventoryFile.Result r = parse("""
                apiVersion: nvmesh.io/v1
                kind: Inventory
                targets:
                  - id: t1
                    labels: {rack: r1}
                    drives:
                      - serial: S1
                        capacity: 3.84TB
                      - serial: S2
                        capacity: 1TiB
                        health: failed
                        labels: {model: PM9A3}
                  - id: t2
                    health: unhealthy
                clients:
                  - id: app-1
                """);

        assertThat(r.problems()).isEmpty();
        Inventory inv = r.inventory().orElseThrow();
        assertThat(inv.targets()).hasSize(2);
        assertThat(inv.drive("S1").orElseThrow().capacity()).isEqualTo(3_840_000_000_000L);
        assertThat(inv.drive("S1").orElseThrow().health()).isEqualTo(DriveHealth.OK);
        assertThat(inv.drive("S2").orElseThrow().health()).isEqualTo(DriveHealth.FAILED);
        assertThat(inv.targets().get(1).health()).isEqualTo(TargetHealth.UNHEALTHY);
        assertThat(inv.clients()).singleElement().satisfies(c -> assertThat(c.id()).isEqualTo("app-1"));
    }

    @Test
    void collectsEveryProblemWithItsLineAndColumn() {
        InventoryFile.Result r = parse("""
                apiVersion: nvmesh.io/v1
                kind: Inventry
                targets:
                  - id: t1
                    color: blue
                    drives:
                      - serial: S1
                        capacity: lots
                      - serial: S1
                        capacity: 1TiB
                  - id: ../etc
                """);

        assertThat(r.inventory()).isEmpty();
        assertThat(r.problems()).extracting(Problem::render).containsExactly(
                "inv.yaml:2:7: kind: \"Inventry\" is not Inventory",
                "inv.yaml:5:5: targets[0]: unknown field \"color\" (known: drives, health, id, labels)",
                "inv.yaml:8:19: targets[0].drives[0].capacity: \"lots\" is not a size (use e.g. 500GiB, 2TB)",
                "inv.yaml:9:17: targets[0].drives[1].serial: drive S1 is listed twice (also targets[0].drives[0])",
                "inv.yaml:11:9: targets[1].id: \"../etc\" is not a valid id (letters, digits, '.', '_' and '-', "
                        + "starting with a letter or digit)");
    }

    @Test
    void labelsFollowTheManifestRules() {
        InventoryFile.Result r = parse("""
                apiVersion: nvmesh.io/v1
                kind: Inventory
                targets:
                  - id: t1
                    labels: {zone: "<b>a</b>", "bad key": x}
                clients:
                  - id: c1
                    labels: {team: "\\e[31mred"}
                """);

        assertThat(r.inventory()).isEmpty();
        assertThat(r.problems()).extracting(Problem::render).containsExactly(
                "inv.yaml:5:13: targets[0].labels: \"bad key\" is not a label key (an optional DNS prefix and '/', "
                        + "then 1-63 of A-Z a-z 0-9 - _ . starting and ending with a letter or digit)",
                "inv.yaml:5:20: targets[0].labels.zone: \"<b>a</b>\" is not a label value (at most 63 of A-Z a-z 0-9 "
                        + "- _ . starting and ending with a letter or digit)",
                "inv.yaml:8:20: clients[0].labels.team: \"\u001b[31mred\" is not a label value (at most 63 of A-Z "
                        + "a-z 0-9 - _ . starting and ending with a letter or digit)");
    }

    @Test
    void syntaxErrorsPointAtTheirPlace() {
        InventoryFile.Result r = parse("targets:\n  - id: [unclosed\n");

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).startsWith("YAML syntax error");
        });
    }

    @Test
    void theSampleFleetIsValid() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of("../../samples/inventory/fleet.yaml"));

        InventoryFile.Result r = InventoryFile.parse("fleet.yaml", bytes);

        assertThat(r.problems()).isEmpty();
        assertThat(r.inventory().orElseThrow().targets()).hasSize(20);
    }
}
