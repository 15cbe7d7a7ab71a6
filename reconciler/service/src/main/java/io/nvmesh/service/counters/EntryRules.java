package io.nvmesh.service.counters;

import io.nvmesh.core.record.StateFiles;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a counter entry may say, whoever sent it: a partition of a known space with a well-formed id, a counter of a
 * kind that partition contributes, a value a count of that kind can have, and a stamp that leaves room to outrank it.
 * Entries from peers and entries read back from the files are held to the same rules; an entry that breaks them is
 * never merged (a peer's) or is dropped (a file's).
 *
 * <p>The bounds are far above anything real (an exbibyte per target, a million drives) and far below where a sum of
 * 250,000 entries or a take-over's {@code term + 1} could overflow.
 */
public final class EntryRules {

    /** Highest term or sequence accepted: a take-over adds one, and that must not overflow. */
    public static final long MAX_STAMP = 1L << 62;
    /** Highest byte count of one target's counter (1 EiB). */
    public static final long MAX_BYTES = 1L << 60;
    /** Highest drive count of one target. */
    public static final long MAX_DRIVES = 1L << 20;
    /** How far a peer's clock may run ahead of ours: an epoch later than now + this is refused. */
    public static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);

    /** Why an entry was refused; the slugs are the {@code reason} label of the refusal metric. */
    public static final String NOT_YOUR_ID = "not-your-id";
    public static final String BAD_PARTITION = "bad-partition";
    public static final String BAD_COUNTER = "bad-counter";
    public static final String BAD_VALUE = "bad-value";
    public static final String BAD_STAMP = "bad-stamp";
    public static final String FUTURE_EPOCH = "future-epoch";
    public static final String UNKNOWN_PARTITION = "unknown-partition";
    public static final String OVERFLOW = "overflow";

    /** Statuses, health and states are lower-case words, as {@link CounterDeltas} writes them. */
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private EntryRules() {
    }

    /**
     * The first rule the entry breaks, or null when it keeps them all.
     *
     * @param now epoch milliseconds of this instance's clock
     * @param skew how far ahead of {@code now} an epoch may be
     */
    static Refusal check(CounterEntry e, long now, Duration skew) {
        String problem = partitionProblem(e.partition());
        if (problem != null) {
            return new Refusal(e, BAD_PARTITION, problem);
        }
        String space = e.partition().substring(0, e.partition().indexOf('/'));
        String id = e.partition().substring(space.length() + 1);
        long cap = capOf(space, id, e.counter());
        if (cap < 0) {
            return new Refusal(e, BAD_COUNTER, "a " + space + " partition has no counter " + e.counter());
        }
        if (e.value() < 0 || e.value() > cap) {
            return new Refusal(e, BAD_VALUE, e.counter() + " must be 0.." + cap + ", got " + e.value());
        }
        Stamp s = e.stamp();
        if (s.term() > MAX_STAMP || s.seq() > MAX_STAMP) {
            return new Refusal(e, BAD_STAMP, "term and seq must be at most 2^62, got " + s.term() + "/" + s.seq());
        }
        // A first claim's term is its writer's start time in milliseconds and each take-over adds one, far slower
        // than the clock moves: a term beyond the clock (plus the skew) is no honest claim, and would sit on the
        // partition where no honest take-over could outrank it.
        if (s.term() > now + skew.toMillis()) {
            return new Refusal(e, BAD_STAMP, "term " + s.term() + " is beyond this instance's clock (" + now
                    + ") plus " + skew.toSeconds() + " s");
        }
        if (s.epoch() > now + skew.toMillis()) {
            return new Refusal(e, FUTURE_EPOCH, "epoch " + s.epoch() + " is more than " + skew.toSeconds()
                    + " s ahead of this instance's clock (" + now + ")");
        }
        return null;
    }

    /** Null when the partition is {@code target/<id>}, {@code volume/<name>} or {@code client/<id>}. */
    static String partitionProblem(String partition) {
        int slash = partition.indexOf('/');
        String space = slash < 0 ? "" : partition.substring(0, slash);
        if (!Counters.SPACES.contains(space)) {
            return "partition " + partition + " is not target/<id>, volume/<name> or client/<id>";
        }
        // Ids and names by the rule of the recorded state's file names (node ids and volume names are stricter).
        if (!StateFiles.ID.matcher(partition.substring(slash + 1)).matches()) {
            return "partition " + partition + " has an id that the recorded state cannot hold";
        }
        return null;
    }

    /**
     * The highest value of a counter in a partition of {@code space}, or -1 when that partition never contributes it
     * (see docs/counters.md, Key scheme).
     */
    private static long capOf(String space, String id, String counter) {
        String[] parts = counter.split("/", 3);
        switch (space) {
            case "volume" -> {
                return parts.length == 2 && parts[0].equals("volumes") && word(parts[1]) ? 1 : -1;
            }
            case "client" -> {
                return parts.length == 3 && parts[0].equals("servers") && parts[1].equals("client") && word(parts[2])
                        ? 1 : -1;
            }
            case "target" -> {
                if (parts.length == 3 && parts[0].equals("servers") && parts[1].equals("target") && word(parts[2])) {
                    return 1;
                }
                if (parts.length == 2 && parts[0].equals("drives") && word(parts[1])) {
                    return MAX_DRIVES;
                }
                if (parts.length == 3 && parts[0].equals("bytes") && CounterKeys.FIELDS.contains(parts[1])
                        && byteScope(id, parts[2])) {
                    return MAX_BYTES;
                }
                return -1;
            }
            default -> {
                return -1;
            }
        }
    }

    /** {@code cluster}, {@code domain/<key>=<value>}, {@code class/<name>}, or {@code target/<its own id>}. */
    private static boolean byteScope(String target, String scope) {
        if (scope.equals(CounterKeys.CLUSTER)) {
            return true;
        }
        if (scope.startsWith(CounterKeys.TARGET)) {
            return scope.substring(CounterKeys.TARGET.length()).equals(target);
        }
        if (scope.startsWith(CounterKeys.DOMAIN)) {
            String domain = scope.substring(CounterKeys.DOMAIN.length());
            return domain.indexOf('=') > 0 && printable(domain);
        }
        if (scope.startsWith(CounterKeys.CLASS)) {
            String name = scope.substring(CounterKeys.CLASS.length());
            return !name.isEmpty() && printable(name);
        }
        return false;
    }

    private static boolean word(String s) {
        return WORD.matcher(s).matches();
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(Character::isISOControl);
    }

    /**
     * One entry not merged, and why.
     *
     * @param reason one of the slugs above
     * @param detail a sentence naming what is wrong
     */
    public record Refusal(CounterEntry entry, String reason, String detail) {

        /** The entry and the reason, for a problem's detail or a log line. */
        public String describe() {
            Stamp s = entry.stamp();
            return entry.partition() + " " + entry.counter() + "=" + entry.value() + " (term " + s.term()
                    + ", contributor " + s.contributor() + ", epoch " + s.epoch() + ", seq " + s.seq() + "): "
                    + detail;
        }
    }
}
