package io.nvmesh.schema;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes written with an IEC (KiB … PiB), Kubernetes binary (Ki … Pi, the same) or SI (kB … PB) unit. The
 * canonical form is bytes. A volume's capacity is rounded down to whole MiB ({@link Capacity}), because extents on
 * drives are aligned to 1 MiB; other sizes (a stripe size, a drive's capacity) are exact.
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
            Map.entry("Ki", KiB), Map.entry("Mi", MiB), Map.entry("Gi", GiB), Map.entry("Ti", TiB),
            Map.entry("Pi", PiB),
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
     * Parses {@code 500GiB}, {@code 500Gi}, {@code 2TB}, {@code 1.5TiB} or a plain byte count.
     *
     * @throws IllegalArgumentException with a message fit for a user, e.g. {@code "2XB" is not a size (use e.g. 500GiB, 2TB)}
     */
    public static Size parse(String text) {
        return parse(text, "500GiB, 2TB");
    }

    /**
     * Parses as {@link #parse(String)}, with {@code examples} of a valid value for where it is written (a stripe size
     * is not a volume capacity) in the message when the text is not a size.
     */
    public static Size parse(String text, String examples) {
        return new Size(bytes(parseExact(text, examples), text, examples));
    }

    /**
     * Parses a size and rounds it down to a whole multiple of {@code unit}, fractions of a byte included: {@code 1TB}
     * in MiB is {@code 953674MiB}. A size that is already a whole multiple keeps its bytes.
     */
    public static Size parseRoundedDown(String text, long unit, String examples) {
        // A whole number whose bytes fit a long (every capacity in practice) needs no BigDecimal: validating 10,000
        // volumes spent most of its binding time and garbage in the division below.
        Matcher m = FORM.matcher(text.trim());
        if (m.matches() && m.group(1).indexOf('.') < 0 && m.group(1).length() <= 18) {
            Long scale = UNITS.get(m.group(2));
            if (scale != null) {
                long number = Long.parseLong(m.group(1));
                long bytes = number * scale;
                if (Math.multiplyHigh(number, scale) == 0 && bytes >= 0) {
                    return new Size(bytes - bytes % unit);
                }
            }
        }
        BigDecimal exact = parseExact(text, examples);
        BigDecimal units = exact.divideToIntegralValue(BigDecimal.valueOf(unit));
        return new Size(bytes(units.setScale(0).multiply(BigDecimal.valueOf(unit)), text, examples));
    }

    private static BigDecimal parseExact(String text, String examples) {
        Matcher m = FORM.matcher(text.trim());
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (use e.g. " + examples + ")");
        }
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    }

    private static long bytes(BigDecimal value, String text, String examples) {
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("\"" + text + "\" is too large (at most " + Long.MAX_VALUE
                    + " bytes; use e.g. " + examples + ")");
        }
        try {
            return value.toBigIntegerExact().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a whole number of bytes (use e.g. " + examples
                    + ")");
        }
    }

    /** This size rounded down to a whole multiple of {@code unit}. */
    public Size roundedDown(long unit) {
        return new Size(bytes - bytes % unit);
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

    /** As {@link #human()}, but rounded down, for a figure that must not promise more: {@code 3.2 TiB} for 3.29. */
    public String humanAtMost() {
        String[] names = {"PiB", "TiB", "GiB", "MiB", "KiB"};
        long[] units = {PiB, TiB, GiB, MiB, KiB};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= units[i]) {
                long tenths = java.math.BigInteger.valueOf(bytes).multiply(java.math.BigInteger.TEN)
                        .divide(java.math.BigInteger.valueOf(units[i])).longValueExact();
                return (tenths % 10 == 0 ? String.valueOf(tenths / 10) : tenths / 10 + "." + tenths % 10) + " "
                        + names[i];
            }
        }
        return bytes + " B";
    }

    @Override
    public String toString() {
        return exact();
    }
}
