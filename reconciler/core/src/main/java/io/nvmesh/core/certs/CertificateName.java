package io.nvmesh.core.certs;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a certificate names, by the convention of docs/security.md: URI subject alternative names
 * {@code urn:nvmesh:instance:<id>}, {@code urn:nvmesh:admin:<name>}, {@code urn:nvmesh:read:<name>}, or for an agent
 * {@code urn:nvmesh:agent:<node-id>} once per node it speaks for, its credential's name in the subject's CN. One role
 * per certificate; a certificate that mixes roles or names two instances names nobody.
 *
 * @param role  what the certificate's holder is
 * @param name  the credential name it stands for (an instance's id)
 * @param nodes for an agent, the node ids it speaks for (exact ids, never patterns); empty otherwise
 */
public record CertificateName(Role role, String name, List<String> nodes) {

    public static final String PREFIX = "urn:nvmesh:";
    private static final int URI_SAN = 6;

    public CertificateName {
        Objects.requireNonNull(role, "role");
        Credential.checkName(name);
        nodes = List.copyOf(nodes);
        if ((role == Role.AGENT) == nodes.isEmpty()) {
            throw new IllegalArgumentException(role == Role.AGENT ? "an agent certificate names at least one node"
                    : "only agent certificates name nodes");
        }
        for (String n : nodes) {
            if (n.endsWith("*")) {
                throw new IllegalArgumentException("a certificate names node ids, not patterns: " + n);
            }
            Credential.checkName(n);
        }
    }

    /** The URIs this name puts in a certificate's subject alternative names. */
    public List<String> uris() {
        if (role == Role.AGENT) {
            return nodes.stream().map(n -> PREFIX + "agent:" + n).toList();
        }
        return List.of(PREFIX + role.word() + ":" + name);
    }

    /** What a certificate names; empty when it follows no convention (or breaks it). */
    public static Optional<CertificateName> of(X509Certificate cert) {
        List<String> uris = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))
                            && san.get(1) instanceof String s && s.startsWith(PREFIX)) {
                        uris.add(s.substring(PREFIX.length()));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        Role role = null;
        List<String> values = new ArrayList<>();
        for (String u : uris) {
            int colon = u.indexOf(':');
            Optional<Role> r = colon < 0 ? Optional.empty() : Role.of(u.substring(0, colon));
            if (r.isEmpty() || (role != null && role != r.get())) {
                return Optional.empty();
            }
            role = r.get();
            values.add(u.substring(colon + 1));
        }
        if (role == null) {
            return Optional.empty();
        }
        try {
            if (role == Role.AGENT) {
                return commonName(cert).map(cn -> new CertificateName(Role.AGENT, cn, values));
            }
            return values.size() == 1 ? Optional.of(new CertificateName(role, values.get(0), List.of()))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no name
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return role.word() + " " + name + (nodes.isEmpty() ? "" : " " + nodes);
    }
}
