package io.nvmesh.core.reconcile;

/**
 * One thing that happens to a cluster in a generated history ({@link HistoryProperties}): a person changes the desired
 * branch, an agent reports inventory or acks a layout, or a reconciler runs a pass, perhaps while something else lands
 * between its reads and its compare-and-swap. Each prints as one short line, so a shrunk history reads as a script.
 * Indices are taken modulo what exists (targets, reconcilers); a drive index counts the drives that hold some
 * volume's space when the step runs (every drive while none does), and the log names the drive it was.
 */
sealed interface HistoryStep {

    /** {@code v<volume>.yaml} says: this policy, this size ({@code gib == 0}: {@code capacity: max}), protected? */
    record Apply(int volume, String policy, int gib, boolean protect) implements HistoryStep {
        @Override
        public String toString() {
            return "apply v" + volume + " " + policy + " " + (gib == 0 ? "max" : gib + "GiB")
                    + (protect ? " protected" : "");
        }
    }

    /** {@code v<volume>.yaml} is deleted from the desired branch (if it is there). */
    record Remove(int volume) implements HistoryStep {
        @Override
        public String toString() {
            return "remove v" + volume;
        }
    }

    /** {@code v<volume>.yaml} asks for {@code gib} more (if it is there and not {@code max}). */
    record Grow(int volume, int gib) implements HistoryStep {
        @Override
        public String toString() {
            return "grow v" + volume + " by " + gib + "GiB";
        }
    }

    /** A {@code kind: Drive} intent for a drive: cordon, evacuate, or none (its file is deleted). */
    record Intent(int drive, DriveIntentKind kind) implements HistoryStep {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " drive #" + drive;
        }
    }

    enum DriveIntentKind {
        CORDON, EVACUATE, CLEAR
    }

    /** An agent reports a drive failed (recorded through the state writer, as an inventory batch). */
    record FailDrive(int drive) implements HistoryStep {
        @Override
        public String toString() {
            return "fail drive #" + drive;
        }
    }

    /** A drive is taken out of its target and put into target {@code target} (followed by serial). */
    record MoveDrive(int drive, int target) implements HistoryStep {
        @Override
        public String toString() {
            return "move drive #" + drive + " into target #" + target;
        }
    }

    /** A target recorded from an inventory file gets a node agent (it is managed from now on). */
    record AgentConnects(int target) implements HistoryStep {
        @Override
        public String toString() {
            return "agent connects on target #" + target;
        }
    }

    /** A target stops answering ({@code removed == false}: recorded unhealthy) or leaves the inventory. */
    record TargetDown(int target, boolean removed) implements HistoryStep {
        @Override
        public String toString() {
            return (removed ? "remove target #" : "target unhealthy #") + target;
        }
    }

    /** A target is back, healthy, with its drives (failed ones still failed). */
    record TargetUp(int target) implements HistoryStep {
        @Override
        public String toString() {
            return "target back #" + target;
        }
    }

    /**
     * The agents of the managed, reachable targets in {@code targets} (bit i: target i) ack the layout computed from
     * the state {@code stale} commits before the tip (0: the tip): what a reconciler with an old view would send.
     */
    record Ack(int targets, int stale) implements HistoryStep {
        @Override
        public String toString() {
            return "ack targets " + Integer.toBinaryString(targets) + (stale == 0 ? " from the tip"
                    : " from " + stale + " state commit(s) back");
        }
    }

    /**
     * What a quiet moment of a live cluster does: every reachable managed target acks the tip's layout, then
     * reconciler {@code reconciler} runs a pass.
     */
    record Settle(int reconciler) implements HistoryStep {
        @Override
        public String toString() {
            return "settle: all ack the tip, then pass R" + reconciler;
        }
    }

    /**
     * Reconciler {@code reconciler} runs one pass; with a race, other steps happen after it read the desired tip and
     * before it reads the state ({@link Race.When#BEFORE_STATE_READ}), or after it decided and before its
     * compare-and-swap ({@link Race.When#BEFORE_CAS}).
     */
    record Pass(int reconciler, Race race) implements HistoryStep {
        @Override
        public String toString() {
            return "pass R" + reconciler + (race == null ? "" : ", and " + race);
        }
    }

    /** What lands inside a pass, and when: one or two steps (e.g. a desired commit, and another owner's pass). */
    record Race(When when, java.util.List<HistoryStep> interlopers) {
        enum When {
            BEFORE_STATE_READ("after its desired read"), BEFORE_CAS("before its compare-and-swap");

            final String text;

            When(String text) {
                this.text = text;
            }
        }

        public Race {
            interlopers = java.util.List.copyOf(interlopers);
            if (interlopers.stream().anyMatch(s -> s instanceof Pass p && p.race() != null)) {
                throw new IllegalArgumentException("races do not nest");
            }
        }

        @Override
        public String toString() {
            return when.text + ": " + String.join(", then ", interlopers.stream().map(HistoryStep::toString).toList());
        }
    }
}
