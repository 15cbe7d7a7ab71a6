package io.nvmesh.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitStatusTest {

    @Test
    void aChildThatExitsByItselfEndsWithItsCode() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "exit 3").start();
        p.waitFor();

        assertThat(ExitStatus.of(p)).hasToString("code 3");
        assertThat(ExitStatus.of(p).bySignal()).isFalse();
    }

    @Test
    void aChildKilledBySignalEndsWithTheSignalsNumberAndName() throws Exception {
        Process killed = new ProcessBuilder("sleep", "300").start();
        killed.destroyForcibly().waitFor();
        Process terminated = new ProcessBuilder("sleep", "300").start();
        terminated.destroy();
        terminated.waitFor();

        assertThat(ExitStatus.of(killed)).hasToString("signal 9 (KILL)");
        assertThat(ExitStatus.of(terminated)).hasToString("signal 15 (TERM)");
    }
}
