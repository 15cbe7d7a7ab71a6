package io.nvmesh.service.metrics;

import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.counters.CounterKeys;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.EventStats;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.reconcile.PackRun;
import io.nvmesh.api.PassResult;
import io.nvmesh.service.reconcile.ReconcileLoop;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The metrics of one reconciler instance, in a registry of its own (never the client's global default: tests run
 * several instances in one JVM). Pass results are pushed in by the reconcile loop; everything else is read when
 * scraped, so a scrape always shows the current ownership, connections, counters and event totals.
 *
 * <p>Counter keys ({@link CounterKeys}) become labelled families: {@code bytes/free/domain/rack=r1} is
 * {@code nvmesh_capacity_bytes{field="free",scope="domain",name="rack=r1"}}, {@code servers/target/healthy} is
 * {@code nvmesh_servers{kind="target",health="healthy"}}, {@code drives/failed} is {@code nvmesh_drives{health=
 * "failed"}}, {@code volumes/degraded} is {@code nvmesh_volumes{status="degraded"}}; any other key is
 * {@code nvmesh_counter{key="..."}}. Counters are cluster-wide totals, so every instance reports the same values.
 */
public final class InstanceMetrics {

    /** A scrape: the exposition format chosen from the Accept header, and its bytes. */
    public record Scrape(String contentType, byte[] body) {
    }

    /** Reconcile passes take from milliseconds (nothing changed) to tens of seconds (thousands of placements). */
    private static final double[] PASS_SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    /** The outcomes of {@link PassResult#outcome()}. */
    private static final List<String> OUTCOMES = List.of("recorded", "unchanged", "no-desired", "invalid", "gave-up",
            "failed");

    /** A pack takes from a fraction of a second (a few thousand objects) to minutes (hundreds of thousands). */
    private static final double[] PACK_SECONDS = {0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800};

    /** The outcomes of {@link PackRun#outcome()}. */
    private static final List<String> PACK_OUTCOMES = List.of("packed", "busy", "refused", "failed");

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final OpenMetricsTextFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram passSeconds;
    private final Counter passes;
    private final Counter casRetries;
    private final Histogram packSeconds;
    private final Counter packs;
    private final RefusalCounts refusals = new RefusalCounts();

    private InstanceMetrics() {
        passSeconds = Histogram.builder().name("nvmesh_reconcile_pass_duration_seconds")
                .help("Duration of reconcile passes of this instance, whatever their outcome.")
                .classicOnly().classicUpperBounds(PASS_SECONDS).register(registry);
        passes = Counter.builder().name("nvmesh_reconcile_passes")
                .help("Reconcile passes of this instance by outcome: recorded, unchanged, no-desired, invalid, "
                        + "gave-up, failed.")
                .labelNames("outcome").register(registry);
        casRetries = Counter.builder().name("nvmesh_reconcile_cas_retries")
                .help("Compare-and-swap retries of reconcile commits on the state ref (another writer moved it).")
                .register(registry);
        packSeconds = Histogram.builder().name("nvmesh_state_pack_duration_seconds")
                .help("Duration of this instance's scheduled packs of the repository that packed (git.packInterval).")
                .classicOnly().classicUpperBounds(PACK_SECONDS).register(registry);
        packs = Counter.builder().name("nvmesh_state_packs")
                .help("Scheduled packs of the repository by this instance, by outcome: packed, busy (another run "
                        + "held it), refused (a state ref is lost or unreadable), failed.")
                .labelNames("outcome").register(registry);
    }

    /**
     * The registry of one instance: reconcile passes (when it has a loop), owned keys, agent connections, counters,
     * events and the JVM.
     */
    public static InstanceMetrics register(String self, OwnershipTable ownership, AgentHub agents, Counters counters,
                                           Optional<ReconcileLoop> reconcile, EventHub events) {
        return register(self, ownership, agents, counters, reconcile, events, Optional.empty());
    }

