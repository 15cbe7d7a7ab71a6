package io.nvmesh.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The alert table of docs/metrics.md names exactly the alerts that samples/prometheus/alerts.yml defines. */
class AlertDocsTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();

    @Test
    @SuppressWarnings("unchecked")
    void theMetricsPageListsEverySampleAlertAndNoOther() throws IOException {
        Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(ROOT.resolve("samples/prometheus/alerts.yml")));
        Set<String> defined = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                defined.add(String.valueOf(rule.get("alert")));
            }
        }
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(Nvmesh[A-Za-z]+)` \\|").matcher(
                Files.readString(ROOT.resolve("docs/metrics.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(defined).hasSizeGreaterThanOrEqualTo(7);
        assertThat(documented).isEqualTo(defined);
    }
}
