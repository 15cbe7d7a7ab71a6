package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.core.reconcile.DesiredApply;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard in a real headless Chromium, driven by the system's chromedriver: two instances with their reconcile
 * loops on one bare repository seeded with {@code samples/} exactly as {@code nvmesh demo} does (20 volumes of six
 * layouts), and the simulated fleet of {@code samples/inventory/fleet.yaml} (20 targets x 8 drives). The page must
 * show the API's numbers, draw a volume's copies on distinct racks, and turn a target red when one of its drives
 * fails. Screenshots and measurements go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path OUT = Path.of("target", "screenshots");
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** Shorter than the page's 30 s safety refresh: only an event can turn the row red in time. */
    private static final Duration LIVE_BOUND = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The samples, from the module's folder (where Surefire runs). */
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();
    /** Mirrored-fast: raid10 across racks, so several groups of two copies each. */
    static final String VOLUME = "pg-payments-01";
    /** Erasure coding 8+2: one group of ten segments, wider than the window. */
    static final String WIDE_VOLUME = "lake-archive-2024";
    static final int SAMPLE_VOLUMES = 20;

    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private StateStore store;
    private TestCluster cluster;
    private SimulatedFleet fleet;
    private ChromeDriver browser;
    private URI base;

    @BeforeAll
    void start(@TempDir Path data) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the dashboard's end-to-end tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "): `apt-get install -y chromium chromium-driver` (.ci/run installs them)");
        }
        Files.createDirectories(OUT);
        Path repo = data.resolve("state.git");
        store = closeLater(StateStore.openOrCreate(repo));
        Path inventory = SAMPLES.resolve("inventory/fleet.yaml");
        Inventory shape = InventoryFile.parse(inventory.toString(), Files.readAllBytes(inventory)).inventory()
                .orElseThrow();
        cluster = closeLater(new TestCluster(2, INTERVAL, 3, data, repo.toString(), Duration.ofMillis(300)))
                .startAll();
        await().atMost(BOUND).untilAsserted(() -> cluster.running().forEach(n ->
                assertThat(n.view().live()).isEqualTo(List.of("r1", "r2"))));
        AgentRuntime runtime = closeLater(AgentRuntime.start("dashboard-test"));
        fleet = closeLater(SimulatedFleet.of(shape, 7));
        fleet.connect(runtime, cluster.urls(), TestCluster.AGENT);
        // The samples are applied once the whole fleet is recorded, so that every volume is placed against the whole
        // inventory (docs/allocation.md, "Known limit") and the numbers on screen are those of the full fleet.
        await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(recorded().inventory().targets()).hasSize(shape.targets().size()));
        DesiredApply.apply(store, "main", LocalManifests.read(List.of(SAMPLES.toString()), SAMPLES), false,
                Optional.empty(), "test: the samples", new Author("test", "test@example.com"));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.volumes().values()).hasSize(SAMPLE_VOLUMES).allSatisfy(v ->
                    assertThat(v.status()).as(v.name() + ": " + v.reason()).isEqualTo(VolumeStatus.ONLINE));
        });
        base = cluster.url("r1");
        browser = chromium();
        closing.push(browser::quit);
    }

    static ChromeDriver chromium() throws IOException {
        Path profile = Files.createTempDirectory("nvmesh-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    @AfterAll
    void stop() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    /** Closed in reverse order of start by {@link #stop}, whichever got started before a failure. */
    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    @Test
    @Order(1)
    void overviewShowsTheApisNumbersAndTheFirstLoadStaysSmallAndLocal() throws Exception {
        browser.get(base + "/");
        signIn(TestCluster.READ);
        await().atMost(BOUND).untilAsserted(() -> assertThat(value("volumes.all")).isEqualTo(SAMPLE_VOLUMES));

        // Every gauge and count on screen equals what the API answers now (counters settle, so retry until both agree).
        await().atMost(BOUND).untilAsserted(() -> {
            JsonNode capacity = get("/v1/capacity");
            for (String field : List.of("total", "free", "allocated", "redundant")) {
                assertThat(value("cluster." + field)).as("cluster " + field)
                        .isEqualTo(capacity.get("cluster").get(field).asLong());
            }
            for (Map.Entry<String, JsonNode> d : capacity.get("domains").properties()) {
                assertThat(value("domain." + d.getKey() + ".free")).as(d.getKey())
                        .isEqualTo(d.getValue().get("free").asLong());
            }
            for (Map.Entry<String, JsonNode> c : capacity.get("driveClasses").properties()) {
                assertThat(value("class." + c.getKey() + ".allocated")).as(c.getKey())
                        .isEqualTo(c.getValue().get("allocated").asLong());
            }
            for (JsonNode member : get("/v1/cluster").get("members")) {
                String id = member.get("id").asString();
                JsonNode agents = member.get("agents");
                assertThat(value("agents.targets." + id)).as(id).isEqualTo(agents.get("targets").asLong());
                assertThat(value("agents.clients." + id)).as(id).isEqualTo(agents.get("clients").asLong());
            }
            JsonNode volumes = get("/v1/volumes");
            assertThat(value("volumes.all")).isEqualTo(volumes.get("count").asLong());
            assertThat(value("volumes.online")).isEqualTo(volumes.get("count").asLong());
        });
        // Nothing is degraded or failed yet: no banner.
        assertThat(js("return document.getElementById('banner').hidden")).isEqualTo(true);
        screenshot("overview");

        // First load: the page, its assets and the API answers the overview needs, as the browser fetched them.
        List<Map<String, Object>> entries = resourceEntries();
        long total = 0;
        StringBuilder lines = new StringBuilder();
        for (Map<String, Object> e : entries) {
            String name = (String) e.get("name");
            assertThat(name).as("no request leaves the cluster").startsWith(base.toString());
            long size = ((Number) e.get("transferSize")).longValue();
            total += size;
            lines.append(String.format("%8d  %s%n", size, name.substring(base.toString().length())));
        }
        lines.append(String.format("%8d  total (bytes transferred, headers included)%n", total));
        Files.writeString(OUT.resolve("first-load.txt"), lines.toString());
        System.out.print("dashboard first load:\n" + lines);
        assertThat(entries).extracting(e -> ((String) e.get("name")).substring(base.toString().length()))
                .contains("/", "/ui/app.js", "/ui/uplot.js", "/ui/app.css", "/ui/uplot.css");
        assertThat(total).as("first load in bytes").isLessThanOrEqualTo(300 * 1024);

        HttpResponse<String> page = raw("/", null);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).startsWith("default-src 'self'"));
    }

    @Test
    @Order(2)
    void aBadTokenIsRefusedAndAGoodOneIsKeptInThisTabOnly() {
        browser.get(base + "/");
        if (browser.findElement(By.id("signout")).isDisplayed()) {
            browser.findElement(By.id("signout")).click();
        }
        signIn("not-a-token-but-long-enough");
        await().atMost(BOUND).untilAsserted(() -> assertThat(browser.findElement(By.id("signin-error")).getText())
                .contains("not valid"));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
        signIn(TestCluster.READ);
        await().atMost(BOUND).until(() -> browser.findElement(By.id("app")).isDisplayed());
        assertThat(js("return sessionStorage.getItem('nvmesh.token')")).isEqualTo(TestCluster.READ);
        assertThat(js("return localStorage.length")).isEqualTo(0L);
    }

    @Test
    @Order(3)
    void aVolumesDetailDrawsEachGroupsCopiesOnDistinctRacks() throws Exception {
        JsonNode volume = get("/v1/volumes/" + VOLUME);
        int segments = volume.get("segments").size();
        open("#/volumes/" + VOLUME);
        await().atMost(BOUND).untilAsserted(() -> assertThat(browser.findElements(
                By.cssSelector("#volume-layout g.seg"))).hasSize(segments));
        // Read in one script: the drawing is replaced when an event about the volume or its targets arrives.
        @SuppressWarnings("unchecked")
        List<List<String>> racksByGroup = (List<List<String>>) js("return [...document.querySelectorAll("
                + "'#volume-layout g.group')].map(g => [...g.querySelectorAll('g.seg')].map(s => s.dataset.rack))");
        assertThat(racksByGroup).isNotEmpty();
        for (List<String> racks : racksByGroup) {
            assertThat(racks).as("racks of one group").hasSizeGreaterThan(1).doesNotHaveDuplicates()
                    .allSatisfy(r -> assertThat(r).matches("r[0-9]+"));
        }
        Set<String> serials = new HashSet<>();
        volume.get("segments").forEach(s -> serials.add(s.get("serial").asString()));
        @SuppressWarnings("unchecked")
        Set<String> drawn = new HashSet<>((List<String>) js("return [...document.querySelectorAll("
                + "'#volume-layout g.seg')].map(s => s.dataset.serial)"));
        assertThat(drawn).isEqualTo(serials);
        assertThat(js("return document.querySelector(\"[data-fact='spread over']\").textContent")).isEqualTo("rack");
        // Its performance, estimated from its targets' reports, is charted (uPlot draws on canvases).
        await().atMost(BOUND).untilAsserted(() -> assertThat(browser.findElements(
                By.cssSelector("#volume-charts canvas"))).hasSizeGreaterThanOrEqualTo(3));
        await().atMost(BOUND).untilAsserted(() -> assertThat(get("/v1/performance/volumes/" + VOLUME).get("series")
                .get("at").size()).isGreaterThan(2));
        screenshot("volume-detail");
    }

    @Test
    @Order(4)
    void aDriveFailedInTheFleetTurnsItsTargetRedWithoutAReload() throws Exception {
        open("#/targets");
        await().atMost(BOUND).untilAsserted(() -> assertThat(browser.findElements(
                By.cssSelector("#target-rows tr.target"))).hasSize(20));
        assertThat(browser.findElement(By.id("range")).getText()).isEqualTo("1–20 of 20");
        assertThat(browser.findElements(By.cssSelector("#target-rows tr.failed"))).isEmpty();

        // A target the other instance owns: its event must be routed to the instance the page is connected to.
        String target = fleet.statuses().entrySet().stream().filter(e -> e.getKey().startsWith("tgt-")
                && e.getValue().owner().equals("r2")).map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        String serial = browser.findElement(By.cssSelector("tr[data-target='" + target + "'] .drive"))
                .getDomAttribute("data-serial");
        String owner = fleet.statuses().get(target).owner();
        // The page is subscribed on r1; the target's owner must know it, so the event is routed there.
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(browser.findElement(By.id("live")).getDomAttribute("class")).doesNotContain("off");
            assertThat(owner.equals("r1") || cluster.node(owner).events().peerWants("r1", "target/" + target))
                    .isTrue();
        });

        long started = System.nanoTime();
        fleet.failDrive(serial);
        // Rows are replaced as events arrive: read them in one script each, never through a held element.
        await().atMost(LIVE_BOUND).pollInterval(Duration.ofMillis(25)).untilAsserted(() -> assertThat(js(
                "return document.querySelector(\"tr[data-target='" + target + "']\").className")).asString()
                .contains("failed"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        // Its health reads degraded with the reason, not "healthy" (the target itself still answers).
        assertThat(js("return document.querySelector(\"tr[data-target='" + target + "'] td.health\").dataset.health"))
                .isEqualTo("degraded: 1 drive failed");
        assertThat(browser.findElement(By.cssSelector("#view-targets .legend")).getText())
                .contains("A · after it: as recorded");
        assertThat(js("const d = document.querySelector(\".drive[data-serial='" + serial + "']\");"
                + "return d.className + ' ' + getComputedStyle(d).backgroundColor")).asString()
                .contains("health-failed").endsWith("rgb(212, 53, 28)");
        String line = String.format("failed drive %s on %s (owner %s, page on r1): row red after %d ms%n", serial,
                target, owner, millis);
        Files.writeString(OUT.resolve("measurements.txt"), line, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.print(line);
        screenshot("failed-drive");

        // The filter finds it, and "problems only" keeps just that target.
        browser.findElement(By.id("problems")).click();
        await().atMost(BOUND).untilAsserted(() -> assertThat(js("return [...document.querySelectorAll("
                + "'#target-rows tr.target')].map(r => r.dataset.target)")).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly(target));
        browser.findElement(By.id("problems")).click();

        // Its own page lists the failed drive and charts the target's reports.
        open("#/targets/" + target);
        await().atMost(BOUND).ignoreException(StaleElementReferenceException.class).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector("#target-drives tr[data-serial='" + serial + "'] .health"))
                    .getText()).isEqualTo("failed");
            assertThat(browser.findElement(By.cssSelector("[data-fact='health']")).getText())
                    .isEqualTo("degraded: 1 drive failed");
            assertThat(browser.findElements(By.cssSelector("#target-charts canvas"))).hasSizeGreaterThanOrEqualTo(3);
        });
        screenshot("target-detail");
    }

    @Test
    @Order(5)
    void aFailedDriveRaisesTheHealthBannerWithALinkToItsTarget() throws Exception {
        open("#/overview");
        await().atMost(BOUND).untilAsserted(() -> assertThat(value("volumes.all")).isEqualTo(SAMPLE_VOLUMES));
        // A target none of whose drives has failed yet, owned by the instance the page is not connected to.
        String target = fleet.statuses().entrySet().stream().filter(e -> e.getKey().startsWith("tgt-")
                && e.getValue().owner().equals("r2")).map(Map.Entry::getKey).sorted()
                .filter(id -> !get("/v1/fleet/targets?id=" + id).get("items").get(0).get("overallHealth").asString()
                        .equals("degraded")).findFirst().orElseThrow();
        String serial = get("/v1/fleet/targets?id=" + target).get("items").get(0).get("drives").get(0).get("serial")
                .asString();
        assertThat(browser.findElements(By.cssSelector("#banner a[data-target='" + target + "']"))).isEmpty();
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(browser.findElement(By.id("live")).getDomAttribute("class")).doesNotContain("off"));

        fleet.failDrive(serial);
        await().atMost(LIVE_BOUND).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(js(
                "const a = document.querySelector(\"#banner a[data-target='" + target + "']\");"
                        + "return a && !document.getElementById('banner').hidden ? a.parentElement.textContent : ''"))
                .asString().contains(target + " (degraded: 1 drive failed)"));
        assertThat(browser.findElement(By.id("banner")).getDomAttribute("class")).contains("bad");
        assertThat(browser.findElement(By.cssSelector("#banner [data-banner='drives']")).getText())
                .contains("failed drive");
        // The overview counts targets with their drives: the same figure as the fleet's.
        await().atMost(BOUND).untilAsserted(() -> assertThat(value("servers.target.degraded")).isEqualTo(
                get("/v1/fleet/targets?problems=true").get("overall").get("degraded").asLong()));
        screenshot("health-banner");

        browser.findElement(By.cssSelector("#banner a[data-target='" + target + "']")).click();
        await().atMost(BOUND).ignoreException(StaleElementReferenceException.class).untilAsserted(() ->
                assertThat(browser.findElement(By.cssSelector("[data-fact='health']")).getText())
                        .isEqualTo("degraded: 1 drive failed"));
    }

    @Test
    @Order(6)
    void theCapacityHistoryIsChartedFromTheInstancesSamples() throws Exception {
        await().atMost(BOUND).untilAsserted(() -> assertThat(get("/v1/capacity/history").get("series").get("at")
                .size()).isGreaterThanOrEqualTo(2));
        open("#/overview");
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(js("return Number(document.getElementById('capacity-history').dataset.points || 0)"))
                    .asInstanceOf(InstanceOfAssertFactories.LONG).isGreaterThanOrEqualTo(2L);
            assertThat(browser.findElements(By.cssSelector("#capacity-history canvas"))).isNotEmpty();
        });
        // uPlot holds the points it draws: free, allocated and redundant, each with a value at every sample.
        @SuppressWarnings("unchecked")
        List<Object> series = (List<Object>) js("return [...document.querySelectorAll("
                + "'#capacity-history .u-legend .u-series .u-label')].map(l => l.textContent.trim())");
        assertThat(series).contains("free", "allocated", "redundant");
        js("document.getElementById('capacity-history').scrollIntoView()");
        screenshot("capacity-history");
    }

    @Test
    @Order(7)
    void aTenSegmentGroupScrollsInsideItsCardNotThePage() throws Exception {
        open("#/volumes/" + WIDE_VOLUME);
        await().atMost(BOUND).untilAsserted(() -> assertThat(js("return Math.max(0, ...[...document.querySelectorAll("
                + "'#volume-layout g.group')].map(g => g.querySelectorAll('g.seg').length))"))
                .isEqualTo(10L));
        assertThat(js("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
                .as("the page does not scroll sideways").isEqualTo(true);
        assertThat(js("const l = document.getElementById('volume-layout'); return l.scrollWidth > l.clientWidth"))
                .as("the drawing scrolls inside its card").isEqualTo(true);
        screenshot("wide-layout");
    }

    @Test
    @Order(8)
    void theSignInButtonReadsOnOneLine() throws Exception {
        browser.get(base + "/");
        await().atMost(BOUND).until(() -> browser.findElement(By.id("signin")).isDisplayed()
                || browser.findElement(By.id("signout")).isDisplayed());
        if (browser.findElement(By.id("signout")).isDisplayed()) {
            browser.findElement(By.id("signout")).click();
        }
        await().atMost(BOUND).until(() -> browser.findElement(By.id("signin")).isDisplayed());
        // One line box per line of text: a wrapped label has two.
        assertThat(js("const r = document.createRange(); r.selectNodeContents(document.getElementById("
                + "'signin-button')); return r.getClientRects().length")).isEqualTo(1L);
        screenshot("sign-in");
    }

    // ---- helpers ----

    /** Opens a view of the page, signing in with the read token unless this tab already holds one. */
    private void open(String hash) {
        browser.get(base + "/" + hash);
        signIn(TestCluster.READ);
        await().atMost(BOUND).until(() -> browser.findElement(By.id("app")).isDisplayed());
    }

    private void signIn(String token) {
        await().atMost(BOUND).until(() -> browser.findElement(By.id("signin")).isDisplayed()
                || browser.findElement(By.id("app")).isDisplayed());
        if (browser.findElement(By.id("app")).isDisplayed()) {
            return;
        }
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("signin-button")).click();
    }

    /** The exact value behind a number on screen, read in one script (events may re-render it meanwhile). */
    private long value(String key) {
        Object v = js("const e = document.querySelectorAll(\"[data-key='" + key + "']\");"
                + "return e.length === 1 ? e[0].dataset.value : 'found ' + e.length;");
        assertThat(v).as("one number on screen for " + key).asString().matches("-?[0-9]+");
        return Long.parseLong((String) v);
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> resourceEntries() {
        return (List<Map<String, Object>>) js("return performance.getEntriesByType('navigation')"
                + ".concat(performance.getEntriesByType('resource'))"
                + ".map(e => ({name: e.name, transferSize: e.transferSize}))");
    }

    private void screenshot(String name) throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, OUT.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private JsonNode get(String path) {
        try {
            return getChecked(path);
        } catch (Exception e) {
            throw new IllegalStateException(path + ": " + e.getMessage(), e);
        }
    }

    private JsonNode getChecked(String path) throws Exception {
        HttpResponse<String> r = raw(path, TestCluster.READ);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> raw(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }
}
