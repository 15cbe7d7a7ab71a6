package io.nvmesh.cli;

import io.nvmesh.cli.remote.ControlCharacters;
import io.nvmesh.cli.remote.VolumeWait;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code apply --wait} shows while it waits. Not on a terminal (a CI log, a pipe): one line per state change,
 * so the log tells the story. On a terminal: settled volumes as lines, and one summary line updated in place.
 * Colour only on a terminal and never with {@code NO_COLOR}. Notes may come from the event thread, hence the lock.
 */
final class WaitProgress implements VolumeWait.Progress {

    private static final String GREEN = "\u001b[32m";
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";
    private static final String CLEAR_LINE = "\r\u001b[K";

    private final PrintWriter out;
    private final boolean interactive;
    private final boolean colour;
    private final long start = System.nanoTime();
    private boolean summaryShown;

    WaitProgress(PrintWriter out, boolean interactive, boolean colour) {
        this.out = out;
        this.interactive = interactive;
        this.colour = colour;
    }

    @Override
    public synchronized void changed(VolumeWait.State s) {
        if (interactive && !s.settled()) {
            return;
        }
        line("  [" + elapsed() + "] " + ControlCharacters.escape(s.name()) + ": " + paint(s));
    }

    @Override
    public synchronized void round(List<VolumeWait.State> all) {
        if (!interactive) {
            return;
        }
        long online = all.stream().filter(s -> s.verdict() == VolumeWait.Verdict.ONLINE).count();
        long deleted = all.stream().filter(s -> s.verdict() == VolumeWait.Verdict.DELETED).count();
        long failed = all.stream().filter(s -> s.verdict() == VolumeWait.Verdict.FAILED).count();
        long waiting = all.size() - online - deleted - failed;
        out.print(CLEAR_LINE + "waiting for " + all.size() + " volume(s): " + online + " online, "
                + (deleted > 0 ? deleted + " deleted, " : "") + failed + " failed, " + waiting + " waiting ("
                + elapsed() + ")");
        out.flush();
        summaryShown = true;
    }

    @Override
    public synchronized void note(String line) {
        line("  " + ControlCharacters.escape(line));
    }

    /** Ends the summary line, so what follows starts on a line of its own. */
    synchronized void finish() {
        if (summaryShown) {
            out.println();
            out.flush();
            summaryShown = false;
        }
    }

    private void line(String text) {
        if (summaryShown) {
            out.print(CLEAR_LINE);
            summaryShown = false;
        }
        out.println(text);
        out.flush();
    }

    private String paint(VolumeWait.State s) {
        String text = ControlCharacters.escape(s.describe());
        if (!colour) {
            return text;
        }
        return switch (s.verdict()) {
            case ONLINE, DELETED -> GREEN + text + RESET;
            case FAILED -> RED + text + RESET;
            case WAITING -> text;
        };
    }

    private String elapsed() {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }
}
