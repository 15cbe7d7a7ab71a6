package io.nvmesh.cli;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A minimal SARIF 2.1.0 log (GitHub code scanning, IDEs): one result per problem. */
final class SarifReport {

    private SarifReport() {
    }

    static void write(ValidationReport report, PrintWriter out) {
        ObjectNode log = JsonReport.JSON.createObjectNode();
        log.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        log.put("version", "2.1.0");
        ObjectNode run = log.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "nvmesh");
        driver.put("informationUri", "https://nvmesh.io/docs/validate");
        String version = Nvmesh.class.getPackage().getImplementationVersion();
        if (version != null) {
            driver.put("version", version);
        }
        ObjectNode rule = driver.putArray("rules").addObject();
        rule.put("id", "nvmesh/invalid-manifest");
        rule.putObject("shortDescription").put("text", "A manifest does not pass nvmesh validate");
        ArrayNode results = run.putArray("results");
        for (Problem p : report.problems()) {
            ObjectNode result = results.addObject();
            result.put("ruleId", "nvmesh/invalid-manifest");
            result.put("level", "error");
            result.putObject("message").put("text", p.render());
            ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
            physical.putObject("artifactLocation").put("uri", p.file().replace('\\', '/'));
            if (p.line() > 0) {
                ObjectNode region = physical.putObject("region");
                region.put("startLine", p.line());
                if (p.column() > 0) {
                    region.put("startColumn", p.column());
                }
            }
        }
        out.println(JsonReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(log));
    }
}
