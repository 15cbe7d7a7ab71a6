package io.nvmesh.cli.remote;

import io.nvmesh.api.InventoryJson;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Tables with aligned columns, JSON and YAML of records and plain Java values. */
final class Rendering {

    private Rendering() {
    }

    static void table(PrintWriter out, List<String> headers, List<List<String>> unsafeRows) {
        // Escaped before measuring, so that columns stay aligned when a cell held a control character.
        List<List<String>> rows = unsafeRows.stream().map(r -> r.stream().map(ControlCharacters::escape).toList())
                .toList();
        int[] width = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            width[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                sb.append(row.get(i));
                if (i < row.size() - 1) {
                    sb.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static void json(PrintWriter out, Object value) {
        out.println(ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    static void yaml(PrintWriter out, Object value) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        // Records (the API's, the status) become the maps and lists SnakeYAML writes, in the same order as the JSON.
        out.print(new Yaml(o).dump(ServerClient.JSON.convertValue(value, Object.class)));
    }

    /** {@code 1.5TiB}, {@code 100GiB}, {@code 0}: binary units, at most one decimal. */
    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return b + "B";
        }
        return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v))
                + units[u];
    }

    /**
     * A target's health as people read it: {@code degraded: 1 drive failed}, the worse of its own and its drives'
     * ({@code overallHealth} and {@code overallReason} of the API); its own {@code health} from a server that
     * predates them.
     */
    static String targetHealth(InventoryJson.TargetJson target) {
        if (target.overallHealth().isEmpty()) {
            return target.health();
        }
        return target.overallReason().isEmpty() ? target.overallHealth()
                : target.overallHealth() + ": " + target.overallReason();
    }

}
