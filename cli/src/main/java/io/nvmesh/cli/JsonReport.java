package io.nvmesh.cli;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Machine-readable report. {@code formatVersion} changes only when a field is removed or changes meaning; new
 * fields may appear in any version.
 */
final class JsonReport {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonReport() {
    }

    static void write(ValidationReport report, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", 1);
        root.put("valid", report.valid());
        root.put("files", report.fileCount());
        root.put("manifests", report.manifestCount());
        ArrayNode problems = root.putArray("problems");
        for (Problem p : report.problems()) {
            problems.addObject()
                    .put("file", p.file())
                    .put("line", p.line())
                    .put("column", p.column())
                    .put("object", p.object())
                    .put("path", p.path())
                    .put("message", p.message())
                    .put("text", p.render());
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
