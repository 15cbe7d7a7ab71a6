package io.nvmesh.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Volume files are written field by field, and on every core: the bytes must be those the sorted-map encoding gave
 * (what every recorded state so far was written with, kept here as the reference), whatever the record holds, and
 * the same whether encoded one by one or in parallel.
 */
class StateFilesEncodingProperties {

    private static final ObjectWriter MAP_WRITER;

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        MAP_WRITER = JsonMapper.builder().build().writer().with(new DefaultPrettyPrinter()
                .withObjectIndenter(indent).withArrayIndenter(indent));
    }

    @Property(tries = 500)
    void aStreamedVolumeFileHasTheBytesOfTheSortedMapEncoding(@ForAll long seed) {
        VolumeRecord v = randomVolume(new Random(seed));

        assertThat(new String(StateFiles.volume(v), StandardCharsets.UTF_8))
                .isEqualTo(new String(mapEncoded(v), StandardCharsets.UTF_8));
    }

    @Property(tries = 10)
    void encodingOnEveryCoreGivesTheBytesOfEncodingOneByOne(@ForAll long seed) {
        Random r = new Random(seed);
        List<VolumeRecord> volumes = new ArrayList<>();
        for (int i = 0; i < StateFiles.PARALLEL_FROM * 4 + r.nextInt(100); i++) {
            volumes.add(randomVolume(r));
        }

        List<byte[]> parallel = StateFiles.encodeVolumes(volumes);

        assertThat(parallel).hasSize(volumes.size());
        for (int i = 0; i < volumes.size(); i++) {
            assertThat(parallel.get(i)).isEqualTo(mapEncoded(volumes.get(i)));
        }
    }

    static VolumeRecord randomVolume(Random r) {
        String name = "vol-" + r.nextInt(100_000);
        VolumeStatus status = VolumeStatus.values()[r.nextInt(VolumeStatus.values().length)];
        String[] reasons = {"", "rebuild: drive S" + r.nextInt(99) + " failed \"quoted\" \u00e9",
            "tab\there, newline\nthere, \u0001 control, back\\slash, \u2028 separator, \ud83d\ude00 emoji, / slash",
            "waiting for drives </script> & more"};
        String reason = reasons[r.nextInt(reasons.length)];
        List<HeldExtent> releasing = new ArrayList<>();
        for (int i = r.nextInt(3) == 0 ? r.nextInt(4) : 0; i > 0; i--) {
            releasing.add(new HeldExtent("S" + r.nextInt(1000), (long) r.nextInt(1 << 20) << 20,
                    (long) (1 + r.nextInt(1 << 14)) << 20, r.nextInt(3) == 0 ? 0 : r.nextLong() & Long.MAX_VALUE));
        }
        if (status == VolumeStatus.PENDING) {
            return new VolumeRecord(name, status, reason, r.nextBoolean(), r.nextBoolean() ? ""
                    : Long.toHexString(r.nextLong()), Optional.empty(), releasing);
        }
        List<Chunk> chunks = new ArrayList<>();
        int chunkCount = 1 + r.nextInt(3);
        for (int c = 0; c < chunkCount; c++) {
            List<Group> groups = new ArrayList<>();
            int groupCount = 1 + r.nextInt(3);
            for (int g = 0; g < groupCount; g++) {
                List<Segment> segments = new ArrayList<>();
                int segmentCount = 1 + r.nextInt(10);
                for (int s = 0; s < segmentCount; s++) {
                    Role role = Role.values()[r.nextInt(Role.values().length)];
                    long offset = r.nextInt(5) == 0 ? 0 : (long) r.nextInt(1 << 20) << 20;
                    long length = (long) (1 + r.nextInt(1 << 14)) << 20;
                    segments.add(new Segment(s, role, new Extent("S" + r.nextInt(1_000_000), offset, length)));
                }
                groups.add(new Group(g, segments));
            }
            chunks.add(new Chunk(c, groups));
        }
        Layout layout = Layout.values()[r.nextInt(Layout.values().length)];
        Protection protection = Protection.values()[r.nextInt(Protection.values().length)];
        String scope = r.nextBoolean() ? null : "rack";
        long size = r.nextBoolean() ? Long.MAX_VALUE / 4 : 1 + r.nextInt(Integer.MAX_VALUE);
        VolumeAllocation a = new VolumeAllocation(name, "policy-" + r.nextInt(200), layout, protection, scope, size,
                chunks);
        return new VolumeRecord(name, status, reason, r.nextBoolean(), Long.toHexString(r.nextLong()),
                Optional.of(a), releasing);
    }

    /** The encoding of volume files before they were streamed: a sorted map per object, written by Jackson. */
    private static byte[] mapEncoded(VolumeRecord v) {
        Map<String, Object> m = new TreeMap<>();
        m.put("formatVersion", StateFiles.FORMAT_VERSION);
        m.put("name", v.name());
        m.put("status", v.status().wireName());
        m.put("reason", v.reason());
        m.put("deletionProtection", v.deletionProtection());
        m.put("policyFingerprint", v.policyFingerprint());
        v.allocation().ifPresent(a -> m.put("allocation", allocation(a)));
        if (!v.releasing().isEmpty()) {
            List<Object> held = new ArrayList<>(v.releasing().size());
            for (HeldExtent h : v.releasing()) {
                Map<String, Object> hm = extent(h.serial(), h.offset(), h.length());
                hm.put("since", h.since());
                held.add(hm);
            }
            m.put("releasing", held);
        }
        return (MAP_WRITER.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> allocation(VolumeAllocation a) {
        Map<String, Object> m = new TreeMap<>();
        m.put("policy", a.policy());
        m.put("layout", a.layout().yamlName());
        m.put("protection", a.protection().yamlName());
        if (a.domainScope() != null) {
            m.put("domainScope", a.domainScope());
        }
        m.put("size", a.size());
        List<Object> chunks = new ArrayList<>();
        for (Chunk c : a.chunks()) {
            List<Object> groups = new ArrayList<>();
            for (Group g : c.groups()) {
                List<Object> segments = new ArrayList<>();
                for (Segment s : g.segments()) {
                    Map<String, Object> sm = extent(s.extent().serial(), s.extent().offset(), s.extent().length());
                    sm.put("role", s.role().name().toLowerCase(Locale.ROOT));
                    segments.add(sm);
                }
                groups.add(Map.of("segments", segments));
            }
            chunks.add(Map.of("groups", groups));
        }
        m.put("chunks", chunks);
        return m;
    }

    private static Map<String, Object> extent(String serial, long offset, long length) {
        Map<String, Object> m = new TreeMap<>();
        m.put("serial", serial);
        m.put("offset", offset);
        m.put("length", length);
        return m;
    }
}
