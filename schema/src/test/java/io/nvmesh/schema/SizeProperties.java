package io.nvmesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.api.Test;

class SizeProperties {

    @Property
    void exactFormParsesBackToTheSameBytes(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long bytes) {
        Size size = Size.ofBytes(bytes);

        assertThat(Size.parse(size.exact())).isEqualTo(size);
    }

    @Property
    void iecAndSiUnitsScaleTheNumber(@ForAll @LongRange(min = 0, max = 1_000_000) long n) {
        assertThat(Size.parse(n + "GiB").bytes()).isEqualTo(n * Size.GiB);
        assertThat(Size.parse(n + "GB").bytes()).isEqualTo(n * 1_000_000_000L);
        assertThat(Size.parse(n + " MiB").bytes()).isEqualTo(n * Size.MiB);
    }

    @Property
    void unknownUnitsAreRefusedWithAnExample(@ForAll @AlphaChars @StringLength(min = 1, max = 4) String unit) {
        String text = "2" + unit;
        try {
            Size.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessage("\"" + text + "\" is not a size (use e.g. 500GiB, 2TB)");
        }
    }

    @Property
    void aCapacityThatWasValidBeforeRoundingKeepsItsBytes(@ForAll @LongRange(min = 1024, max = 1L << 33) long mib) {
        Size exact = Size.ofMiB(mib);

        assertThat(Capacity.parse(exact.exact()).size()).isEqualTo(exact);
        assertThat(Capacity.parse(exact.exact()).toString()).isEqualTo(exact.exact());
        assertThat(Capacity.parse(String.valueOf(exact.bytes())).size()).isEqualTo(exact);
    }

    @Property
    void aCapacityIsRoundedDownToWholeMiBAndShowsBoth(@ForAll @LongRange(min = 1, max = 10_000_000) long gb) {
        Capacity c = Capacity.parse(gb + "GB");

        assertThat(c.size().bytes()).isEqualTo(gb * 1_000_000_000L / Size.MiB * Size.MiB);
        assertThat(c.toString()).isEqualTo(c.rounded() ? gb + "GB (" + c.size().exact() + ")" : gb + "GB");
    }

    @Test
    void kubernetesBinaryUnitsAreIec() {
        assertThat(Size.parse("500Gi")).isEqualTo(Size.parse("500GiB"));
        assertThat(Size.parse("3Ti").bytes()).isEqualTo(3 * Size.TiB);
        assertThat(Capacity.parse("1TB")).hasToString("1TB (953674MiB)");
    }

    @Test
    void fractionsMustComeToWholeBytes() {
        assertThat(Size.parse("1.5TiB").bytes()).isEqualTo(3 * Size.TiB / 2);
        assertThatThrownBy(() -> Size.parse("0.1B")).hasMessageContaining("whole number of bytes");
    }
}
