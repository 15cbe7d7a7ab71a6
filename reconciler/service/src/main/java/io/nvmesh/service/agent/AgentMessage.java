package io.nvmesh.service.agent;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;

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
            if (protocols == null || protocols.isEmpty() || protocols.size() > MessageRules.MAX_PROTOCOLS
                    || protocols.stream().anyMatch(v -> v == null || v < 1)) {
                throw new IllegalArgumentException("protocols: offer 1 to " + MessageRules.MAX_PROTOCOLS
                        + " positive version numbers");
            }
            protocols = List.copyOf(protocols);
            if (!AgentProtocol.isNodeId(nodeId)) {
                throw new IllegalArgumentException("nodeId: must be 1-63 lower-case letters, digits, '.', '_' or"
                        + " '-', starting with a letter or digit");
            }
            if (kind == null) {
                throw new IllegalArgumentException("kind: target or client is required");
            }
            labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
            MessageRules.checkLabels("labels", labels);
            drives = drives == null ? List.of() : List.copyOf(drives);
            if (kind == NodeKind.CLIENT && !drives.isEmpty()) {
                throw new IllegalArgumentException("drives: client " + nodeId + " cannot report drives");
            }
            MessageRules.checkDrives("drives", drives);
        }

        /** The ownership key of this node, e.g. {@code target/t-001}. */
        public String key() {
            return kind.key(nodeId);
        }
    }

    /**
     * Instance to agent: accepted; send reports every {@code reportIntervalMillis}.
     *
     * @param successor    the instance that would own the node if this one left, when another is live (a hint the
     *                     agent dials first when the connection drops; absent from the text when null)
     * @param successorUrl that instance's base URL
     */
    record Welcome(int protocol, String nodeId, String owner, long reportIntervalMillis,
                   @JsonInclude(JsonInclude.Include.NON_NULL) String successor,
                   @JsonInclude(JsonInclude.Include.NON_NULL) String successorUrl) implements AgentMessage {

        public Welcome {
            AgentProtocol.checkNodeId(nodeId);
            Objects.requireNonNull(owner, "owner");
            if (reportIntervalMillis < 1) {
                throw new IllegalArgumentException("report interval must be positive");
            }
        }

        /** A welcome that names no successor (a lone instance). */
        public Welcome(int protocol, String nodeId, String owner, long reportIntervalMillis) {
            this(protocol, nodeId, owner, reportIntervalMillis, null, null);
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
            if (seq < 0) {
                throw new IllegalArgumentException("seq: must not be negative");
            }
            if (health == null) {
                throw new IllegalArgumentException("health: healthy or unhealthy is required");
            }
            drives = drives == null ? List.of() : List.copyOf(drives);
            performance = performance == null ? Performance.IDLE : performance;
            MessageRules.checkDrives("drives", drives);
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
            MessageRules.checkText("message", message, MessageRules.MAX_ACK_MESSAGE);
        }

        /** A refusal whose reason the agent did not write (an exception's message): made to fit. */
        public static Ack refused(long seq, String reason) {
            return new Ack(seq, false, MessageRules.cleanText(String.valueOf(reason), MessageRules.MAX_ACK_MESSAGE));
        }
    }
}
