package io.nvmesh.cli;

import io.nvmesh.cli.remote.ControlCharacters;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;

/** One rendered problem per line, then one summary line. */
final class TextReport {

    private TextReport() {
    }

    static void write(ValidationReport report, PrintWriter out) {
        for (Problem p : report.problems()) {
            out.println(ControlCharacters.escape(p.render()));
        }
        out.println(summary(report));
    }

    /** {@code 37 manifests in 12 files: valid} or {@code 37 manifests, 2 problems in 1 file}. */
    static String summary(ValidationReport report) {
        String manifests = count(report.manifestCount(), "manifest");
        if (report.valid()) {
            return manifests + " in " + count(report.fileCount(), "file") + ": valid";
        }
        return manifests + ", " + count(report.problems().size(), "problem") + " in "
                + count(report.filesWithProblems().size(), "file");
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
