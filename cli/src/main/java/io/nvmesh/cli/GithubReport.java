package io.nvmesh.cli;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;

/** GitHub Actions workflow commands: each problem becomes an annotation on the pull request's diff. */
final class GithubReport {

    private GithubReport() {
    }

    static void write(ValidationReport report, PrintWriter out) {
        for (Problem p : report.problems()) {
            StringBuilder line = new StringBuilder("::error file=").append(property(p.file()));
            if (p.line() > 0) {
                line.append(",line=").append(p.line());
                if (p.column() > 0) {
                    line.append(",col=").append(p.column());
                }
            }
            line.append(",title=").append(property("nvmesh validate"));
            out.println(line.append("::").append(data(withoutFile(p))));
        }
        out.println(TextReport.summary(report));
    }

    private static String withoutFile(Problem p) {
        return new Problem("", 0, 0, p.object(), p.path(), p.message()).render().substring(2);
    }

    /** Escapes a message as GitHub's runner expects. */
    static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }
}