    /** As above, with the refusals and reloads of the instance's credentials. */
    public static InstanceMetrics register(String self, OwnershipTable ownership, AgentHub agents, Counters counters,
                                           Optional<ReconcileLoop> reconcile, EventHub events,
                                           Optional<CredentialSource> credentials) {
        InstanceMetrics m = new InstanceMetrics();
        PrometheusRegistry r = m.registry;
        credentials.ifPresent(c -> registerCredentials(r, c));
        GaugeWithCallback.builder().name("nvmesh_owned_keys")
                .help("Keys this instance owns now, by space (volume ...). A node's agent connects only to the "
                        + "node's owner, so owned nodes are nvmesh_agent_connections.")
                .labelNames("space")
                .callback(cb -> {
                    Map<String, Integer> owned = new TreeMap<>(Map.of("volume", 0));
                    ownership.current().countsBySpace().forEach((space, bySelf) ->
                            owned.put(space, bySelf.getOrDefault(self, 0)));
                    owned.forEach((space, n) -> cb.call(n, space));
                })
                .register(r);
        GaugeWithCallback.builder().name("nvmesh_agent_connections")
                .help("Node agents connected to this instance, by kind (target, client).")
                .labelNames("kind")
                .callback(cb -> agents.connectionCounts().forEach((kind, n) -> cb.call(n, singular(kind))))
                .register(r);
        registerCounters(r, counters);
        registerEvents(r, events);
        CounterWithCallback.builder().name("nvmesh_peer_refusals")
                .help("Messages refused from peers, by endpoint (heartbeat; events: peer events, interest and "
                        + "digests; counters: pushed counter entries; counters-pull: a pull of another contributor's "
                        + "entries; counters-repair: entries pulled by digest repair) and reason (the problem type: "
                        + "not-your-id, unknown-peer, stale-event, invalid-counter-entry, bad-request ...).")
                .labelNames("endpoint", "reason")
                .callback(cb -> {
                    m.refusals.snapshot().forEach((k, n) -> {
                        if (!k.endpoint().equals(RefusalCounts.AUTH) && !k.endpoint().equals(RefusalCounts.LIMIT)) {
                            cb.call(n, k.endpoint(), k.reason());
                        }
                    });
                    if (events != null) {
                        events.peerRefusals().forEach((reason, n) -> cb.call(n, "events", reason));
                    }
                })
                .register(r);
        CounterWithCallback.builder().name("nvmesh_auth_refusals")
                .help("Requests refused for their credential: unauthorized (none, unknown, revoked or expired) and "
                        + "forbidden (a role that does not reach the endpoint).")
                .labelNames("reason")
                .callback(cb -> m.refusals.snapshot().forEach((k, n) -> {
                    if (k.endpoint().equals(RefusalCounts.AUTH)) {
                        cb.call(n, k.reason());
                    }
                }))
                .register(r);
        CounterWithCallback.builder().name("nvmesh_limit_refusals")
                .help("Requests refused with 429 by a per-source limit: auth-failures (the address failed to "
                        + "authenticate too often and is locked out for a while), expensive (over the rate of the "
                        + "expensive read endpoints), connections (over the open connections per address).")
                .labelNames("limit")
                .callback(cb -> {
                    Map<String, Long> byLimit = new TreeMap<>(Map.of("auth-failures", 0L, "expensive", 0L,
                            "connections", 0L));
                    m.refusals.snapshot().forEach((k, n) -> {
                        if (k.endpoint().equals(RefusalCounts.LIMIT)) {
                            byLimit.put(k.reason(), n);
                        }
                    });
                    byLimit.forEach((limit, n) -> cb.call(n, limit));
                })
                .register(r);
        counters.countRefusals(m.refusals::count);
        reconcile.ifPresent(loop -> {
            // Every outcome from the start, at 0, so that rates and alerts see a series before the first failure.
            for (String outcome : OUTCOMES) {
                m.passes.initLabelValues(outcome);
            }
            loop.addPassListener(m::passed);
            for (String outcome : PACK_OUTCOMES) {
                m.packs.initLabelValues(outcome);
            }
            loop.addPackListener(m::packed);
            GaugeWithCallback.builder().name("nvmesh_state_writable")
                    .help("1 while this instance may write recorded state; 0 while the state ref is lost, "
                            + "unreadable or replaced, or an object it needs is damaged (see /readyz and nvmesh fsck).")
                    .callback(cb -> cb.call(loop.stateUnavailable().isEmpty() ? 1 : 0))
                    .register(r);
        });
        JvmMetrics.builder().register(r);
        return m;
    }

