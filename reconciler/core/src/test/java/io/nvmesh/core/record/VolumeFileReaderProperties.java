package io.nvmesh.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streaming volume reader must decode exactly what the tree reader decodes, and must leave every file it does not
 * fully understand to the tree reader (which names the problem).
 */
class VolumeFileReaderProperties {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Property(tries = 300)
    void decodesWhatTheTreeReaderDecodes(@ForAll long seed) {
        VolumeRecord v = randomVolume(new Random(seed));
        byte[] bytes = StateFiles.volume(v);

        VolumeRecord fast = VolumeFileReader.read(JSON, bytes);

        assertThat(fast).isEqualTo(v).isEqualTo(StateFileReader.volume(JSON.readTree(bytes)));
    }

    @Example
    void fieldsInAnyOrderAndUnknownFieldsAreReadAsTheTreeReaderReadsThem() {
        String file = """
                {"status": "online", "extra": {"a": [1, {"b": 2}]}, "allocation": {"chunks": [{"groups": [{"x": 1,
                 "segments": [{"serial": "S1", "length": 1048576, "role": "data", "offset": 0, "why": null}]}]}],
                 "size": 1048576, "protection": "full", "layout": "concatenated", "policy": "p"},
                 "name": "v1", "deletionProtection": true}
                """;
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);

        VolumeRecord fast = VolumeFileReader.read(JSON, bytes);

        assertThat(fast).isNotNull().isEqualTo(StateFileReader.volume(JSON.readTree(bytes)));
        assertThat(fast.reason()).isEmpty();
        assertThat(fast.allocation().orElseThrow().extents()).containsExactly(new Extent("S1", 0, 1 << 20));
    }

    @Example
    void leavesEveryDamagedFileToTheTreeReader() {
        String good = new String(StateFiles.volume(new VolumeRecord("v1", VolumeStatus.ONLINE, "", false, "f",
                Optional.of(allocation("v1", List.of(segment(0, Role.DATA, "S1", 0, 1 << 20)))))),
                StandardCharsets.UTF_8);
        List<String> damaged = List.of(
                good.replace("\"length\" : 1048576", "\"length\" : \"1048576\""),
                good.replace("\"length\" : 1048576", "\"length\" : -1048576"),
                good.replace("\"length\" : 1048576", "\"length\" : 1048576.5"),
                good.replace("\"length\" : 1048576", "\"length\" : 123456789012345678901234567890"),
                good.replace("\"length\" : 1048576,", ""),
                good.replace("\"role\" : \"data\"", "\"role\" : \"spare\""),
                good.replace("\"layout\" : \"concatenated\"", "\"layout\" : \"raid5\""),
                good.replace("\"status\" : \"online\"", "\"status\" : \"pending\""),
                good.replace("\"status\" : \"online\"", "\"status\" : 1"),
                good.replace("\"name\" : \"v1\",", ""),
                good.replace("\"reason\" : \"\"", "\"reason\" : null"),
                good.replace("\"deletionProtection\" : false", "\"deletionProtection\" : \"no\""),
                good.replace("\"segments\" : [", "\"segments\" : [ 7, "),
                good.replace("\"chunks\" : [", "\"chunks\" : {").replace("]\n  },\n  \"deletionProtection\"",
                        "}\n  },\n  \"deletionProtection\""),
                good + "{}",
                good.substring(0, good.length() / 2),
                "[]",
                "");
        for (String file : damaged) {
            assertThat(file).isNotEqualTo(good);
            assertThat(VolumeFileReader.read(JSON, file.getBytes(StandardCharsets.UTF_8))).as(file).isNull();
        }
        assertThat(VolumeFileReader.read(JSON, good.getBytes(StandardCharsets.UTF_8))).isNotNull();
    }

    @Example
    void aRecordThatItsOwnChecksRefuseIsLeftToTheTreeReaderToo() {
        String file = """
                {"name": "v1", "status": "online", "allocation": {"policy": "p", "layout": "concatenated",
                 "protection": "full", "size": 1, "chunks": [{"groups": [{"segments": []}]}]}}
                """;
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);

        assertThat(VolumeFileReader.read(JSON, bytes)).isNull();
        assertThatThrownBy(() -> StateFileReader.volume(JSON.readTree(bytes))).hasMessageContaining("has no segments");
    }

    private static VolumeRecord randomVolume(Random r) {
        String name = "vol-" + r.nextInt(100_000);
        VolumeStatus status = VolumeStatus.values()[r.nextInt(VolumeStatus.values().length)];
        String reason = r.nextBoolean() ? "" : "rebuild: drive S" + r.nextInt(99) + " failed \"quoted\" \u00e9";
        if (status == VolumeStatus.PENDING) {
            return new VolumeRecord(name, status, reason, r.nextBoolean(), Long.toHexString(r.nextLong()),
                    Optional.empty());
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
                    long offset = (long) r.nextInt(1 << 20) << 20;
                    long length = (long) (1 + r.nextInt(1 << 14)) << 20;
                    segments.add(segment(s, role, "S" + r.nextInt(1_000_000), offset, length));
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
                Optional.of(a));
    }

    private static VolumeAllocation allocation(String volume, List<Segment> segments) {
        return new VolumeAllocation(volume, "p", Layout.CONCATENATED, Protection.FULL, null, 1 << 20,
                List.of(new Chunk(0, List.of(new Group(0, segments)))));
    }

    private static Segment segment(int index, Role role, String serial, long offset, long length) {
        return new Segment(index, role, new Extent(serial, offset, length));
    }
}
