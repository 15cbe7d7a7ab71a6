package io.nvmesh.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.TestRepo;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.counters.CounterKeys;
import io.nvmesh.service.counters.CounterWorld;
import io.nvmesh.service.metrics.PrometheusText.Family;
import io.nvmesh.service.metrics.PrometheusText.Sample;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code GET /metrics} of a real instance (Jetty on port 0, a bare repository, a simulated fleet) parses as
 * Prometheus text, carries the families docs/metrics.md lists with the values the instance holds, and the sample
 * alert rules use only series the endpoint exports.
 */
class MetricsEndpointTest {

    private static final String READ = "read-token-0000000000001";
    private static final String ADMIN = "admin-token-000000000001";
    private static final String AGENT = io.nvmesh.service.TestAuth.AGENT;
    private static final Author TEST = new Author("test", "test@example.com");
    private static final Path SAMPLES = Path.of(System.getProperty("user.dir")).resolve("../../samples/prometheus")
            .normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path data;

    @Test
    void anInstanceExportsReconcileOwnershipAgentEventAndJvmFamiliesAndTheAlertsUseOnlyThose() throws Exception {
        Path bare = data.resolve("desired.git");
        try (StateStore origin = StateStore.openOrCreate(bare)) {
            TestRepo.of(origin).desired().put("volumes.yaml", """
                    apiVersion: nvmesh.io/v1
                    kind: VolumePolicy
                    metadata:
                      name: mirror
                    spec:
                      layout: raid1
                      mirrors: 1
                      protection: full
                    ---
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata:
                      name: first
                    spec:
                      policy: mirror
                      capacity: 10GiB
                      deletionProtection: false
                    """).commit();
        }
        InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                .withAuth(io.nvmesh.service.TestAuth.single())
                .withGit(bare.toString(), "main", Duration.ofMillis(200));
        try (ReconcilerNode node = ReconcilerNode.start(config);
             SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(3, 2, 1, 5))) {
            fleet.connect(List.of(node.url()), AGENT);
            await().atMost(Duration.ofSeconds(60)).until(() -> node.agents().connectionCounts()
                    .equals(Map.of("targets", 3, "clients", 1)) && node.reconcile().orElseThrow().results().stream()
                    .anyMatch(r -> r.outcome().equals("recorded")));
            node.events().publish("volume/first", "test", Map.of("n", 1));
            // The loop keeps a pass's result before its listeners (the metrics among them) hear of it.
            await().atMost(Duration.ofSeconds(10)).until(() -> value(PrometheusText.parse(get(node, "/metrics", READ,
                    null).body()).get("nvmesh_reconcile_pass_duration_seconds"),
                    "nvmesh_reconcile_pass_duration_seconds_count", Map.of()) >= 1);

            HttpResponse<String> r = get(node, "/metrics", READ, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/plain").contains("version=0.0.4"));
            Map<String, Family> families = PrometheusText.parse(r.body());

            Family duration = families.get("nvmesh_reconcile_pass_duration_seconds");
            assertThat(duration.type()).isEqualTo("histogram");
            double passes = value(duration, "nvmesh_reconcile_pass_duration_seconds_count", Map.of());
            assertThat(passes).isGreaterThanOrEqualTo(1);
            List<Double> buckets = duration.samples().stream().filter(s -> s.name().endsWith("_bucket"))
                    .map(Sample::value).toList();
            assertThat(buckets).isSorted().last().isEqualTo(passes);
            assertThat(value(duration, "nvmesh_reconcile_pass_duration_seconds_sum", Map.of())).isNotNegative();

            Family outcomes = families.get("nvmesh_reconcile_passes_total");
            assertThat(outcomes.type()).isEqualTo("counter");
            assertThat(value(outcomes, "nvmesh_reconcile_passes_total", Map.of("outcome", "recorded")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(outcomes.samples()).extracting(x -> x.labels().get("outcome")).as("every outcome, 0 included")
                    .contains("recorded", "unchanged", "no-desired", "invalid", "gave-up", "failed");
            // Passes keep running (every 200 ms) while a scrape reads one family after the other: the two counts
            // may differ by the pass or two that finished in between.
            assertThat(outcomes.samples().stream().mapToDouble(Sample::value).sum()).isCloseTo(passes, within(2.0));
            assertThat(value(families.get("nvmesh_reconcile_cas_retries_total"), "nvmesh_reconcile_cas_retries_total",
                    Map.of())).isNotNegative();
            Family packs = families.get("nvmesh_state_packs_total");
            assertThat(packs.type()).isEqualTo("counter");
            assertThat(packs.samples()).extracting(x -> x.labels().get("outcome")).as("every pack outcome, at 0")
                    .containsExactlyInAnyOrder("packed", "busy", "refused", "failed");
            assertThat(families.get("nvmesh_state_pack_duration_seconds").type()).isEqualTo("histogram");

            assertThat(value(families.get("nvmesh_owned_keys"), "nvmesh_owned_keys", Map.of("space", "volume")))
                    .as("the only instance owns the one volume").isEqualTo(1);
            Family connections = families.get("nvmesh_agent_connections");
            assertThat(value(connections, "nvmesh_agent_connections", Map.of("kind", "target"))).isEqualTo(3);
            assertThat(value(connections, "nvmesh_agent_connections", Map.of("kind", "client"))).isEqualTo(1);

            assertThat(value(families.get("nvmesh_events_published_total"), "nvmesh_events_published_total",
                    Map.of())).isGreaterThanOrEqualTo(1);
            assertThat(families).containsKeys("nvmesh_events_sent_total", "nvmesh_events_received_total",
                    "nvmesh_events_delivered_total", "nvmesh_events_dropped_total");
            assertThat(families.get("nvmesh_events_dropped_total").samples()).extracting(s -> s.labels()
                    .get("reason")).containsExactlyInAnyOrder("unwanted", "replaced", "peer");

            for (VolumeStatus s : VolumeStatus.values()) {
                assertThat(families.get("nvmesh_volumes").samples()).as("every status is reported")
                        .anyMatch(x -> x.labels().equals(Map.of("status", s.wireName())));
            }
            assertThat(families).containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_classes_currently_loaded",
                    "process_cpu_seconds_total");
            assertThat(value(families.get("jvm_memory_used_bytes"), "jvm_memory_used_bytes", Map.of("area", "heap")))
                    .isPositive();

            alertsUseOnlyExportedSeries(families);
        }
    }

    @Test
    void clusterCountersBecomeLabelledGaugesWithTheirTotals() throws Exception {
        InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                .withAuth(io.nvmesh.service.TestAuth.single());
        try (ReconcilerNode node = ReconcilerNode.start(config)) {
            CounterWorld world = CounterWorld.generate(6, 3, 2, 17);
            world.createVolumes(4);
            node.ownership().setKeys(world.keys());
            node.counters().contributeFrom(world);
            Map<String, Long> expected = world.expectedTotals();
            await().atMost(Duration.ofSeconds(30)).until(() -> node.counters().totals().equals(expected));

            Map<String, Family> families = PrometheusText.parse(get(node, "/metrics", READ, null).body());

            Family bytes = families.get("nvmesh_capacity_bytes");
            assertThat(bytes.type()).isEqualTo("gauge");
            for (String field : CounterKeys.FIELDS) {
                assertThat(value(bytes, "nvmesh_capacity_bytes", Map.of("field", field, "scope", "cluster")))
                        .isEqualTo(expected.getOrDefault(CounterKeys.bytes(field, "cluster"), 0L).doubleValue());
            }
            assertThat(value(bytes, "nvmesh_capacity_bytes", Map.of("field", "total", "scope", "cluster")))
                    .isPositive();
            assertThat(value(bytes, "nvmesh_capacity_bytes", Map.of("field", "free", "scope", "domain", "name",
                    "rack=r1"))).isEqualTo(expected.get(CounterKeys.bytes("free", "domain/rack=r1")).doubleValue());
            assertThat(value(families.get("nvmesh_drives"), "nvmesh_drives", Map.of("health", "ok")))
                    .isEqualTo(18);
            assertThat(value(families.get("nvmesh_servers"), "nvmesh_servers", Map.of("kind", "target",
                    "health", "healthy"))).isEqualTo(6);
            Family volumes = families.get("nvmesh_volumes");
            expected.forEach((key, n) -> {
                if (key.startsWith("volumes/")) {
                    assertThat(value(volumes, "nvmesh_volumes", Map.of("status", key.substring(8))))
                            .isEqualTo(n.doubleValue());
                }
            });
            assertThat(volumes.samples().stream().mapToDouble(Sample::value).sum()).isEqualTo(4);
            // Every counter total shows up exactly once across the counter families.
            long exported = families.values().stream().filter(f -> Set.of("nvmesh_capacity_bytes", "nvmesh_servers",
                    "nvmesh_drives", "nvmesh_counter").contains(f.name())).mapToLong(f -> f.samples().size()).sum();
            long zeroClusterFields = CounterKeys.FIELDS.stream()
                    .filter(f -> !expected.containsKey(CounterKeys.bytes(f, "cluster"))).count();
            long volumeKeys = expected.keySet().stream().filter(k -> k.startsWith("volumes/")).count();
            assertThat(exported).isEqualTo(expected.size() - volumeKeys + zeroClusterFields);
        }
    }

    @Test
    void metricsNeedAReadTokenAndSpeakOpenMetricsWhenAsked() throws Exception {
        InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                .withAuth(io.nvmesh.service.TestAuth.single());
        try (ReconcilerNode node = ReconcilerNode.start(config)) {
            assertThat(get(node, "/metrics", null, null).statusCode()).isEqualTo(401);
            assertThat(get(node, "/metrics", "not-a-token-000000000000", null).statusCode()).isEqualTo(401);
            assertThat(get(node, "/metrics", ADMIN, null).statusCode()).isEqualTo(200);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(node.url().resolve("/metrics"))
                    .header("Authorization", "Bearer " + READ).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET");

            HttpResponse<String> om = get(node, "/metrics", READ,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(om.statusCode()).isEqualTo(200);
            assertThat(om.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/openmetrics-text"));
            assertThat(om.body()).contains("# TYPE nvmesh_reconcile_cas_retries counter").endsWith("# EOF\n");
            // The instance's API routes are untouched by the metrics handler in front of them.
            assertThat(get(node, "/v1/cluster", READ, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theStrictReaderRefusesWhatIsNotPrometheusText() {
        String ok = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\\\"\"} 2\n";
        assertThat(PrometheusText.parse(ok).get("a_total").samples()).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("x", "1\""));
        for (String bad : List.of(
                "a_total 1\n",                                                    // no TYPE
                "# TYPE a counter\nb 1\n",                                        // another family's sample
                "# TYPE a gauge\na{x=1} 1\n",                                     // unquoted label value
                "# TYPE a gauge\na one\n",                                        // not a number
                "# TYPE a gauge\na 1\na 2\n",                                     // the same series twice
                "# TYPE a gauge\na 1",                                            // no final line feed
                "# TYPE a gauge\n# TYPE a gauge\n",                               // TYPE twice
                "# TYPE a histogram\na 1\n")) {                                   // a histogram sample is _bucket ...
            assertThatThrownBy(() -> PrometheusText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Every {@code nvmesh_*} series an alert selects exists in the exposition, with each label matcher ({@code =}) met
     * by some sample; the scrape file scrapes /metrics with a bearer token and loads the rules.
     */
    @SuppressWarnings("unchecked")
    private static void alertsUseOnlyExportedSeries(Map<String, Family> families) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> rules = yaml.load(Files.readString(SAMPLES.resolve("alerts.yml")));
        List<String> exprs = new ArrayList<>();
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                exprs.add(String.valueOf(rule.get("expr")));
                alerts.add(String.valueOf(rule.get("alert")));
            }
        }
        assertThat(alerts).contains("NvmeshInstanceDown", "NvmeshVolumesDegraded", "NvmeshCapacityLow");
        List<Sample> samples = families.values().stream().flatMap(f -> f.samples().stream()).toList();
        Pattern selector = Pattern.compile("(nvmesh_[a-z0-9_]+)(\\{([^}]*)})?");
        Pattern matcher = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"\\s*");
        int selectors = 0;
        for (String expr : exprs) {
            Matcher m = selector.matcher(expr);
            while (m.find()) {
                selectors++;
                String name = m.group(1);
                List<Sample> series = samples.stream().filter(s -> s.name().equals(name)).toList();
                assertThat(series).as("series %s of alert expression %s", name, expr).isNotEmpty();
                if (m.group(3) == null) {
                    continue;
                }
                for (String part : m.group(3).split(",")) {
                    Matcher lm = matcher.matcher(part);
                    assertThat(lm.matches()).as("label matcher %s", part).isTrue();
                    String label = lm.group(1);
                    assertThat(series).as("%s has label %s", name, label)
                            .anyMatch(s -> s.labels().containsKey(label));
                    if (lm.group(2).equals("=")) {
                        assertThat(series).as("%s{%s=\"%s\"}", name, label, lm.group(3))
                                .anyMatch(s -> lm.group(3).equals(s.labels().get(label)));
                    }
                }
            }
        }
        assertThat(selectors).isGreaterThanOrEqualTo(4);

        Map<String, Object> prometheus = yaml.load(Files.readString(SAMPLES.resolve("prometheus.yml")));
        assertThat((List<String>) prometheus.get("rule_files")).contains("alerts.yml");
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        assertThat(job.get("metrics_path")).isEqualTo("/metrics");
        assertThat((Map<String, Object>) job.get("authorization")).containsEntry("type", "Bearer");
        List<Map<String, Object>> statics = (List<Map<String, Object>>) job.get("static_configs");
        assertThat((List<String>) statics.get(0).get("targets")).hasSize(3);
    }

    private static double value(Family f, String sample, Map<String, String> labels) {
        assertThat(f).as("family of %s", sample).isNotNull();
        return f.samples().stream().filter(s -> s.name().equals(sample) && s.labels().entrySet()
                .containsAll(labels.entrySet())).mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no " + sample + labels + " in " + f.samples()));
    }

    private static HttpResponse<String> get(ReconcilerNode node, String path, String token, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.url().resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

}
