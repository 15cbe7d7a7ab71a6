package io.nvmesh.service.safety;

import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import io.nvmesh.service.agent.AgentJournal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every session of every simulated node, as the node saw it: who welcomed it, each command it applied and on which
 * session, when the session ended. The node is where two owners would collide (two instances commanding one target),
 * so this is where "never two owners at once" is checked, over the whole run and every ownership change in it:
 *
 * <ul>
 * <li>a node is welcomed only when no other session of it is open: at most one owner at a time;
 * <li>every command it applies arrived on its open session, from that session's owner: a session given up (a silent
 * owner) or ended never commands it again, even if its owner wakes up and writes to it;
 * <li>over the recorded state's whole history, each target's served layout names a command the target applied from
 * that owner, and never one the target applied before the command of a layout recorded earlier: a stale owner cannot
 * record what a target served after a newer owner recorded it;
 * <li>at the end, every target that is connected is recorded healthy (a stale owner's "unreachable" would stay).
 * </ul>
 */
final class NodeJournal implements AgentJournal {

    private record Event(long order, String kind, long session, String owner, long seq, String why) {
    }

    private long order;
    private final Map<String, List<Event>> byNode = new TreeMap<>();
    private int welcomes;
    private int commands;

    @Override
    public synchronized void welcomed(String nodeId, long session, String owner) {
        welcomes++;
        add(nodeId, new Event(++order, "welcomed", session, owner, -1, ""));
    }

    @Override
    public synchronized void applying(String nodeId, long session, String owner, long seq) {
        commands++;
        add(nodeId, new Event(++order, "applying", session, owner, seq, ""));
    }

    @Override
    public synchronized void ended(String nodeId, long session, String owner, String why) {
        add(nodeId, new Event(++order, "ended", session, owner, -1, why));
    }

    private void add(String nodeId, Event e) {
        byNode.computeIfAbsent(nodeId, k -> new ArrayList<>()).add(e);
    }

    synchronized String summary() {
        return welcomes + " welcomes, " + commands + " commands applied by " + byNode.size() + " nodes";
    }

    /** Sessions that overlap and commands from a session that was not the open one. */
    synchronized List<String> violations() {
        List<String> out = new ArrayList<>();
        byNode.forEach((node, events) -> {
            Event open = null;
            for (Event e : events) {
                switch (e.kind()) {
                    case "welcomed" -> {
                        if (open != null) {
                            out.add(node + ": welcomed by " + e.owner() + " (session " + e.session() + ") while its "
                                    + "session " + open.session() + " with " + open.owner() + " was open");
                        }
                        open = e;
                    }
                    case "applying" -> {
                        if (open == null || open.session() != e.session() || !open.owner().equals(e.owner())) {
                            out.add(node + ": applied command " + e.seq() + " from " + e.owner() + " (session "
                                    + e.session() + ") while " + (open == null ? "no session was open"
                                    : open.owner() + "'s session " + open.session() + " was the open one"));
                        }
                    }
                    default -> {
                        if (open != null && open.session() == e.session()) {
                            open = null;
                        }
                    }
                }
            }
        });
        return out;
    }

    /** Where in the journal {@code target} applied {@code owner}'s command {@code seq}, or -1. */
    private long appliedAt(String target, String owner, long seq) {
        for (Event e : byNode.getOrDefault(target, List.of())) {
            if (e.kind().equals("applying") && e.owner().equals(owner) && e.seq() == seq) {
                return e.order();
            }
        }
        return -1;
    }

    /**
     * The served layouts along the state's whole history (first parents, oldest first) against what the targets
     * applied, and the health recorded at the tip for the targets connected at the end.
     */
    synchronized List<String> recordedViolations(StateStore store, Set<String> connectedAtEnd) {
        List<String> out = new ArrayList<>();
        String tip = store.resolve(StateStore.STATE_REF);
        if (tip.isEmpty()) {
            return out;
        }
        Map<String, ServedLayout> last = new HashMap<>();
        Map<String, Long> lastAt = new HashMap<>();
        RecordedState state = null;
        for (String commit : store.firstParents(StateStore.STATE_REF, tip, "")) {
            StateFiles.Decoded d;
            try {
                d = StateFiles.decode(store.read(StateStore.STATE_REF, commit));
            } catch (StateStoreException e) {
                continue; // WholeHistory names it
            }
            if (!d.problems().isEmpty()) {
                continue;
            }
            state = d.state();
            for (ServedLayout l : state.served().values()) {
                if (l.equals(last.get(l.target()))) {
                    continue;
                }
                last.put(l.target(), l);
                long at = appliedAt(l.target(), l.owner(), l.seq());
                if (at < 0) {
                    out.add("state " + commit + ": served layout of " + l.target() + " names command " + l.seq()
                            + " of " + l.owner() + ", which the target never applied from it");
                    continue;
                }
                Long before = lastAt.put(l.target(), at);
                if (before != null && at < before) {
                    out.add("state " + commit + ": served layout of " + l.target() + " goes back to command "
                            + l.seq() + " of " + l.owner() + ", applied before the command of the layout recorded "
                            + "earlier: a stale owner recorded it");
                }
            }
        }
        if (state != null) {
            for (var t : state.inventory().targets()) {
                if (connectedAtEnd.contains(t.id()) && t.health() != TargetHealth.HEALTHY) {
                    out.add("tip: target " + t.id() + " is connected but recorded " + t.health());
                }
            }
        }
        return out;
    }
}
