package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class NvmeshTest {

    @Test
    void printsTheVersion() {
        NvmeshRun run = NvmeshRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("nvmesh ");
    }

    @Test
    void versionIsACommandToo() {
        NvmeshRun run = NvmeshRun.of("version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(NvmeshRun.of("--version").out()).startsWith("nvmesh ");
    }

    @Test
    void helpListsTheCommandsWithExamples() {
        NvmeshRun run = NvmeshRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("validate", "schema", "Examples:", "Exit codes:");
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithoutAStackTrace() {
        NvmeshRun run = NvmeshRun.of("validate", "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: Unknown option: '--frobnicate'").doesNotContain("at io.nvmesh");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(NvmeshRun.of().exitCode()).isEqualTo(2);
    }

    @Test
    void mapsEachFailureToItsExitCodeInOnePlace() {
        assertThat(Failures.exitCode(CommandException.usage("x"))).isEqualTo(ExitCode.USAGE);
        assertThat(Failures.exitCode(CommandException.problems("x"))).isEqualTo(ExitCode.PROBLEMS);
        assertThat(Failures.exitCode(new java.nio.file.NoSuchFileException("f"))).isEqualTo(ExitCode.USAGE);
        assertThat(Failures.exitCode(new java.io.IOException("disk"))).isEqualTo(ExitCode.PROBLEMS);
        assertThat(Failures.exitCode(new IllegalStateException("bug"))).isEqualTo(ExitCode.INTERNAL);
    }

    @Test
    void anInternalErrorIsOneLineUnlessStacktraceIsAsked() {
        StringWriter err = new StringWriter();
        int code = new Failures().handleExecutionException(new IllegalStateException("boom"),
                new picocli.CommandLine(new Nvmesh(System.in)).setErr(new PrintWriter(err)), null);

        assertThat(code).isEqualTo(3);
        assertThat(err.toString()).startsWith("internal error: java.lang.IllegalStateException: boom")
                .contains("--stacktrace").doesNotContain("\tat ");
    }

    @Test
    void stacktraceOptionIsAcceptedAfterTheSubcommand() {
        NvmeshRun run = NvmeshRun.of("validate", "--stacktrace", "no/such/path");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: no such file or directory: no/such/path").contains("\tat ");
    }

    @Test
    void schemaListsKindsAndPrintsOne() {
        NvmeshRun list = NvmeshRun.of("schema");
        NvmeshRun one = NvmeshRun.of("schema", "volumepolicy");
        NvmeshRun unknown = NvmeshRun.of("schema", "Pod");

        assertThat(list.out()).contains("Volume           https://nvmesh.io/schemas/v1/volume.schema.json",
                "ReconcilerConfig https://nvmesh.io/schemas/v1/reconciler-config.schema.json",
                "Credentials      https://nvmesh.io/schemas/v1/credentials.schema.json");
        assertThat(JsonReport.JSON.readTree(one.out()).path("title").asString()).isEqualTo("VolumePolicy");
        assertThat(JsonReport.JSON.readTree(NvmeshRun.of("schema", "inventory").out()).path("title").asString())
                .isEqualTo("Inventory");
        // The five manifest kinds and the four other files.
        assertThat(JsonReport.JSON.readTree(NvmeshRun.of("schema", "--all").out()).size()).isEqualTo(9);
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("error: unknown kind \"Pod\"");
    }
}
