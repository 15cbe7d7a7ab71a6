package io.nvmesh.service.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Performs planned ops one after the other, and keeps every op it performed (the history a test checks: no teardown
 * without an order). The first op that fails stops the plan; what was done stays done, and the next command plans
 * again from what the host has then.
 */
final class HostExecutor {

    /** An op failed; the message says which and why, fit for an ack. */
    static final class OpFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OpFailed(String message) {
            super(message);
        }
    }

    private final Configfs configfs;
    private final CommandRunner runner;
    private final Duration deviceWait;
    private final List<HostOp> history = new CopyOnWriteArrayList<>();

    HostExecutor(Configfs configfs, CommandRunner runner, Duration deviceWait) {
        this.configfs = configfs;
        this.runner = runner;
        this.deviceWait = deviceWait;
    }

    /** Every op performed so far, in order. */
    List<HostOp> history() {
        return List.copyOf(history);
    }

    void perform(List<HostOp> ops) {
        for (HostOp op : ops) {
            perform(op);
        }
    }

    private void perform(HostOp op) {
        history.add(op);
        try {
            if (op instanceof HostOp.Mkdir m) {
                configfs.mkdir(m.dir());
            } else if (op instanceof HostOp.Write w) {
                configfs.write(w.file(), w.value());
            } else if (op instanceof HostOp.Link l) {
                if (!l.link().startsWith(configfs.root())) {
                    Files.createDirectories(l.link().getParent());
                }
                configfs.link(l.link(), l.target());
            } else if (op instanceof HostOp.Remove r) {
                if (r.path().startsWith(configfs.root())) {
                    configfs.remove(r.path(), r.directory());
                } else {
                    Files.delete(r.path());
                }
            } else if (op instanceof HostOp.AwaitDevice a) {
                await(a.path());
            } else if (op instanceof HostOp.Run r) {
                CommandRunner.Result result = runner.run(r.argv(), r.stdin());
                TargetBackend.requireInstalled(result, r.argv().get(0));
                if (!result.ok()) {
                    throw new OpFailed(r.argv().get(0) + " " + r.argv().get(1) + " failed (exit "
                            + result.exitCode() + "): " + HostInventory.firstLine(result.stderr()));
                }
            }
        } catch (IOException e) {
            throw new OpFailed(op.render().lines().findFirst().orElse("") + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    private void await(Path device) {
        long deadline = System.nanoTime() + deviceWait.toNanos();
        while (!Files.exists(device, LinkOption.NOFOLLOW_LINKS)) {
            if (System.nanoTime() > deadline) {
                throw new OpFailed(device + " did not appear within " + deviceWait.toSeconds() + " s");
            }
            try {
                Thread.sleep(50); // polling udev's work; bounded by deviceWait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OpFailed("interrupted waiting for " + device);
            }
        }
    }
}
