package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.record.StateFiles;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What an agent may say about its node, by the rules manifests and inventory files follow: whatever passes here is
 * recorded on the state ref and shown by the CLI and the dashboard, so an agent (or whoever holds its credential) must
 * not be able to put markup, control characters or unbounded amounts of text there. Messages name the offending field
 * and never echo its value: the value is the attacker's, and it would end up in close reasons and logs.
 */
final class MessageRules {

    /** More drives than any chassis holds. */
    static final int MAX_DRIVES = 1_024;
    static final int MAX_LABELS = 64;
    static final int MAX_PROTOCOLS = 16;
    /** 1 PiB: an order of magnitude above the largest drives sold; keeps capacity sums far from overflowing. */
    static final long MAX_CAPACITY = 1L << 50;
    /** Counters stay exact in JSON readers that use doubles (the dashboard). */
    static final long MAX_COUNTER = 1L << 53;
    static final int MAX_ACK_MESSAGE = 256;

    /** The manifests' rules (schema/.../v1/*.schema.json), so an agent says nothing a manifest could not. */
    private static final Pattern LABEL_KEY = io.nvmesh.schema.Metadata.LABEL_KEY;
    private static final Pattern LABEL_VALUE = io.nvmesh.schema.Metadata.LABEL_VALUE;

    /**
     * Label keys and values that passed once (they pass again): a fleet's drives repeat a few models and classes in
     * every report, and the patterns were a good part of a report's cost. Bounded; once full, the patterns decide.
     */
    private static final int MAX_PASSED = 4_096;
    private static final Set<String> PASSED_KEYS = ConcurrentHashMap.newKeySet();
    private static final Set<String> PASSED_VALUES = ConcurrentHashMap.newKeySet();

    private MessageRules() {
    }

    private static boolean passes(Pattern pattern, Set<String> passed, String text) {
        if (passed.contains(text)) {
            return true;
        }
        if (!pattern.matcher(text).matches()) {
            return false;
        }
        if (passed.size() < MAX_PASSED) {
            passed.add(text);
        }
        return true;
    }

    /**
     * {@link StateFiles#ID} ({@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}) without the regex engine: every drive of every
     * report is checked.
     */
    static boolean isSerial(String s) {
        if (s.isEmpty() || s.length() > 128 || !asciiAlnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!asciiAlnum(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean asciiAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    static void checkLabels(String field, Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException(field + ": " + labels.size() + " labels, at most " + MAX_LABELS);
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || !passes(LABEL_KEY, PASSED_KEYS, e.getKey())) {
                throw new IllegalArgumentException(field + ": a key is not a label key (an optional DNS prefix and"
                        + " '/', then 1-63 of A-Z a-z 0-9 - _ . starting and ending with a letter or digit)");
            }
            if (e.getValue() == null || !passes(LABEL_VALUE, PASSED_VALUES, e.getValue())) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": not a label value (at most 63 of"
                        + " A-Z a-z 0-9 - _ . starting and ending with a letter or digit)");
            }
        }
    }

    /** Serials as in inventory files; each at most once; labels, capacity and health as well. */
    static void checkDrives(String field, List<Drive> drives) {
        if (drives.size() > MAX_DRIVES) {
            throw new IllegalArgumentException(field + ": " + drives.size() + " drives, at most " + MAX_DRIVES);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < drives.size(); i++) {
            Drive d = drives.get(i);
            String at = field + "[" + i + "]";
            if (d == null) {
                throw new IllegalArgumentException(at + ": null is not a drive");
            }
            if (!isSerial(d.serial())) {
                throw new IllegalArgumentException(at + ".serial: not a serial (letters, digits, '.', '_' and '-',"
                        + " at most 128)");
            }
            if (!seen.add(d.serial())) {
                throw new IllegalArgumentException(at + ".serial: drive " + d.serial() + " is listed twice");
            }
            if (d.capacity() > MAX_CAPACITY) {
                throw new IllegalArgumentException(at + ".capacity: above " + MAX_CAPACITY + " bytes (1 PiB)");
            }
            checkLabels(at + ".labels", d.labels());
        }
    }

    static void checkCounter(String field, long value) {
        if (value < 0 || value > MAX_COUNTER) {
            throw new IllegalArgumentException(field + ": must be 0 to 2^53");
        }
    }

    /** Free text a person reads: bounded, one line, nothing a terminal or a layout engine would act on. */
    static void checkText(String field, String text, int max) {
        if (text.length() > max) {
            throw new IllegalArgumentException(field + ": " + text.length() + " characters, at most " + max);
        }
        for (int i = 0; i < text.length(); i++) {
            if (!printable(text.charAt(i))) {
                throw new IllegalArgumentException(field + ": control or formatting character at " + i);
            }
        }
    }

    /** The same text, made to pass {@link #checkText}: what an agent does with a failure it did not write. */
    static String cleanText(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(printable(c) ? c : ' ');
        }
        return out.toString();
    }

    private static boolean printable(char c) {
        int type = Character.getType(c);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE;
    }
}
