package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every message of the agent protocol (see {@code docs/agent-protocol.md}). On the wire each is one JSON text frame
 * with a {@code type} field: the record's name in lower case.
 */
public sealed interface AgentMessage {

    /**
     * Agent to instance, first message on every connection.
     *
     * @param protocols the protocol versions the agent speaks; the instance picks the highest it speaks too
     * @param labels    the node's labels (a target's failure domains such as {@code rack}, {@code zone})
     * @param drives    a target's drives; empty for a client
     */
    record Hello(List<Integer> protocols, String nodeId, NodeKind kind, Map<String, String> labels,
                 List<Drive> drives) implements AgentMessage {

        public Hello {
            protocols = List.copyOf(protocols);
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("hello must offer at least one protocol version");
            }
            AgentProtocol.checkNodeId(nodeId);
            Objects.requireNonNull(kind, "kind");
            labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
            drives = drives == null ? List.of() : List.copyOf(drives);
            if (kind == NodeKind.CLIENT && !drives.isEmpty()) {
                throw new IllegalArgumentException("client " + nodeId + " cannot report drives");
            }
            checkSerialsDistinct(nodeId, drives);
        }

        /** The ownership key of this node, e.g. {@code target/t-001}. */
        public String key() {
            return kind.key(nodeId);
        }
    }

    /** Instance to agent: accepted; send reports every {@code reportIntervalMillis}. */
    record Welcome(int protocol, String nodeId, String owner, long reportIntervalMillis) implements AgentMessage {

        public Welcome {
            AgentProtocol.checkNodeId(nodeId);
            Objects.requireNonNull(owner, "owner");
            if (reportIntervalMillis < 1) {
                throw new IllegalArgumentException("report interval must be positive");
            }
        }
    }

    /** Instance to agent: this instance does not own the node; reconnect to {@code url}. The instance then closes. */
    record Redirect(String nodeId, String owner, String url) implements AgentMessage {

        public Redirect {
            AgentProtocol.checkNodeId(nodeId);
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(url, "url");
        }
    }

    /**
     * Agent to instance, every report interval: the whole current state (not a delta), so a lost report costs
     * nothing.
     *
     * @param seq    grows by one per report on this agent's life
     * @param health the node's own health
     * @param drives a target's drives as they are now (a drive that left is simply absent)
     */
    record Report(long seq, TargetHealth health, List<Drive> drives, Performance performance)
            implements AgentMessage {

        public Report {
            Objects.requireNonNull(health, "health");
            drives = drives == null ? List.of() : List.copyOf(drives);
            performance = performance == null ? Performance.IDLE : performance;
            checkSerialsDistinct("report " + seq, drives);
        }
    }

    /**
     * Instance to agent: the complete desired configuration of the node, replacing the previous one (level, not
     * edge: applying the same command twice changes nothing). Targets get {@code segments}, clients {@code
     * attachments}.
     */
    record Command(long seq, List<SegmentLayout> segments, List<Attachment> attachments) implements AgentMessage {

        public Command {
            segments = segments == null ? List.of() : List.copyOf(segments);
            attachments = attachments == null ? List.of() : List.copyOf(attachments);
            if (!segments.isEmpty() && !attachments.isEmpty()) {
                throw new IllegalArgumentException("a command is for a target (segments) or a client (attachments)");
            }
        }
    }

    /** Agent to instance: command {@code seq} was applied ({@code ok}) or not, and why. */
    record Ack(long seq, boolean ok, String message) implements AgentMessage {

        public Ack {
            message = message == null ? "" : message;
        }
    }

    private static void checkSerialsDistinct(String where, List<Drive> drives) {
        Set<String> seen = new HashSet<>();
        for (Drive d : drives) {
            if (!seen.add(d.serial())) {
                throw new IllegalArgumentException(where + ": drive " + d.serial() + " is listed twice");
            }
        }
    }
}
