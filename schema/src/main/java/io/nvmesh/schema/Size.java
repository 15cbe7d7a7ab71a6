package io.nvmesh.schema;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes written with an IEC (KiB … PiB) or SI (kB … PB) unit. The canonical form is bytes; every size
 * a manifest names is a whole number of MiB, because extents on drives are aligned to 1 MiB.
 */
public record Size(long bytes) implements Comparable<Size> {

    public static final long KiB = 1L << 10;
    public static final long MiB = 1L << 20;
    public static final long GiB = 1L << 30;
    public static final long TiB = 1L << 40;
    public static final long PiB = 1L << 50;

    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("B", 1L),
            Map.entry("KiB", KiB), Map.entry("MiB", MiB), Map.entry("GiB", GiB), Map.entry("TiB", TiB),
            Map.entry("PiB", PiB),
            Map.entry("kB", 1_000L), Map.entry("KB", 1_000L), Map.entry("MB", 1_000_000L),
            Map.entry("GB", 1_000_000_000L), Map.entry("TB", 1_000_000_000_000L),
            Map.entry("PB", 1_000_000_000_000_000L));

    public Size {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    public static Size ofBytes(long bytes) {
        return new Size(bytes);
    }

    public static Size ofMiB(long mib) {
        return new Size(Math.multiplyExact(mib, MiB));
    }

    public static Size ofGiB(long gib) {
        return new Size(Math.multiplyExact(gib, GiB));
    }

    /**
     * Parses {@code 500GiB}, {@code 2TB}, {@code 1.5TiB} or a plain byte count.
     *
     * @throws IllegalArgumentException with a message fit for a user, e.g. {@code "2XB" is not a size (use e.g. 500GiB, 2TB)}
     */
    public static Size parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (use e.g. 500GiB, 2TB)");
        }
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return new Size(value.toBigIntegerExact().longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a whole number of bytes or is too large");
        }
    }

    public boolean isMiBAligned() {
        return bytes % MiB == 0;
    }

    public Size plus(Size other) {
        return new Size(Math.addExact(bytes, other.bytes));
    }

    @Override
    public int compareTo(Size o) {
        return Long.compare(bytes, o.bytes);
    }

    /** The shortest exact IEC form: {@code 512GiB}, {@code 1536MiB}, {@code 1000000B}. */
    public String exact() {
        String[] names = {"PiB", "TiB", "GiB", "MiB", "KiB"};
        long[] units = {PiB, TiB, GiB, MiB, KiB};
        for (int i = 0; i < units.length; i++) {
            if (bytes != 0 && bytes % units[i] == 0) {
                return bytes / units[i] + names[i];
            }
        }
        return bytes + "B";
    }

    /** A rounded human form for tables: {@code 1.5 TiB}. */
    public String human() {
        String[] names = {"PiB", "TiB", "GiB", "MiB", "KiB"};
        long[] units = {PiB, TiB, GiB, MiB, KiB};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= units[i]) {
                double v = (double) bytes / units[i];
                return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v))
                        + " " + names[i];
            }
        }
        return bytes + " B";
    }

    @Override
    public String toString() {
        return exact();
    }
}
