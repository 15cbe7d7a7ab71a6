package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.StateStoreException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Whether {@link StateWriter}'s writers are stopped, and why: every read and write runs through {@link #guarded}, which
 * keeps {@link #unavailable()} up to date with how it went and tells each change to the listeners ({@code /readyz}, a
 * metric and an event). Thread-safe.
 */
final class StateHealth {

    /** Logged under the writer's name: the lines are the writer's, and log settings already name it. */
    private static final System.Logger LOG = System.getLogger(StateWriter.class.getName());

    /**
     * Carries a refusal that means the state itself is unavailable (not a writer's own refusal) to {@link #guarded}.
     */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final GitOpsRefusal refusal;

        Unavailable(GitOpsRefusal refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
        }
    }

    private volatile String unavailable = "";
    private final List<Consumer<String>> healthListeners = new CopyOnWriteArrayList<>();

    /** Why writers are stopped ({@code ""}: they are not). */
    String unavailable() {
        return unavailable;
    }

    void addListener(Consumer<String> listener) {
        healthListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Runs a read or write, keeping {@link #unavailable()} up to date with how it went. */
    <T> T guarded(Supplier<T> work) {
        try {
            T out = work.get();
            health("");
            return out;
        } catch (Unavailable e) {
            health(e.refusal.getMessage().lines().findFirst().orElse(""));
            throw e.refusal;
        } catch (StateStoreException e) {
            health("recorded state is unreadable: " + e.getMessage());
            throw e;
        }
    }

    private void health(String why) {
        if (!why.equals(unavailable)) {
            unavailable = why;
            if (!healthListeners.isEmpty()) {
                // a service (the command line reports the error itself)
                LOG.log(why.isEmpty() ? System.Logger.Level.INFO : System.Logger.Level.ERROR,
                        why.isEmpty() ? "recorded state is available again" : why);
            }
            for (Consumer<String> l : healthListeners) {
                try {
                    l.accept(why);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a state health listener failed", e);
                }
            }
        }
    }
}
