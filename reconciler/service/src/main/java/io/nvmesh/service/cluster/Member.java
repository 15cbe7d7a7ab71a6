package io.nvmesh.service.cluster;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A reconciler instance as configured: its id and the base URL its peers reach it at.
 *
 * @param id  lower-case letters, digits, {@code .}, {@code _}, {@code -}; at most 63 characters
 * @param url absolute {@code http} or {@code https} URL without query or fragment
 */
public record Member(String id, URI url) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public Member {
        checkId(id);
        checkUrl(url);
    }

    /** Checks an instance id; the message says what is wrong with it. */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("instance id \"" + id
                    + "\" must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return id;
    }

    static URI checkUrl(URI url) {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (!url.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null
                || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("\"" + url + "\" is not an http(s) base URL such as http://10.0.0.5:7420");
        }
        return url;
    }
}
