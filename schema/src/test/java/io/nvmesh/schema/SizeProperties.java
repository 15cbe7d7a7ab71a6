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

    @Property
    void roundingDownWholeNumbersAgreesWithExactArithmetic(
            @ForAll @LongRange(min = 0, max = 999_999_999_999_999_999L) long n,
            @ForAll("units") String unit) {
        String text = n + unit;
        java.math.BigDecimal exact = java.math.BigDecimal.valueOf(n).multiply(java.math.BigDecimal.valueOf(
                unit.isEmpty() ? 1 : Size.parse("1" + unit).bytes()));
        java.math.BigInteger mib = java.math.BigInteger.valueOf(Size.MiB);
        java.math.BigInteger expected = exact.toBigIntegerExact().divide(mib).multiply(mib);
        if (expected.bitLength() < 64 && exact.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
            assertThat(Size.parseRoundedDown(text, Size.MiB, "e.g.").bytes()).isEqualTo(expected.longValueExact());
        } else {
            assertThatThrownBy(() -> Size.parseRoundedDown(text, Size.MiB, "e.g."))
                    .hasMessage("\"" + text + "\" is too large (at most " + Long.MAX_VALUE + " bytes; use e.g. e.g.)");
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> units() {
        return net.jqwik.api.Arbitraries.of("", "B", "KiB", "Mi", "GiB", "TiB", "Pi", "PiB", "kB", "MB", "GB", "TB", "PB");
    }

    @Test
    void roundingDownAtTheEdgeOfALong() {
        assertThat(Size.parseRoundedDown("8191PiB", Size.MiB, "e.g.").bytes()).isEqualTo(8191 * Size.PiB);
        assertThatThrownBy(() -> Size.parseRoundedDown("8192PiB", Size.MiB, "e.g.")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Size.parseRoundedDown("9223372036854775808", Size.MiB, "e.g."))
                .hasMessageContaining("too large");
        assertThat(Size.parseRoundedDown("1.5GiB", Size.MiB, "e.g.").bytes()).isEqualTo(1536 * Size.MiB);
        assertThat(Size.parseRoundedDown("0.1B", Size.MiB, "e.g.").bytes()).isZero();
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
