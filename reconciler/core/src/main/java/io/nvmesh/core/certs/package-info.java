/**
 * Certificates for TLS between callers and instances: the private CA and the certificates {@code nvmesh certs}
 * issues, the naming convention that turns a certificate into a caller ({@link io.nvmesh.core.certs.CertificateName}),
 * and PEM files read and written with the JDK alone.
 */
package io.nvmesh.core.certs;
