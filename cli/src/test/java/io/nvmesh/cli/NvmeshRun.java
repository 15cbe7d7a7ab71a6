package io.nvmesh.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One in-process run of {@code nvmesh}: its exit code and what it wrote. */
record NvmeshRun(int exitCode, String out, String err) {

    static NvmeshRun of(String... args) {
        return withStdin("", args);
    }

    static NvmeshRun withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = Nvmesh.run(in, new PrintWriter(out), new PrintWriter(err), args);
        return new NvmeshRun(code, out.toString(), err.toString());
    }
}
