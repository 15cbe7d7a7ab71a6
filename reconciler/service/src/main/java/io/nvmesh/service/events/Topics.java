package io.nvmesh.service.events;

import java.util.regex.Pattern;

/**
 * Topic and filter syntax. A topic is {@code volume/<name>}, {@code target/<id>}, {@code client/<id>}, {@code
 * drive/<serial>}, {@code capacity} or {@code cluster}. A filter is a topic (exact match) or {@code <kind>/*} (every
 * topic of that kind); no other wildcards, so matching is a set look-up plus at most four prefixes.
 */
public final class Topics {

    private static final Pattern TOPIC = Pattern.compile("(volume|target|client|drive)/[A-Za-z0-9._:@-]{1,253}|capacity|cluster");
    private static final Pattern PREFIX = Pattern.compile("(volume|target|client|drive)/\\*");

    private Topics() {
    }

    /** Throws {@link IllegalArgumentException} with the syntax when {@code topic} is not one. */
    public static String checkTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("not a topic: " + topic + " (volume/<name>, target/<id>, client/<id>,"
                    + " drive/<serial>, capacity or cluster)");
        }
        return topic;
    }

    /** Throws {@link IllegalArgumentException} when {@code filter} is neither a topic nor {@code <kind>/*}. */
    public static String checkFilter(String filter) {
        if (filter != null && PREFIX.matcher(filter).matches()) {
            return filter;
        }
        try {
            return checkTopic(filter);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a topic filter: " + filter + " (a topic, or volume/*, target/*,"
                    + " client/*, drive/*)");
        }
    }

    static boolean isPrefix(String filter) {
        return filter.endsWith("/*");
    }

    /** {@code volume/*} → {@code volume/}. */
    static String prefixOf(String filter) {
        return filter.substring(0, filter.length() - 1);
    }

    static boolean matches(String filter, String topic) {
        return isPrefix(filter) ? topic.startsWith(prefixOf(filter)) : filter.equals(topic);
    }
}
