package io.nvmesh.cli.remote;

/**
 * How a volume's recorded status and reason read for people: {@code extending} is an online volume whose new segments
 * are being set up, so it reads {@code online (extending)}; a reason never repeats the status (records written before
 * reasons stopped doing so began with it: {@code initializing: 8 segment(s) ...}). JSON and YAML keep the wire words.
 */
final class StatusWords {

    private StatusWords() {
    }

    /** {@code online (extending)} for {@code extending}; every other status as it is. */
    public static String label(String status) {
        return status.equals("extending") ? "online (extending)" : status;
    }

    /** The reason without a leading {@code <status>: }. */
    public static String reason(String status, String reason) {
        String prefix = status + ": ";
        return reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason;
    }

    /** {@code online (extending): 8 new segment(s) not served yet by their targets}, or the label alone. */
    public static String describe(String status, String reason) {
        String r = reason(status, reason);
        return label(status) + (r.isEmpty() ? "" : ": " + r);
    }
}
