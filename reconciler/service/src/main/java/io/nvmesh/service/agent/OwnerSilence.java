package io.nvmesh.service.agent;

/**
 * How long a welcomed agent's owner has said nothing, and what the agent does about it: ping after {@code pingEvery}
 * of quiet, give the owner up after more than {@code silentAfter}. Time this agent's own check ran late does not count
 * (a starved or paused agent is not a silent owner). Pure: the caller passes its monotonic nanoseconds, so tests drive
 * it with a fake clock. Not thread-safe; the agent calls it under its lock.
 */
final class OwnerSilence {

    enum Verdict { QUIET_ENOUGH, PING, GIVE_UP }

    private final long pingEveryNanos;
    private final long silentAfterNanos;
    private long lastHeardNanos;
    private long lastCheckNanos;
    private boolean checked;

    OwnerSilence(long pingEveryNanos, long silentAfterNanos, long nowNanos) {
        if (pingEveryNanos < 1 || silentAfterNanos <= pingEveryNanos) {
            throw new IllegalArgumentException("need 0 < pingEvery < silentAfter, got " + pingEveryNanos + " ns, "
                    + silentAfterNanos + " ns");
        }
        this.pingEveryNanos = pingEveryNanos;
        this.silentAfterNanos = silentAfterNanos;
        this.lastHeardNanos = nowNanos;
    }

    /** Any frame from the owner (text, pong). */
    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** A check; call it at least twice per ping interval, and again at {@link #untilGiveUpNanos}. */
    Verdict check(long nowNanos) {
        if (checked && nowNanos - lastCheckNanos > pingEveryNanos) {
            // This check itself ran late (this process starved or paused): the quiet may be ours, not the owner's.
            // Give the owner a ping interval to answer.
            lastHeardNanos = Math.max(lastHeardNanos, nowNanos - pingEveryNanos);
        }
        checked = true;
        lastCheckNanos = nowNanos;
        long quiet = quietNanos(nowNanos);
        if (quiet > silentAfterNanos) {
            return Verdict.GIVE_UP;
        }
        return quiet >= pingEveryNanos ? Verdict.PING : Verdict.QUIET_ENOUGH;
    }

    long quietNanos(long nowNanos) {
        return nowNanos - lastHeardNanos;
    }

    /**
     * How long from now until the owner, if it stays silent, is given up: a check then gives it up on time rather
     * than up to a check period late. Positive.
     */
    long untilGiveUpNanos(long nowNanos) {
        return Math.max(1, lastHeardNanos + silentAfterNanos + 1 - nowNanos);
    }
}
