package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.Volume;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sizes as people write them: SI and Kubernetes units are accepted and rounded down to whole MiB, and every value an
 * error about a size suggests validates when written where the mistake was.
 */
class SizeHintsTest {

    private static final Pattern HINT = Pattern.compile("\\(.*?use (?:e\\.g\\. |at least )?([^)]*)\\)");

    private static ValidationReport withCapacity(String capacity) {
        return validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: raid1}
                ---
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata: {name: v}
                spec: {policy: p, capacity: "%s"}
                """.formatted(capacity));
    }

    private static ValidationReport withStripeSize(String stripeSize) {
        return validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: raid0, stripeSize: "%s"}
                """.formatted(stripeSize));
    }

    private static ValidationReport validate(String text) {
        return ManifestFixturesTest.VALIDATOR.validateSources(List.of(new ManifestSource("m.yaml",
                text.getBytes(StandardCharsets.UTF_8))));
    }

    /** The values a message suggests: {@code (use e.g. 500GiB, 500Gi or 2TB)} gives three. */
    private static List<String> hints(String message) {
        Matcher m = HINT.matcher(message);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            for (String v : m.group(1).split(",| or ")) {
                out.add(v.strip());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"12GB", "500GB", "1TB", "2TB", "1.5TB", "500Gi", "2Ti", "4096Mi", "1Pi", "1.0000001GiB",
        "1073741825"})
    void siAndKubernetesCapacitiesAreAcceptedAndRoundedDownToWholeMiB(String capacity) {
        ValidationReport report = withCapacity(capacity);

        assertThat(report.problems()).isEmpty();
        Volume v = (Volume) report.manifests().get(1).manifest();
        assertThat(v.capacity().size().bytes() % Size.MiB).isZero();
        assertThat(v.capacity().size().bytes()).isGreaterThanOrEqualTo(Volume.MIN_CAPACITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2XB", "500G", "12 gb", "1GB", "512MiB", "0", "1023.9MiB", "99999999PiB", "-1GiB"})
    void everyValueACapacityErrorSuggestsValidates(String capacity) {
        List<Problem> problems = withCapacity(capacity).problems();
        assertThat(problems).as(capacity).hasSize(1);
        List<String> suggested = hints(problems.get(0).message());

        assertThat(suggested).as(problems.get(0).message()).isNotEmpty();
        for (String s : suggested) {
            assertThat(withCapacity(s).problems()).as("%s, suggested by: %s", s, problems.get(0).message()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"96KiB", "1KiB", "2MiB", "2XB", "0.5B", "99999999PiB", "768KiB"})
    void everyValueAStripeSizeErrorSuggestsValidates(String stripeSize) {
        List<Problem> problems = withStripeSize(stripeSize).problems();
        assertThat(problems).as(stripeSize).hasSize(1);
        List<String> suggested = hints(problems.get(0).message());

        assertThat(suggested).as(problems.get(0).message()).isNotEmpty();
        for (String s : suggested) {
            assertThat(withStripeSize(s).problems()).as("%s, suggested by: %s", s, problems.get(0).message())
                    .isEmpty();
        }
    }
}
