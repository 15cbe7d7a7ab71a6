package io.nvmesh.service.sim;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Data-centre NVMe drives as they are sold. Capacities are the IDEMA LBA counts for the advertised decimal size
 * ({@code 97,696,368 + 1,953,504 × (GB − 50)} sectors of 512 bytes), so a "3.84 TB" drive has 3,840,755,982,336 bytes,
 * exactly what such drives report.
 */
record DriveModel(String vendor, String model, String media, int gen, int gigabytes, String serialPrefix,
                  SerialStyle style) {

    enum SerialStyle { SAMSUNG, KIOXIA, MICRON, SOLIDIGM }

    static final List<DriveModel> CATALOGUE = List.of(
            new DriveModel("Samsung", "PM9A3", "tlc", 4, 3840, "S6EUNS0W", SerialStyle.SAMSUNG),
            new DriveModel("Samsung", "PM9A3", "tlc", 4, 7680, "S6EVNS0W", SerialStyle.SAMSUNG),
            new DriveModel("Samsung", "PM1743", "tlc", 5, 7680, "S7DMNA0X", SerialStyle.SAMSUNG),
            new DriveModel("KIOXIA", "CM6-R", "tlc", 4, 3840, "X1K0A", SerialStyle.KIOXIA),
            new DriveModel("KIOXIA", "CM6-R", "tlc", 4, 7680, "X1L0A", SerialStyle.KIOXIA),
            new DriveModel("KIOXIA", "CM7-R", "tlc", 5, 7680, "Y2L0A", SerialStyle.KIOXIA),
            new DriveModel("Micron", "7450 PRO", "tlc", 4, 3840, "2245", SerialStyle.MICRON),
            new DriveModel("Micron", "7450 PRO", "tlc", 4, 7680, "2251", SerialStyle.MICRON),
            new DriveModel("Solidigm", "D5-P5336", "qlc", 4, 15360, "PHAC", SerialStyle.SOLIDIGM),
            new DriveModel("Solidigm", "D5-P5336", "qlc", 4, 30720, "PHAD", SerialStyle.SOLIDIGM));

    private static final String ALNUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static final String HEX = "0123456789ABCDEF";

    /** Bytes of a drive sold as {@code gigabytes} decimal GB. */
    static long idemaBytes(int gigabytes) {
        return (97_696_368L + 1_953_504L * (gigabytes - 50)) * 512L;
    }

    long capacity() {
        return idemaBytes(gigabytes);
    }

    /** {@code Samsung-PM9A3-3.84TB}: a label value, which has no spaces (the agent protocol refuses them). */
    String labelValue() {
        return (vendor + " " + model + " " + String.format(java.util.Locale.ROOT, "%.2fTB", gigabytes / 1000.0))
                .replace(' ', '-');
    }

    Map<String, String> labels() {
        return Map.of("model", labelValue(), "media", media, "gen", Integer.toString(gen));
    }

    /** A serial in the vendor's usual shape, e.g. {@code S6EUNS0W123456}, {@code 22453A1B2C3D}. */
    String serial(SplittableRandom random) {
        StringBuilder s = new StringBuilder(serialPrefix);
        switch (style) {
            case SAMSUNG -> digits(s, random, 6);
            case KIOXIA -> pick(s, random, ALNUM, 7);
            case MICRON -> pick(s, random, HEX, 8);
            case SOLIDIGM -> {
                digits(s, random, 4);
                s.append("00");
                s.append(gigabytes >= 30000 ? "30" : "15");
                s.append("PGGN");
            }
            default -> throw new IllegalStateException();
        }
        return s.toString();
    }

    private static void digits(StringBuilder s, SplittableRandom random, int n) {
        for (int i = 0; i < n; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
    }

    private static void pick(StringBuilder s, SplittableRandom random, String alphabet, int n) {
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
    }
}
