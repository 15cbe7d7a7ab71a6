package io.nvmesh.service.http;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.CommandState;
import io.nvmesh.service.nodes.ReportedNode;
import io.nvmesh.service.web.OverallHealth;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Bodies of {@code /v1/targets}, {@code /v1/drives}, {@code /v1/clients}: what connected agents reported. */
final class NodesJson {

    private NodesJson() {
    }

    /**
     * @param instance the instance answering
     * @param scope    {@code owned}: only nodes this instance owns (ask every instance for the whole fleet)
     */
    record ListJson<T>(String instance, String scope, int count, List<T> items) {
    }

    /**
     * @param health        the target's own health, what placement reads
     * @param overallHealth the worse of its own health and its drives' ({@link OverallHealth}), what people read
     * @param overallReason its drives that are not ok ({@code 1 drive failed}); empty when all are
     * @param command       the last command sent on the node's current connection and its ack; null before the first
     */
    record TargetJson(String id, String owner, boolean connected, String health, String overallHealth,
                      String overallReason, Map<String, String> labels, List<DriveJson> drives,
                      Performance performance, long connectedSinceMillis, long lastReportMillis, long reports,
                      CommandJson command) {

        static TargetJson of(ReportedNode n, CommandState command) {
            OverallHealth overall = OverallHealth.of(n.health(), n.drives().stream().map(Drive::health).toList());
            return new TargetJson(n.id(), n.owner(), n.connected(), lower(n.health()), overall.health(),
                    overall.reason(), n.labels(),
                    n.drives().stream().map(d -> DriveJson.of(n, d)).toList(), n.performance(),
                    n.connectedSinceMillis(), n.lastReportMillis(), n.reports(), CommandJson.of(command));
        }
    }

    /** The last command sent to a node and the agent's answer ({@code ok} and {@code message} once acked). */
    record CommandJson(long seq, long sentAtMillis, boolean acked, boolean ok, String message, long ackedAtMillis) {

        static CommandJson of(CommandState c) {
            return c == null ? null : new CommandJson(c.seq(), c.sentAtMillis(), c.acked(), c.ok(), c.message(),
                    c.ackedAtMillis());
        }
    }

    record DriveJson(String serial, String target, String owner, long capacity, String health,
                     Map<String, String> labels) {

        static DriveJson of(ReportedNode target, Drive d) {
            return new DriveJson(d.serial(), target.id(), target.owner(), d.capacity(), lower(d.health()),
                    d.labels());
        }
    }

    record ClientJson(String id, String owner, boolean connected, String health, Map<String, String> labels,
                      Performance performance, long connectedSinceMillis, long lastReportMillis, long reports,
                      CommandJson command) {

        static ClientJson of(ReportedNode n, CommandState command) {
            return new ClientJson(n.id(), n.owner(), n.connected(), lower(n.health()), n.labels(), n.performance(),
                    n.connectedSinceMillis(), n.lastReportMillis(), n.reports(), CommandJson.of(command));
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
