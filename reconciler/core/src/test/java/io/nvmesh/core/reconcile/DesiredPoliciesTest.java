package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** fsck needs only the policies of a desired commit: it validates the files that can hold one, and finds them all. */
class DesiredPoliciesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsEveryPolicyIncludingOneWhoseKindIsSpelledByAnEscapeAndSkipsOtherFiles() {
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("policies/p.yaml", utf8("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: concatenated, driveClasses: [fast]}
                """));
        files.put("policies/escaped.yaml", utf8("""
                apiVersion: nvmesh.io/v1
                kind: "Volume\\u0050olicy"
                metadata: {name: q}
                spec: {layout: concatenated}
                """));
        files.put("classes/fast.yaml", utf8("""
                apiVersion: nvmesh.io/v1
                kind: DriveClass
                metadata: {name: fast}
                spec: {selector: {matchLabels: {media: tlc}}}
                """));
        StringBuilder volumes = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            volumes.append(i == 0 ? "" : "---\n").append("""
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata: {name: v%d}
                    spec: {policy: p, capacity: 1GiB}
                    """.formatted(i));
        }
        files.put("volumes/v.yaml", utf8(volumes.toString()));
        DesiredFiles desired = new DesiredFiles("c0ffee", files, Map.of());

        DesiredManifests all = DesiredManifests.load(desired);
        DesiredManifests policies = DesiredManifests.policies(desired);

        assertThat(all.valid()).as(all.problems().toString()).isTrue();
        assertThat(all.objects).containsKeys("VolumePolicy p", "VolumePolicy q");
        assertThat(policies.objects).containsOnlyKeys("VolumePolicy p", "VolumePolicy q");
        assertThat(policies.objects.get("VolumePolicy p")).isEqualTo(all.objects.get("VolumePolicy p"));
        assertThat(policies.objects.get("VolumePolicy q")).isEqualTo(all.objects.get("VolumePolicy q"));
    }
}
