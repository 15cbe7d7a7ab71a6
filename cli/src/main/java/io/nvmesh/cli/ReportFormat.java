package io.nvmesh.cli;

import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;

/** The formats {@code nvmesh validate -o} writes; the names are what users type. */
enum ReportFormat {
    text(TextReport::write),
    json(JsonReport::write),
    junit(JunitReport::write),
    github(GithubReport::write),
    sarif(SarifReport::write);

    private final Writer writer;

    ReportFormat(Writer writer) {
        this.writer = writer;
    }

    void write(ValidationReport report, PrintWriter out) {
        writer.write(report, out);
        out.flush();
    }

    @FunctionalInterface
    interface Writer {
        void write(ValidationReport report, PrintWriter out);
    }
}