    private static void registerCounters(PrometheusRegistry r, Counters counters) {
        GaugeWithCallback.builder().name("nvmesh_capacity_bytes")
                .help("Drive bytes by field (total, free, data, redundant, withheld, offline) and scope (cluster, "
                        + "domain, class, target; name says which). Allocated is data + redundant.")
                .labelNames("field", "scope", "name")
                .callback(cb -> {
                    Map<String, Long> totals = counters.totals();
                    for (String field : CounterKeys.FIELDS) {
                        // The cluster's fields are always there (0 before the first inventory) so ratios exist.
                        if (!totals.containsKey(CounterKeys.bytes(field, "cluster"))) {
                            cb.call(0, field, "cluster", "");
                        }
                    }
                    totals.forEach((key, value) -> {
                        String[] parts = key.split("/", 4);
                        if (parts[0].equals("bytes") && parts.length >= 3) {
                            String scope = parts[2];
                            cb.call(value, parts[1], scope, parts.length == 4 ? parts[3] : "");
                        }
                    });
                })
                .register(r);
        GaugeWithCallback.builder().name("nvmesh_servers")
                .help("Servers by kind (target, client) and health or state, cluster-wide.")
                .labelNames("kind", "health")
                .callback(cb -> counters.totals().forEach((key, value) -> {
                    String[] parts = key.split("/");
                    if (parts[0].equals("servers") && parts.length == 3) {
                        cb.call(value, parts[1], parts[2]);
                    }
                }))
                .register(r);
        GaugeWithCallback.builder().name("nvmesh_drives")
                .help("Drives by health, cluster-wide.")
                .labelNames("health")
                .callback(cb -> counters.totals().forEach((key, value) -> {
                    String[] parts = key.split("/");
                    if (parts[0].equals("drives") && parts.length == 2) {
                        cb.call(value, parts[1]);
                    }
                }))
                .register(r);
        GaugeWithCallback.builder().name("nvmesh_volumes")
                .help("Volumes by status (pending, initializing, online, extending, degraded, failed, rebuilding, "
                        + "blocked, deleting), cluster-wide; every status is reported, 0 included, so alerts compare against "
                        + "a value.")
                .labelNames("status")
                .callback(cb -> {
                    Map<String, Long> byStatus = new TreeMap<>();
                    Arrays.stream(VolumeStatus.values()).forEach(s -> byStatus.put(s.wireName(), 0L));
                    counters.totals().forEach((key, value) -> {
                        String[] parts = key.split("/");
                        if (parts[0].equals("volumes") && parts.length == 2) {
                            byStatus.put(parts[1], value);
                        }
                    });
                    byStatus.forEach((status, n) -> cb.call(n, status));
                })
                .register(r);
        GaugeWithCallback.builder().name("nvmesh_counter")
                .help("Any other cluster counter by its key (see docs/counters.md).")
                .labelNames("key")
                .callback(cb -> counters.totals().forEach((key, value) -> {
                    String kind = key.substring(0, Math.max(0, key.indexOf('/')));
                    if (!kind.equals("bytes") && !kind.equals("servers") && !kind.equals("drives")
                            && !kind.equals("volumes")) {
                        cb.call(value, key);
                    }
                }))
                .register(r);
        registerCounterRepairs(r, counters);
    }

    private static void registerCounterRepairs(PrometheusRegistry r, Counters counters) {
        CounterWithCallback.builder().name("nvmesh_counter_repairs")
                .help("Counter partitions repaired, by reason: recount (their counted contribution disagreed with a "
                        + "recount from the recorded state for a whole check interval) and file (entries breaking the "
                        + "entry rules were dropped from the counter file on open).")
                .labelNames("reason")
                .callback(cb -> {
                    cb.call(counters.recountRepairs(), "recount");
                    cb.call(counters.fileRepairs(), "file");
                })
                .register(r);
    }

