package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code nvmesh reconciler} hands its options to the service's {@code ReconcilerMain} in a child JVM (whose
 * {@code --check} is tested in the service module, {@code ConfigCheckTest}); here: that it hands them on.
 */
class ReconcilerCommandTest {

    @Test
    void checkIsPassedToTheChild() {
        ReconcilerCommand c = new ReconcilerCommand();
        new CommandLine(c).parseArgs("--config", "/etc/nvmesh/r1.yaml", "--check");

        assertThat(c.childArgs()).containsExactly("--config", "/etc/nvmesh/r1.yaml", "--check");
    }

    @Test
    void withoutCheckTheChildRunsTheInstance() {
        ReconcilerCommand c = new ReconcilerCommand();
        new CommandLine(c).parseArgs("--config", "r1.yaml");

        assertThat(c.childArgs()).containsExactly("--config", "r1.yaml");
    }
}
