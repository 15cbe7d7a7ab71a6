package io.nvmesh.service.host;

import java.util.List;

/**
 * Runs a host tool ({@code dmsetup}, {@code nvme}, {@code mdadm}). The agent's only way to run a program: the real
 * one starts processes ({@link ProcessRunner}); tests give one that records every invocation and answers as the tool
 * would.
 */
interface CommandRunner {

    /** What a program said. */
    record Result(int exitCode, String stdout, String stderr) {
        public Result {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }

        public boolean ok() {
            return exitCode == 0;
        }

        public static Result ok(String stdout) {
            return new Result(0, stdout, "");
        }

        public static Result failed(int code, String stderr) {
            return new Result(code, "", stderr);
        }
    }

    /**
     * Runs {@code argv} with {@code stdin} on its standard input and waits for it. A program that is not installed
     * is a result with exit code 127, as a shell says it, not an exception.
     */
    Result run(List<String> argv, String stdin);

    default Result run(String... argv) {
        return run(List.of(argv), "");
    }
}