    private static void registerEvents(PrometheusRegistry r, EventHub events) {
        eventCounter(r, events, "nvmesh_events_published", "Events raised on this instance.",
                EventStats::published);
        eventCounter(r, events, "nvmesh_events_sent", "Events sent to peers (one event to two peers counts two).",
                EventStats::eventsSent);
        eventCounter(r, events, "nvmesh_events_received", "Events received from peers.", EventStats::received);
        eventCounter(r, events, "nvmesh_events_delivered", "Events and resets handed to this instance's "
                + "subscribers.", EventStats::delivered);
        CounterWithCallback.builder().name("nvmesh_events_dropped")
                .help("Events dropped: unwanted (received on a topic nobody here follows), replaced (a "
                        + "subscriber fell behind or overflowed its queue and was sent a reset instead; counted per "
                        + "reset) and peer (raised here for a peer's subscribers but lost on the way: the link's queue "
                        + "was full or the request failed).")
                .labelNames("reason")
                .callback(cb -> {
                    EventStats s = events.stats();
                    cb.call(s.unwanted(), "unwanted");
                    cb.call(s.resets(), "replaced");
                    cb.call(s.lostToPeers(), "peer");
                })
                .register(r);
        registerEventRefusals(r, events);
    }

    /** Streams refused by the stream limits, and peers' event requests refused (forged, replayed, malformed). */
    private static void registerEventRefusals(PrometheusRegistry r, EventHub events) {
        GaugeWithCallback.builder().name("nvmesh_event_streams")
                .help("Event streams (SSE and WebSocket) open on this instance.")
                .callback(cb -> cb.call(events.streams().open())).register(r);
        CounterWithCallback.builder().name("nvmesh_event_stream_refusals")
                .help("Event streams refused before they started: caller (the credential holds its most streams), "
                        + "instance (the instance holds its most) and filters (too many filters in one stream).")
                .labelNames("reason")
                .callback(cb -> events.streams().refusals().forEach((reason, n) -> cb.call(n, reason)))
                .register(r);
    }

    private static void eventCounter(PrometheusRegistry r, EventHub events, String name, String help,
                                     ToLongFunction<EventStats> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(events.stats()))).register(r);
    }

    private static void registerCredentials(PrometheusRegistry r, CredentialSource credentials) {
        CounterWithCallback.builder().name("nvmesh_credentials_reloads")
                .help("Times the credentials file was read again after it changed.")
                .callback(cb -> cb.call(credentials.reloads())).register(r);
        CounterWithCallback.builder().name("nvmesh_credentials_reload_failures")
                .help("Times a changed credentials file did not read; the credentials before it stayed in force.")
                .callback(cb -> cb.call(credentials.reloadFailures())).register(r);
    }

    /** {@code targets} → {@code target}: label values name one thing. */
    private static String singular(String kind) {
        return kind.endsWith("s") ? kind.substring(0, kind.length() - 1) : kind;
    }

    /** Counts a finished pass; called on the reconcile thread. */
    void passed(PassResult result) {
        passSeconds.observe(result.millis() / 1000.0);
        passes.labelValues(result.outcome()).inc();
        if (result.retries() > 0) {
            casRetries.inc(result.retries());
        }
    }

    /** Counts a finished pack of the repository; called on the pack thread. */
    void packed(PackRun run) {
        packs.labelValues(run.outcome()).inc();
        if (run.outcome().equals("packed")) {
            packSeconds.observe(run.took().toMillis() / 1000.0);
        }
    }

    /**
     * Writes every family, in OpenMetrics when the Accept header asks for it ({@code application/openmetrics-text}),
     * else in the Prometheus text format 0.0.4.
     */
    public Scrape scrape(String accept) {
        ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : TEXT;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Scrape(writer.getContentType(), out.toByteArray());
    }

    /** Where this instance counts refused messages ({@code nvmesh_peer_refusals_total}). */
    public RefusalCounts refusals() {
        return refusals;
    }

    /** The registry, for tests and for callers that add families of their own. */
    public PrometheusRegistry registry() {
        return registry;
    }
}
