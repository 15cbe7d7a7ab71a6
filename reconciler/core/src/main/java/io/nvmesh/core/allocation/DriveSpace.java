package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The planner's working view of one drive: a free list (offset → length, coalesced) and its fill ratio, by which
 * candidate pools order drives least-filled first. Mutable; only {@link Workspace} changes it.
 */
final class DriveSpace {

    final int index;
    final String serial;
    final Target target;
    final Drive drive;
    final int targetIndex;
    final long capacity;
    final boolean eligible;
    /** Listed as failed: a segment on it is gone (as {@link LiveCopies#failed} says). */
    final boolean failed;
    final int tieBreak;
    /** The candidate pools that count this drive's free bytes. */
    final List<CandidatePool> owners = new ArrayList<>(1);
    /**
     * Offset → length of each free extent; null until first needed, while {@link #recorded} says what is taken. A
     * {@code diff} that places nothing never asks, and 120,000 drives' free lists were a quarter of its planning.
     */
    private TreeMap<Long, Long> free;
    /** Recorded extents taken by {@link #reserveSorted}, as offset, length pairs by offset; null once {@link #free} is built. */
    private long[] recorded;
    private long allocated;
    private long largestFree;
    private double ratio;

    DriveSpace(int index, Target target, Drive drive, int targetIndex, boolean eligible) {
        this.index = index;
        this.serial = drive.serial();
        this.target = target;
        this.drive = drive;
        this.targetIndex = targetIndex;
        this.capacity = drive.usableCapacity();
        this.eligible = eligible && capacity > 0;
        this.failed = drive.health() == DriveHealth.FAILED;
        this.tieBreak = mix(serial.hashCode());
        free = new TreeMap<>();
        if (capacity > 0) {
            free.put(0L, capacity);
        }
        refresh();
    }

    /**
     * Takes the recorded extents {@code pairs[from..to)} (offset, length, sorted by offset) out of a drive nothing was reserved
     * on yet, as {@link #reserve} one by one would; false, changing nothing, if any two overlap or one lies outside the
     * drive (the caller then reserves one by one to say which). The free list is built when first asked for.
     */
    boolean reserveSorted(long[] pairs, int from, int to) {
        if (allocated != 0 || recorded != null) {
            throw new IllegalStateException("drive " + serial + " already has extents reserved");
        }
        long end = 0;
        long sum = 0;
        long largest = 0;
        for (int i = from; i < to; i += 2) {
            long offset = pairs[i];
            long length = pairs[i + 1];
            if (offset < end || offset + length > capacity) {
                return false;
            }
            largest = Math.max(largest, offset - end);
            end = offset + length;
            sum += length;
        }
        largest = Math.max(largest, capacity - end);
        free = null;
        recorded = java.util.Arrays.copyOfRange(pairs, from, to);
        allocated = sum;
        largestFree = largest;
        ratio = capacity == 0 ? 1.0 : (double) allocated / capacity;
        return true;
    }

    /** The free list, built from the recorded extents on first use: the gaps between them, as reserve leaves them. */
    private TreeMap<Long, Long> free() {
        if (free == null) {
            TreeMap<Long, Long> out = new TreeMap<>();
            long at = 0;
            for (int i = 0; i < recorded.length; i += 2) {
                if (recorded[i] > at) {
                    out.put(at, recorded[i] - at);
                }
                at = recorded[i] + recorded[i + 1];
            }
            if (at < capacity) {
                out.put(at, capacity - at);
            }
            free = out;
            recorded = null;
        }
        return free;
    }

    long largestFree() {
        return largestFree;
    }

    long allocated() {
        return allocated;
    }

    double ratio() {
        return ratio;
    }

    /** The free list as it stands, offset → length (a copy, for tests that compare ways of building it). */
    java.util.SortedMap<Long, Long> freeExtents() {
        return new TreeMap<>(free());
    }

    /** How many extents of {@code length} the free list could still give. */
    long slots(long length) {
        long n = 0;
        for (long l : free().values()) {
            n += l / length;
        }
        return n;
    }

    boolean fits(long length, int alreadyTaken) {
        if (alreadyTaken == 0) {
            return largestFree >= length;
        }
        return largestFree >= length && slots(length) > alreadyTaken;
    }

    /** Takes a recorded extent out of the free list; false if any part of it is not free. */
    boolean reserve(long offset, long length) {
        Map.Entry<Long, Long> e = free().floorEntry(offset);
        if (e == null || e.getKey() + e.getValue() < offset + length) {
            return false;
        }
        long start = e.getKey();
        long end = start + e.getValue();
        free().remove(start);
        if (offset > start) {
            free().put(start, offset - start);
        }
        if (offset + length < end) {
            free().put(offset + length, end - offset - length);
        }
        allocated += length;
        refresh();
        return true;
    }

    /** Best fit: the smallest free extent that holds {@code length}, lowest offset first; returns its offset. */
    long allocate(long length) {
        long bestOffset = -1;
        long bestLength = Long.MAX_VALUE;
        for (Map.Entry<Long, Long> e : free().entrySet()) {
            long l = e.getValue();
            if (l >= length && l < bestLength) {
                bestLength = l;
                bestOffset = e.getKey();
            }
        }
        if (bestOffset < 0) {
            throw new IllegalStateException("drive " + serial + " has no free extent of " + length);
        }
        reserve(bestOffset, length);
        return bestOffset;
    }

    void release(long offset, long length) {
        long start = offset;
        long end = offset + length;
        Map.Entry<Long, Long> before = free().floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() > offset) {
            throw new IllegalStateException("drive " + serial + ": releasing " + offset + "+" + length + " twice");
        }
        if (before != null && before.getKey() + before.getValue() == offset) {
            start = before.getKey();
            free().remove(before.getKey());
        }
        Long after = free().get(end);
        if (after != null) {
            free().remove(end);
            end += after;
        }
        free().put(start, end - start);
        allocated -= length;
        refresh();
    }

    private void refresh() {
        long max = 0;
        for (long l : free().values()) {
            max = Math.max(max, l);
        }
        largestFree = max;
        ratio = capacity == 0 ? 1.0 : (double) allocated / capacity;
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    @Override
    public String toString() {
        return serial;
    }
}
